/**
 * Errors as values with codes. Domain code throws a TandemError; the API layer turns it into the
 * contract's JSON body with the status that its kind maps to, in one place (toResponse).
 */
export type ErrorKind =
  | "bad_request"
  | "unauthorized"
  | "not_found"
  | "method_not_allowed"
  | "conflict"
  | "payload_too_large"
  | "rate_limited"
  | "bad_gateway"
  | "unavailable"
  | "internal";

const statusOf: Record<ErrorKind, number> = {
  bad_request: 400,
  unauthorized: 401,
  not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  payload_too_large: 413,
  rate_limited: 429,
  bad_gateway: 502,
  unavailable: 503,
  internal: 500,
};

/** `{field: [messages]}`, the contract's (DRF's) shape for field errors. */
export type FieldErrors = Record<string, string[]>;

export class TandemError extends Error {
  readonly kind: ErrorKind;
  readonly fields?: FieldErrors;
  readonly extra?: Record<string, unknown>;
  readonly headers?: Record<string, string>;

  constructor(
    kind: ErrorKind,
    message: string,
    options: { fields?: FieldErrors; extra?: Record<string, unknown>; headers?: Record<string, string> } = {},
  ) {
    super(message);
    this.name = "TandemError";
    this.kind = kind;
    this.fields = options.fields;
    this.extra = options.extra;
    this.headers = options.headers;
  }

  get status(): number {
    return statusOf[this.kind];
  }

  /** The JSON body: field errors when there are any, else `{detail}`. */
  toJSON(): Record<string, unknown> {
    if (this.fields) return { ...this.fields };
    return { detail: this.message, ...this.extra };
  }

  toResponse(headers?: HeadersInit): Response {
    const res = Response.json(this.toJSON(), { status: this.status, headers });
    for (const [k, v] of Object.entries(this.headers ?? {})) res.headers.set(k, v);
    return res;
  }
}

export const notFound = () => new TandemError("not_found", "Not found.");

export const fieldError = (field: string, message: string) =>
  new TandemError("bad_request", message, { fields: { [field]: [message] } });

/** Duck-typed: route handlers may run a separately bundled copy of this module. */
export function isTandemError(error: unknown): error is TandemError {
  return error instanceof Error && error.name === "TandemError" && "kind" in error;
}
