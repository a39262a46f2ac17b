// ObjectMeta validation with Kubernetes' exact messages (apimachinery/pkg/api/validation/objectmeta.go and
// pkg/util/validation/validation.go). Pure.
import type { ObjectMeta } from '../api/index.ts';
import { fieldErrors, type FieldError } from './errors.ts';
import type { ResourceInfo } from './resources.ts';

const dns1123LabelFmt = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const dns1123SubdomainFmt = `${dns1123LabelFmt}(\\.${dns1123LabelFmt})*`;
const dns1035LabelFmt = '[a-z]([-a-z0-9]*[a-z0-9])?';
const qualifiedNameFmt = '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]';
const labelValueFmt = `(${qualifiedNameFmt})?`;

/** validation.RegexError: the message plus examples and the regex (note Kubernetes' double spaces). */
function regexError(msg: string, fmt: string, ...examples: string[]): string {
  let s = `${msg} (`;
  if (examples.length) {
    s += 'e.g. ' + examples.map((e) => `'${e}'`).join(',  or ');
    s += ', ';
  }
  return `${s}regex used for validation is '${fmt}')`;
}

/**
 * The shape of Kubernetes' IsDNS1123Label, IsDNS1035Label, IsValidLabelValue …: a length limit, then the
 * anchored format (Go's regexp.MatchString on `^fmt$`), each failure with its own message.
 */
function patternRule(maxLength: number, fmt: string, message: string, ...examples: string[]): (v: string) => string[] {
  const pattern = new RegExp(`^${fmt}$`);
  const mismatch = regexError(message, fmt, ...examples);
  return (v) => {
    const errs: string[] = [];
    if (v.length > maxLength) errs.push(`must be no more than ${maxLength} characters`);
    if (!pattern.test(v)) errs.push(mismatch);
    return errs;
  };
}

export const isDNS1123Label = patternRule(
  63,
  dns1123LabelFmt,
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character",
  'my-name',
  '123-abc',
);

export const isDNS1123Subdomain = patternRule(
  253,
  dns1123SubdomainFmt,
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character",
  'example.com',
);

export const isDNS1035Label = patternRule(
  63,
  dns1035LabelFmt,
  "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character",
  'my-name',
  'abc-123',
);

export const isValidLabelValue = patternRule(
  63,
  labelValueFmt,
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character",
  'MyValue',
  'my_value',
  '12345',
);

const qualifiedName = new RegExp(`^${qualifiedNameFmt}$`);
const qualifiedNameError = regexError(
  "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character",
  qualifiedNameFmt,
  'MyName',
  'my.name',
  '123-abc',
);

/** IsQualifiedName: `[prefix/]name` as label and annotation keys. */
export function isQualifiedName(v: string): string[] {
  const errs: string[] = [];
  const parts = v.split('/');
  let name: string;
  if (parts.length === 1) name = parts[0];
  else if (parts.length === 2) {
    const [prefix] = parts;
    name = parts[1];
    if (prefix.length === 0) errs.push('prefix part must be non-empty');
    else for (const m of isDNS1123Subdomain(prefix)) errs.push(`prefix part ${m}`);
  } else {
    return [`a qualified name ${qualifiedNameError} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`];
  }
  if (name.length === 0) errs.push('name part must be non-empty');
  else if (name.length > 63) errs.push('name part must be no more than 63 characters');
  if (name.length > 0 && !qualifiedName.test(name)) errs.push(`name part ${qualifiedNameError}`);
  return errs;
}

function nameErrors(r: ResourceInfo, name: string): string[] {
  switch (r.nameRule) {
    case 'label':
      return isDNS1123Label(name);
    case 'dns1035':
      return isDNS1035Label(name);
    case 'ip':
      return name.length && !/[/%]/.test(name) ? [] : ['must be a valid IP address'];
    case 'path':
      if (name === '.' || name === '..') return [`may not be '${name}'`];
      return /[/%]/.test(name) ? [`may not contain '/'`] : [];
    default:
      return isDNS1123Subdomain(name);
  }
}

const totalAnnotationSizeLimit = 256 * 1024;

/** ValidateObjectMeta for create and update (the parts the registry owns; strategies add their own). */
export function validateObjectMeta(r: ResourceInfo, meta: ObjectMeta): FieldError[] {
  const errs: FieldError[] = [];
  if (!meta.name) {
    errs.push(fieldErrors.required('metadata.name', 'name or generateName is required'));
  } else {
    for (const msg of nameErrors(r, meta.name)) errs.push(fieldErrors.invalid('metadata.name', meta.name, msg));
  }
  if (r.namespaced) {
    if (!meta.namespace) errs.push(fieldErrors.required('metadata.namespace', ''));
    else for (const msg of isDNS1123Label(meta.namespace)) errs.push(fieldErrors.invalid('metadata.namespace', meta.namespace, msg));
  } else if (meta.namespace) {
    errs.push(fieldErrors.forbidden('metadata.namespace', 'not allowed on this type'));
  }
  for (const [k, v] of Object.entries(meta.labels ?? {})) {
    for (const msg of isQualifiedName(k)) errs.push(fieldErrors.invalid('metadata.labels', k, msg));
    if (typeof v !== 'string') errs.push(fieldErrors.invalid(`metadata.labels`, String(v), 'must be a string'));
    else for (const msg of isValidLabelValue(v)) errs.push(fieldErrors.invalid('metadata.labels', v, msg));
  }
  let size = 0;
  for (const [k, v] of Object.entries(meta.annotations ?? {})) {
    for (const msg of isQualifiedName(k.toLowerCase())) errs.push(fieldErrors.invalid('metadata.annotations', k, msg));
    size += k.length + String(v).length;
  }
  if (size > totalAnnotationSizeLimit)
    errs.push(fieldErrors.tooLong('metadata.annotations', totalAnnotationSizeLimit));
  if (meta.generation !== undefined && meta.generation < 0)
    errs.push(fieldErrors.invalid('metadata.generation', meta.generation, 'must be greater than or equal to 0'));
  for (const [i, f] of (meta.finalizers ?? []).entries()) {
    for (const msg of isQualifiedName(f)) errs.push(fieldErrors.invalid(`metadata.finalizers[${i}]`, f, msg));
  }
  return errs;
}

/** ValidateObjectMetaUpdate: fields that never change once set. */
export function validateObjectMetaUpdate(meta: ObjectMeta, old: ObjectMeta): FieldError[] {
  const errs: FieldError[] = [];
  const immutable = 'field is immutable';
  if (meta.name !== old.name) errs.push(fieldErrors.invalid('metadata.name', meta.name ?? '', immutable));
  if ((meta.namespace ?? '') !== (old.namespace ?? ''))
    errs.push(fieldErrors.invalid('metadata.namespace', meta.namespace ?? '', immutable));
  if (meta.uid !== old.uid) errs.push(fieldErrors.invalid('metadata.uid', meta.uid ?? '', immutable));
  if (meta.creationTimestamp !== old.creationTimestamp)
    errs.push(fieldErrors.invalid('metadata.creationTimestamp', meta.creationTimestamp ?? '', immutable));
  return errs;
}
