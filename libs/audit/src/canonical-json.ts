/**
 * A stable JSON text for hashing: object keys sorted, Dates as ISO strings, undefined dropped.
 * PostgreSQL's jsonb reorders keys, so the hash must not depend on key order.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(normalise(value));
}

export function normalise(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map((v) => (v === undefined ? null : normalise(v)));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[key];
      if (v !== undefined) out[key] = normalise(v);
    }
    return out;
  }
  return value;
}
