// apps/v1 validation of the essentials with Kubernetes' messages and field paths (pkg/apis/apps/validation:
// ValidateDeploymentSpec, ValidateRollingUpdateDeployment, ValidateReplicaSetSpec,
// ValidatePodTemplateSpecForReplicaSet, the *Update functions) and the parts of ValidatePodSpec a template most
// often gets wrong. ObjectMeta is the generic registry's. Pure.
import type { Deployment, LabelSelector, PodTemplateSpec, ReplicaSet } from '../../../api/index.ts';
import { fieldErrors, goQuote, type BadValue, type FieldError } from '../../errors.ts';
import { isDNS1123Label } from '../../validation.ts';

// --- Go-printed values (field.Error prints a struct's %#v) ----------------------------------------------------

export function goStringMap(m: Record<string, string> | undefined): BadValue {
  if (m === undefined) return { goSyntax: 'map[string]string(nil)' };
  const body = Object.keys(m)
    .sort()
    .map((k) => `${goQuote(k)}:${goQuote(m[k])}`)
    .join(', ');
  return { goSyntax: `map[string]string{${body}}` };
}

function goStringSlice(v: string[] | undefined): string {
  return v === undefined ? '[]string(nil)' : `[]string{${v.map(goQuote).join(', ')}}`;
}

export function goLabelSelector(s: LabelSelector): BadValue {
  const ml = (goStringMap(s.matchLabels) as { goSyntax: string }).goSyntax;
  const me =
    s.matchExpressions === undefined
      ? '[]v1.LabelSelectorRequirement(nil)'
      : `[]v1.LabelSelectorRequirement{${s.matchExpressions
          .map((e) => `v1.LabelSelectorRequirement{Key:${goQuote(e.key)}, Operator:${goQuote(e.operator)}, Values:${goStringSlice(e.values)}}`)
          .join(', ')}}`;
  return { goSyntax: `v1.LabelSelector{MatchLabels:${ml}, MatchExpressions:${me}}` };
}

export function goIntOrString(v: number | string): BadValue {
  return typeof v === 'number'
    ? { goSyntax: `intstr.IntOrString{Type:0, IntVal:${v}, StrVal:""}` }
    : { goSyntax: `intstr.IntOrString{Type:1, IntVal:0, StrVal:${goQuote(v)}}` };
}

// --- selectors ----------------------------------------------------------------------------------------------

function selectorEmpty(s: LabelSelector): boolean {
  return Object.keys(s.matchLabels ?? {}).length === 0 && (s.matchExpressions ?? []).length === 0;
}

/** metav1.LabelSelectorAsSelector(s).Matches(labels). */
export function selectorMatchesLabels(s: LabelSelector, labels: Record<string, string> | undefined): boolean {
  for (const [k, v] of Object.entries(s.matchLabels ?? {})) if (labels?.[k] !== v) return false;
  for (const e of s.matchExpressions ?? []) {
    const has = labels !== undefined && Object.hasOwn(labels, e.key);
    const value = labels?.[e.key] ?? '';
    if (e.operator === 'In' && !(has && (e.values ?? []).includes(value))) return false;
    if (e.operator === 'NotIn' && has && (e.values ?? []).includes(value)) return false;
    if (e.operator === 'Exists' && !has) return false;
    if (e.operator === 'DoesNotExist' && has) return false;
  }
  return true;
}

function validateSelector(s: LabelSelector, field: string): FieldError[] {
  const errs: FieldError[] = [];
  (s.matchExpressions ?? []).forEach((e, i) => {
    const p = `${field}.matchExpressions[${i}]`;
    if (!['In', 'NotIn', 'Exists', 'DoesNotExist'].includes(e.operator))
      errs.push(fieldErrors.notSupported(`${p}.operator`, e.operator, ['DoesNotExist', 'Exists', 'In', 'NotIn']));
    else if ((e.operator === 'In' || e.operator === 'NotIn') && !(e.values ?? []).length)
      errs.push(fieldErrors.required(`${p}.values`, 'must be specified when `operator` is \'In\' or \'NotIn\''));
    else if ((e.operator === 'Exists' || e.operator === 'DoesNotExist') && (e.values ?? []).length)
      errs.push(fieldErrors.forbidden(`${p}.values`, 'may not be specified when `operator` is \'Exists\' or \'DoesNotExist\''));
  });
  return errs;
}

