/**
 * A validation error tied to the input field it concerns, e.g.
 * `{ field: 'steps[2].after', message: 'steps[2].after must be later than steps[1].after' }`.
 * The message names the field itself so it can be shown on its own (API 400 responses).
 */
export interface FieldError {
  readonly field: string;
  readonly message: string;
}

/** Either the typed value or every problem found with the input (not just the first). */
export type Validated<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly errors: readonly FieldError[] };

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
