/**
 * Domain errors. Each carries a stable kind that the web layer maps to an HTTP
 * status and an RFC 9457 problem `type` (`https://sewa.punjab.gov.in/problems/<kind>`),
 * and to an error page for HTML clients.
 */

/** The kinds of domain error and their HTTP statuses. */
export const ERROR_STATUS = {
  not_found: 404,
  conflict: 409,
  stale: 409,
  invalid_transition: 409,
  validation: 400,
  unprocessable: 422,
  too_large: 413,
  unauthorized: 401,
  forbidden: 403,
} as const;

export type ErrorKind = keyof typeof ERROR_STATUS;

/** A field-level problem, for the error summary on pages and `errors` in problem+json. */
export type FieldProblem = {
  field: string;
  code: string;
  message?: string;
  params?: Record<string, string | number>;
};

/** An error a user can act on; never a programming error. */
export class DomainError extends Error {
  readonly kind: ErrorKind;
  readonly fields: FieldProblem[];
  constructor(kind: ErrorKind, message: string, fields: FieldProblem[] = []) {
    super(message);
    this.name = "DomainError";
    this.kind = kind;
    this.fields = fields;
  }
  /** The HTTP status for this kind. */
  get status(): number {
    return ERROR_STATUS[this.kind];
  }
}