// --- shared pieces ------------------------------------------------------------------------------------------

function nonNegative(value: number | undefined, field: string): FieldError[] {
  return value !== undefined && value < 0 ? [fieldErrors.invalid(field, value, 'must be greater than or equal to 0')] : [];
}

/** The essentials of ValidatePodSpec for a template: containers with names, images and sane ports. */
function validateTemplatePodSpec(template: PodTemplateSpec, field: string): FieldError[] {
  const errs: FieldError[] = [];
  const spec = template.spec;
  const containers = spec?.containers ?? [];
  if (!containers.length) errs.push(fieldErrors.required(`${field}.containers`));
  const seen = new Set<string>();
  containers.forEach((c, i) => {
    const p = `${field}.containers[${i}]`;
    if (!c.name) errs.push(fieldErrors.required(`${p}.name`));
    else {
      for (const msg of isDNS1123Label(c.name)) errs.push(fieldErrors.invalid(`${p}.name`, c.name, msg));
      if (seen.has(c.name)) errs.push(fieldErrors.duplicate(`${p}.name`, c.name));
      seen.add(c.name);
    }
    if (!c.image) errs.push(fieldErrors.required(`${p}.image`));
    (c.ports ?? []).forEach((port, j) => {
      const cp = port.containerPort;
      if (!(Number.isInteger(cp) && cp >= 1 && cp <= 65535))
        errs.push(fieldErrors.invalid(`${p}.ports[${j}].containerPort`, cp, 'must be between 1 and 65535, inclusive'));
    });
  });
  return errs;
}

/** ValidatePodTemplateSpecForReplicaSet. */
function validateTemplateForSelector(template: PodTemplateSpec | undefined, selector: LabelSelector | undefined, field: string): FieldError[] {
  if (!template) return [fieldErrors.required(field)];
  const errs: FieldError[] = [];
  const labels = template.metadata?.labels;
  if (selector && !selectorEmpty(selector) && !selectorMatchesLabels(selector, labels))
    errs.push(fieldErrors.invalid(`${field}.metadata.labels`, goStringMap(labels), '`selector` does not match template `labels`'));
  const restart = template.spec?.restartPolicy;
  if (restart !== undefined && restart !== 'Always') errs.push(fieldErrors.notSupported(`${field}.spec.restartPolicy`, restart, ['Always']));
  errs.push(...validateTemplatePodSpec(template, `${field}.spec`));
  return errs;
}

function validateSelectorAndTemplate(spec: { selector?: LabelSelector; template?: PodTemplateSpec }): FieldError[] {
  const errs: FieldError[] = [];
  if (!spec.selector) errs.push(fieldErrors.required('spec.selector'));
  else {
    errs.push(...validateSelector(spec.selector, 'spec.selector'));
    // Kubernetes says "for deployment" for ReplicaSets too (ValidateReplicaSetSpec).
    if (selectorEmpty(spec.selector)) errs.push(fieldErrors.invalid('spec.selector', goLabelSelector(spec.selector), 'empty selector is invalid for deployment'));
  }
  errs.push(...validateTemplateForSelector(spec.template, spec.selector, 'spec.template'));
  return errs;
}

// --- IntOrString percentages (maxSurge, maxUnavailable) -------------------------------------------------------

const percentRe = /^[0-9]+%$/;

function validatePositiveIntOrPercent(v: unknown, field: string): FieldError[] {
  if (typeof v === 'string') {
    if (!percentRe.test(v)) return [fieldErrors.invalid(field, goIntOrString(v), "must be an integer or percentage (e.g '5%')")];
    return nonNegative(parseInt(v, 10), field);
  }
  if (typeof v === 'number') return nonNegative(v, field);
  return [];
}

function intOrPercentValue(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && percentRe.test(v)) return parseInt(v, 10);
  return 0;
}

