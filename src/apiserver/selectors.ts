// Label and field selectors as Kubernetes parses them (k8s.io/apimachinery/pkg/labels and pkg/fields):
// `a=b,c!=d,e in (x,y),f notin (z),g,!h,i>3`. Pure functions.
import { ApiError } from './errors.ts';

export type LabelRequirement =
  | { key: string; op: 'in' | 'notin'; values: string[] }
  | { key: string; op: 'exists' | '!' }
  | { key: string; op: 'gt' | 'lt'; value: number };

export type LabelSelector = LabelRequirement[];

/** Split on commas that are not inside parentheses. */
function splitTop(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out;
}

function bad(message: string): ApiError {
  return ApiError.badRequest(`unable to parse requirement: ${message}`);
}

export function parseLabelSelector(s: string | null | undefined): LabelSelector {
  const reqs: LabelSelector = [];
  if (!s || !s.trim()) return reqs;
  for (const raw of splitTop(s)) {
    const part = raw.trim();
    if (!part) throw bad(`found '', expected: identifier`);
    let m: RegExpMatchArray | null;
    if ((m = part.match(/^([^\s!=<>(),]+)\s+(in|notin)\s*\(([^)]*)\)$/))) {
      const values = m[3].split(',').map((v) => v.trim());
      reqs.push({ key: m[1], op: m[2] as 'in' | 'notin', values });
    } else if ((m = part.match(/^([^\s!=<>(),]+)\s*(==|=|!=)\s*([^\s!=<>(),]*)$/))) {
      reqs.push({ key: m[1], op: m[2] === '!=' ? 'notin' : 'in', values: [m[3]] });
    } else if ((m = part.match(/^([^\s!=<>(),]+)\s*([<>])\s*(-?\d+)$/))) {
      reqs.push({ key: m[1], op: m[2] === '>' ? 'gt' : 'lt', value: Number(m[3]) });
    } else if ((m = part.match(/^!\s*([^\s!=<>(),]+)$/))) {
      reqs.push({ key: m[1], op: '!' });
    } else if ((m = part.match(/^([^\s!=<>(),]+)$/))) {
      reqs.push({ key: m[1], op: 'exists' });
    } else {
      throw bad(`invalid label selector: "${part}"`);
    }
  }
  return reqs;
}

export function matchesLabels(selector: LabelSelector, labels: Record<string, string> | undefined): boolean {
  const l = labels ?? {};
  for (const r of selector) {
    const has = Object.hasOwn(l, r.key);
    switch (r.op) {
      case 'in':
        if (!has || !r.values.includes(l[r.key])) return false;
        break;
      case 'notin':
        if (has && r.values.includes(l[r.key])) return false;
        break;
      case 'exists':
        if (!has) return false;
        break;
      case '!':
        if (has) return false;
        break;
      case 'gt':
      case 'lt': {
        if (!has) return false;
        const n = Number(l[r.key]);
        if (!Number.isInteger(n)) return false;
        if (r.op === 'gt' ? !(n > r.value) : !(n < r.value)) return false;
      }
    }
  }
  return true;
}

export interface FieldRequirement {
  field: string;
  value: string;
  equal: boolean;
}

export type FieldSelector = FieldRequirement[];

/** `metadata.name=x,status.phase!=Running`. Backslash escapes `\,` `\=` `\\` as Kubernetes allows. */
export function parseFieldSelector(s: string | null | undefined): FieldSelector {
  const out: FieldSelector = [];
  if (!s || !s.trim()) return out;
  const parts: string[] = [];
  let cur = '';
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    if (ch === '\\' && i + 1 < s.length) {
      cur += ch + s[++i];
    } else if (ch === ',') {
      parts.push(cur);
      cur = '';
    } else cur += ch;
  }
  parts.push(cur);
  for (const part of parts) {
    const m = part.match(/^([^=!]+?)\s*(==|=|!=)\s*(.*)$/s);
    if (!m) throw ApiError.badRequest(`invalid selector: '${s}'; can't understand '${part}'`);
    out.push({ field: m[1].trim(), value: m[3].replace(/\\(.)/g, '$1'), equal: m[2] !== '!=' });
  }
  return out;
}

export function matchesFields(selector: FieldSelector, fields: (field: string) => string): boolean {
  for (const r of selector) {
    const v = fields(r.field);
    if ((v === r.value) !== r.equal) return false;
  }
  return true;
}
