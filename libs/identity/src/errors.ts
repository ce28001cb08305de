/**
 * Failures a use case reports to its caller. The api maps them to HTTP statuses
 * (400/403/404/409); the worker logs them. Messages say what is wrong and what would be right.
 */
export class DomainError extends Error {
  constructor(
    readonly kind: 'invalid' | 'forbidden' | 'not_found' | 'conflict',
    message: string,
    readonly field?: string,
    /** Every problem found, when there are several (e.g. a whole policy document). */
    readonly errors?: readonly { field: string; message: string }[],
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export const invalid = (field: string, message: string) =>
  new DomainError('invalid', message, field);
export const forbidden = (message: string) => new DomainError('forbidden', message);
export const notFound = (message: string) => new DomainError('not_found', message);
export const conflict = (message: string, field?: string) =>
  new DomainError('conflict', message, field);

/** PostgreSQL's unique_violation. */
export function isUniqueViolation(e: unknown): boolean {
  return (
    (e as { code?: string; driverError?: { code?: string } })?.code === '23505' ||
    (e as { driverError?: { code?: string } })?.driverError?.code === '23505'
  );
}
