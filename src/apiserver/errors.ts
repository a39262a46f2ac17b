// One error type for every API failure, turned into a meta/v1 Status in one place, in Kubernetes' own
// words (k8s.io/apimachinery/pkg/api/errors and pkg/util/validation/field).
import type { Status, StatusCause } from '../api/index.ts';

// --- field errors (validation) ------------------------------------------------------------------------------

export type FieldErrorType =
  | 'FieldValueRequired'
  | 'FieldValueInvalid'
  | 'FieldValueDuplicate'
  | 'FieldValueNotSupported'
  | 'FieldValueForbidden'
  | 'FieldValueTooLong'
  | 'FieldValueTooMany'
  | 'InternalError'
  | 'FieldValueTypeInvalid';

/** A Go-printed value: how Kubernetes shows the offending value in a message. */
export type BadValue = string | number | boolean | null | string[] | { goSyntax: string } | undefined;

export interface FieldError {
  type: FieldErrorType;
  /** Field path as Kubernetes prints it: `spec.ports[0].port`, `metadata.labels`. */
  field: string;
  badValue?: BadValue;
  detail?: string;
}

const typeWords: Record<FieldErrorType, string> = {
  FieldValueRequired: 'Required value',
  FieldValueInvalid: 'Invalid value',
  FieldValueDuplicate: 'Duplicate value',
  FieldValueNotSupported: 'Unsupported value',
  FieldValueForbidden: 'Forbidden',
  FieldValueTooLong: 'Too long',
  FieldValueTooMany: 'Too many',
  InternalError: 'Internal error',
  FieldValueTypeInvalid: 'Invalid value',
};

/** Go's %q for a string (close enough: JSON escaping is Go's for printable text). */
export function goQuote(s: string): string {
  return JSON.stringify(s);
}

/** Go's %v / %q / %#v as field.Error uses them for the bad value. */
export function formatBadValue(value: BadValue): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return goQuote(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return `[]string{${value.map(goQuote).join(', ')}}`;
  return value.goSyntax;
}

/** The body of field.Error.Error() without the field path: `Invalid value: 0: must be …`. */
export function fieldErrorBody(e: FieldError): string {
  let s = typeWords[e.type];
  const omitsValue =
    e.type === 'FieldValueRequired' ||
    e.type === 'FieldValueForbidden' ||
    e.type === 'FieldValueTooLong' ||
    e.type === 'InternalError' ||
    e.badValue === undefined;
  if (!omitsValue) s += `: ${formatBadValue(e.badValue)}`;
  if (e.detail) s += `: ${e.detail}`;
  return s;
}

/** field.Error.Error(): `spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive`. */
export function fieldErrorMessage(e: FieldError): string {
  return `${e.field}: ${fieldErrorBody(e)}`;
}

export const fieldErrors = {
  required: (field: string, detail?: string): FieldError => ({ type: 'FieldValueRequired', field, detail }),
  invalid: (field: string, badValue: BadValue, detail?: string): FieldError => ({
    type: 'FieldValueInvalid',
    field,
    badValue: badValue === undefined ? null : badValue,
    detail,
  }),
  duplicate: (field: string, badValue: BadValue): FieldError => ({ type: 'FieldValueDuplicate', field, badValue }),
  notSupported: (field: string, badValue: BadValue, supported: string[]): FieldError => ({
    type: 'FieldValueNotSupported',
    field,
    badValue,
    detail: supported.length ? `supported values: ${supported.map(goQuote).join(', ')}` : undefined,
  }),
  forbidden: (field: string, detail: string): FieldError => ({ type: 'FieldValueForbidden', field, detail }),
  tooLong: (field: string, maxLength: number): FieldError => ({
    type: 'FieldValueTooLong',
    field,
    detail: `may not be more than ${maxLength} bytes`,
  }),
  tooMany: (field: string, actual: number, max: number): FieldError => ({
    type: 'FieldValueTooMany',
    field,
    badValue: actual,
    detail: `must have at most ${max} items`,
  }),
  internal: (field: string, detail: string): FieldError => ({ type: 'InternalError', field, detail }),
};

// --- API errors ----------------------------------------------------------------------------------------------

export interface GroupResource {
  group: string;
  /** Plural resource name: `services`. */
  resource: string;
}

function qualified(gr: GroupResource): string {
  return gr.group ? `${gr.resource}.${gr.group}` : gr.resource;
}

