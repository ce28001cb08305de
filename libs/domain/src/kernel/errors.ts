export type DomainErrorKind = 'invalid' | 'forbidden' | 'not_found' | 'conflict';

/** The stable machine-readable `code` of each kind, when a use case names none more precise. */
export const DEFAULT_ERROR_CODE: Record<DomainErrorKind, string> = {
  invalid: 'validation_failed',
  forbidden: 'forbidden',
  not_found: 'not_found',
  conflict: 'conflict',
};

/**
 * Failures a use case reports to its caller. The api maps them to HTTP statuses
 * (400/403/404/409); the worker logs them. Messages say what is wrong and what would be right;
 * `code` is the stable lower_snake_case name clients branch on (`conflict_of_interest`,
 * `stale_version`, …).
 */
export class DomainError extends Error {
  readonly code: string;

  constructor(
    readonly kind: DomainErrorKind,
    message: string,
    readonly field?: string,
    /** Every problem found, when there are several (e.g. a whole policy document). */
    readonly errors?: readonly { field: string; message: string }[],
    code?: string,
  ) {
    super(message);
    this.name = 'DomainError';
    this.code = code ?? DEFAULT_ERROR_CODE[kind];
  }
}

export const invalid = (field: string, message: string, code?: string) =>
  new DomainError('invalid', message, field, undefined, code);
export const forbidden = (message: string, code?: string) =>
  new DomainError('forbidden', message, undefined, undefined, code);
export const notFound = (message: string, code?: string) =>
  new DomainError('not_found', message, undefined, undefined, code);
export const conflict = (message: string, field?: string, code?: string) =>
  new DomainError('conflict', message, field, undefined, code);

/** PostgreSQL's unique_violation. */
export function isUniqueViolation(e: unknown): boolean {
  return (
    (e as { code?: string; driverError?: { code?: string } })?.code === '23505' ||
    (e as { driverError?: { code?: string } })?.driverError?.code === '23505'
  );
}
