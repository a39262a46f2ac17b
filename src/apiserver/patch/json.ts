// JSON values, the one error type of this module, and the small value helpers every patch flavour shares.

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
export type JsonObject = { [k: string]: Json };

export type PatchErrorReason = 'BadRequest' | 'Invalid' | 'Conflict' | 'UnprocessableEntity';

export interface PatchErrorCause {
  reason?: string;
  field?: string;
  message: string;
}

const codeForReason: Record<PatchErrorReason, number> = {
  BadRequest: 400,
  Conflict: 409,
  Invalid: 422,
  UnprocessableEntity: 422,
};

/**
 * A patch the server refuses. `reason`/`code`/`message`/`causes` are what the API server puts in the
 * Status it answers with (Status.details.causes for `causes`).
 */
export class PatchError extends Error {
  reason: PatchErrorReason;
  code: number;
  causes: PatchErrorCause[];

  constructor(reason: PatchErrorReason, message: string, causes: PatchErrorCause[] = []) {
    super(message);
    this.name = 'PatchError';
    this.reason = reason;
    this.code = codeForReason[reason];
    this.causes = causes;
  }
}

export function badRequest(message: string): PatchError {
  return new PatchError('BadRequest', message);
}

/**
 * As apierrors.NewGenericServerResponse(422, …) answers: the specific error text is dropped and the client
 * sees the generic sentence (kubectl prints "The request is invalid: the server rejected our request due to an
 * error in our request"). The dropped detail is kept as a cause-less `detail` for our logs.
 */
export function genericUnprocessable(detail: string): PatchError {
  const err = new PatchError('Invalid', 'the server rejected our request due to an error in our request');
  (err as PatchError & { detail?: string }).detail = detail;
  return err;
}

export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function clone<T extends Json | undefined>(v: T): T {
  return v === undefined ? v : (structuredClone(v) as T);
}

export function deepEqual(a: Json | undefined, b: Json | undefined): boolean {
  if (a === b) return true;
  if (a === undefined || b === undefined || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!deepEqual(a[i], b[i])) return false;
    return true;
  }
  if (isObject(a)) {
    if (!isObject(b)) return false;
    const ak = Object.keys(a);
    if (ak.length !== Object.keys(b).length) return false;
    for (const k of ak) if (!(k in b) || !deepEqual(a[k], b[k])) return false;
    return true;
  }
  return false;
}

/** Go's %v of a decoded JSON value (`map[a:1 b:x]`, `[1 2]`): how apimachinery prints values in errors. */
export function goValue(v: Json | undefined): string {
  if (v === undefined || v === null) return '<nil>';
  if (Array.isArray(v)) return `[${v.map(goValue).join(' ')}]`;
  if (isObject(v)) {
    const keys = Object.keys(v).sort();
    return `map[${keys.map((k) => `${k}:${goValue(v[k])}`).join(' ')}]`;
  }
  return String(v);
}

/** Remove null members everywhere below v, as a typed decode would drop them (discardNullValuesFromPatch). */
export function withoutNulls(v: Json): Json {
  if (Array.isArray(v)) return v.map(withoutNulls);
  if (isObject(v)) {
    const out: JsonObject = {};
    for (const [k, x] of Object.entries(v)) if (x !== null) out[k] = withoutNulls(x);
    return out;
  }
  return v;
}