/** An API failure. `toStatus()` is the only place a Status is made. */
export class ApiError extends Error {
  readonly code: number;
  readonly reason: string;
  readonly details: Status['details'];

  constructor(code: number, reason: string, message: string, details?: Status['details']) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.reason = reason;
    this.details = details;
  }

  toStatus(): Status {
    const status: Status = {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: this.message,
      reason: this.reason,
      code: this.code,
    };
    if (this.details) status.details = this.details;
    return status;
  }

  static notFound(gr: GroupResource, name: string): ApiError {
    return new ApiError(404, 'NotFound', `${qualified(gr)} "${name}" not found`, {
      name,
      group: gr.group || undefined,
      kind: gr.resource,
    });
  }

  static alreadyExists(gr: GroupResource, name: string): ApiError {
    return new ApiError(409, 'AlreadyExists', `${qualified(gr)} "${name}" already exists`, {
      name,
      group: gr.group || undefined,
      kind: gr.resource,
    });
  }

  static conflict(gr: GroupResource, name: string, why: string): ApiError {
    return new ApiError(409, 'Conflict', `Operation cannot be fulfilled on ${qualified(gr)} "${name}": ${why}`, {
      name,
      group: gr.group || undefined,
      kind: gr.resource,
    });
  }

  /** The optimistic-concurrency failure of an update with a stale resourceVersion. */
  static staleResourceVersion(gr: GroupResource, name: string): ApiError {
    return ApiError.conflict(
      gr,
      name,
      'the object has been modified; please apply your changes to the latest version and try again',
    );
  }

  /** 422 with one cause per field error: `Service "x" is invalid: spec.ports[0].port: Invalid value: …`. */
  static invalid(kind: string, group: string, name: string, errors: FieldError[]): ApiError {
    const messages = errors.map(fieldErrorMessage);
    const joined = messages.length === 1 ? messages[0] : `[${messages.join(', ')}]`;
    const causes: StatusCause[] = errors.map((e) => ({ reason: e.type, message: fieldErrorBody(e), field: e.field }));
    const qualifiedKind = group ? `${kind}.${group}` : kind;
    return new ApiError(422, 'Invalid', `${qualifiedKind} "${name}" is invalid: ${joined}`, {
      name,
      group: group || undefined,
      kind,
      causes,
    });
  }

  static badRequest(message: string): ApiError {
    return new ApiError(400, 'BadRequest', message);
  }

  static methodNotSupported(gr: GroupResource, verb: string): ApiError {
    return new ApiError(405, 'MethodNotAllowed', `${verb} is not supported on resources of kind "${qualified(gr)}"`, {
      group: gr.group || undefined,
      kind: gr.resource,
    });
  }

  static gone(message = 'too old resource version'): ApiError {
    return new ApiError(410, 'Expired', message);
  }

  /** 415 listing what the endpoint accepts (Kubernetes' NewUnsupportedMediaTypeError). */
  static unsupportedMediaType(
    accepted: string[] = ['application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf'],
  ): ApiError {
    return new ApiError(
      415,
      'UnsupportedMediaType',
      `the body of the request was in an unknown format - accepted media types include: ${accepted.join(', ')}`,
    );
  }

  /** A patch that cannot be applied to the object (Kubernetes answers 422 with the patcher's message). */
  static invalidPatch(message: string): ApiError {
    return new ApiError(422, 'Invalid', message);
  }

  static notAcceptable(): ApiError {
    return new ApiError(406, 'NotAcceptable', 'only the following media types are accepted: application/json, application/yaml, application/vnd.kubernetes.protobuf');
  }

  /** The router's 404 for a path that names no resource. */
  static noSuchPath(): ApiError {
    return new ApiError(404, 'NotFound', 'the server could not find the requested resource', {});
  }

  static internal(message: string): ApiError {
    return new ApiError(500, 'InternalError', `Internal error occurred: ${message}`, {
      causes: [{ message }],
    });
  }

  static serviceUnavailable(message: string): ApiError {
    return new ApiError(503, 'ServiceUnavailable', message);
  }

  static forbidden(gr: GroupResource, name: string, why: string): ApiError {
    const subject = name ? `${qualified(gr)} "${name}"` : qualified(gr);
    return new ApiError(403, 'Forbidden', `${subject} is forbidden: ${why}`, {
      name: name || undefined,
      group: gr.group || undefined,
      kind: gr.resource,
    });
  }
}
