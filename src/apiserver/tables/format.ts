// Cell formatting helpers shared by the printers, matching Kubernetes' own helpers
// (apimachinery util/duration, labels.FormatLabels, metav1.FormatLabelSelector).

import type { LabelSelector } from '../../api/index.ts';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

// As duration.HumanDuration: ~2-3 significant figures ("5s", "3m12s", "2d3h", "3y45d").
export function humanDuration(ms: number): string {
  const seconds = Math.trunc(ms / SECOND);
  // A clock up to 2 s behind is tolerated as "now".
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 60 * 2) return `${seconds}s`;
  const minutes = Math.trunc(ms / MINUTE);
  if (minutes < 10) {
    const s = seconds % 60;
    return s === 0 ? `${minutes}m` : `${minutes}m${s}s`;
  }
  if (minutes < 60 * 3) return `${minutes}m`;
  const hours = Math.trunc(ms / HOUR);
  if (hours < 8) {
    const m = minutes % 60;
    return m === 0 ? `${hours}h` : `${hours}h${m}m`;
  }
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) {
    const h = hours % 24;
    return h === 0 ? `${Math.trunc(hours / 24)}d` : `${Math.trunc(hours / 24)}d${h}h`;
  }
  if (hours < 24 * 365 * 2) return `${Math.trunc(hours / 24)}d`;
  if (hours < 24 * 365 * 8) {
    const years = Math.trunc(hours / 24 / 365);
    const days = Math.trunc(hours / 24) % 365;
    return days === 0 ? `${years}y` : `${years}y${days}d`;
  }
  return `${Math.trunc(hours / 24 / 365)}y`;
}

// As translateTimestampSince: "<unknown>" for a zero (absent) timestamp.
export function age(timestamp: string | null | undefined, now: Date): string {
  if (!timestamp) return '<unknown>';
  const t = Date.parse(timestamp);
  if (Number.isNaN(t)) return '<unknown>';
  return humanDuration(now.getTime() - t);
}

// As labels.FormatLabels: sorted k=v pairs, "<none>" when empty.
export function formatLabels(labels: Record<string, string> | undefined): string {
  const keys = Object.keys(labels ?? {}).sort();
  if (keys.length === 0) return '<none>';
  return keys.map((k) => `${k}=${(labels ?? {})[k]}`).join(',');
}

// As metav1.LabelSelectorAsSelector(...).String(): requirements sorted by key; "" selects everything.
export function selectorString(selector: LabelSelector | undefined): string {
  if (!selector) return '';
  const reqs: { key: string; text: string }[] = [];
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) reqs.push({ key, text: `${key}=${value}` });
  for (const expr of selector.matchExpressions ?? []) {
    const values = [...new Set(expr.values ?? [])].sort().join(',');
    let text: string;
    switch (expr.operator) {
      case 'In':
        text = `${expr.key} in (${values})`;
        break;
      case 'NotIn':
        text = `${expr.key} notin (${values})`;
        break;
      case 'Exists':
        text = expr.key;
        break;
      case 'DoesNotExist':
        text = `!${expr.key}`;
        break;
      default:
        return '<invalid>';
    }
    reqs.push({ key: expr.key, text });
  }
  // Go sorts requirements by key with a stable sort; matchLabels come first for equal keys.
  reqs.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return reqs.map((r) => r.text).join(',');
}

// As metav1.FormatLabelSelector: the selector string, "<none>" when it selects everything.
export function formatLabelSelector(selector: LabelSelector | undefined): string {
  const s = selectorString(selector);
  return s === '' ? '<none>' : s;
}

// As net.JoinHostPort: IPv6 literals in brackets.
export function joinHostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

// "a,b,c + 2 more..." as the printers' list-with-more helpers; `empty` when nothing listed.
export function listWithMore(items: string[], max: number, empty: string): string {
  if (items.length === 0) return empty;
  const shown = items.slice(0, max).join(',');
  return items.length > max ? `${shown} + ${items.length - max} more...` : shown;
}