function validateStrategy(strategy: Record<string, unknown> | undefined): FieldError[] {
  const errs: FieldError[] = [];
  const type = strategy?.type;
  const ru = strategy?.rollingUpdate as { maxUnavailable?: unknown; maxSurge?: unknown } | undefined;
  if (type === 'Recreate') {
    if (ru) errs.push(fieldErrors.forbidden('spec.strategy.rollingUpdate', "may not be specified when strategy `type` is 'Recreate'"));
  } else if (type === 'RollingUpdate') {
    if (!ru) errs.push(fieldErrors.required('spec.strategy.rollingUpdate', 'this should be defaulted and never be nil'));
    else {
      const p = 'spec.strategy.rollingUpdate';
      errs.push(...validatePositiveIntOrPercent(ru.maxUnavailable, `${p}.maxUnavailable`));
      errs.push(...validatePositiveIntOrPercent(ru.maxSurge, `${p}.maxSurge`));
      if (intOrPercentValue(ru.maxUnavailable) === 0 && intOrPercentValue(ru.maxSurge) === 0)
        errs.push(fieldErrors.invalid(`${p}.maxUnavailable`, goIntOrString((ru.maxUnavailable as number | string) ?? 0), 'may not be 0 when `maxSurge` is 0'));
      if (typeof ru.maxUnavailable === 'string' && percentRe.test(ru.maxUnavailable) && parseInt(ru.maxUnavailable, 10) > 100)
        errs.push(fieldErrors.invalid(`${p}.maxUnavailable`, goIntOrString(ru.maxUnavailable), 'must not be greater than 100%'));
    }
  } else {
    errs.push(fieldErrors.notSupported('spec.strategy.type', typeof type === 'string' ? type : '', ['Recreate', 'RollingUpdate']));
  }
  return errs;
}

// --- the kinds ------------------------------------------------------------------------------------------------

export function validateDeployment(d: Deployment): FieldError[] {
  const spec = d.spec ?? {};
  const errs: FieldError[] = [];
  errs.push(...nonNegative(spec.replicas, 'spec.replicas'));
  errs.push(...validateSelectorAndTemplate(spec));
  errs.push(...validateStrategy(spec.strategy));
  errs.push(...nonNegative(spec.minReadySeconds, 'spec.minReadySeconds'));
  errs.push(...nonNegative(spec.revisionHistoryLimit, 'spec.revisionHistoryLimit'));
  if (spec.progressDeadlineSeconds !== undefined) {
    errs.push(...nonNegative(spec.progressDeadlineSeconds, 'spec.progressDeadlineSeconds'));
    if (spec.progressDeadlineSeconds <= (spec.minReadySeconds ?? 0))
      errs.push(fieldErrors.invalid('spec.progressDeadlineSeconds', spec.progressDeadlineSeconds, 'must be greater than minReadySeconds'));
  }
  return errs;
}

export function validateReplicaSet(rs: ReplicaSet): FieldError[] {
  const spec = rs.spec ?? {};
  return [...nonNegative(spec.replicas, 'spec.replicas'), ...nonNegative(spec.minReadySeconds, 'spec.minReadySeconds'), ...validateSelectorAndTemplate(spec)];
}

/** apps/v1 selectors are immutable (ValidateDeploymentUpdate / ValidateReplicaSetUpdate). */
function selectorImmutable(next: LabelSelector | undefined, old: LabelSelector | undefined): FieldError[] {
  if (JSON.stringify(canonicalSelector(next)) === JSON.stringify(canonicalSelector(old))) return [];
  return [fieldErrors.invalid('spec.selector', next ? goLabelSelector(next) : null, 'field is immutable')];
}

function canonicalSelector(s: LabelSelector | undefined): unknown {
  if (!s) return null;
  const ml = Object.keys(s.matchLabels ?? {}).sort().map((k) => [k, s.matchLabels![k]]);
  return [ml, s.matchExpressions ?? []];
}

export function validateDeploymentUpdate(d: Deployment, old: Deployment): FieldError[] {
  return [...validateDeployment(d), ...selectorImmutable(d.spec?.selector, old.spec?.selector)];
}

export function validateReplicaSetUpdate(rs: ReplicaSet, old: ReplicaSet): FieldError[] {
  return [...validateReplicaSet(rs), ...selectorImmutable(rs.spec?.selector, old.spec?.selector)];
}
