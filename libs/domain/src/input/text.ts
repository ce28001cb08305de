/**
 * Text every field of the API may hold: well-formed UTF-16 (no lone surrogate, which cannot be
 * encoded as UTF-8 and breaks PostgreSQL, JSON columns and URI encoding) and no NUL (PostgreSQL
 * cannot store it in text).
 */
export function isAcceptableText(s: string): boolean {
  return textProblem(s) === null;
}

// A high surrogate not followed by a low one, or a low one not preceded by a high one.
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** What is wrong with one text, or null. */
export function textProblem(s: string): 'nul' | 'lone_surrogate' | null {
  if (s.includes('\u0000')) return 'nul';
  if (LONE_SURROGATE.test(s)) return 'lone_surrogate';
  return null;
}

export interface BadText {
  /** `title`, `tasks[0].measure`, `steps[1].name`; a bad object key is named by its parent. */
  field: string;
  problem: 'nul' | 'lone_surrogate';
}

const MAX_DEPTH = 64;

function join(prefix: string, key: string): string {
  if (/^\d+$/.test(key) && prefix) return `${prefix}[${key}]`;
  return prefix ? `${prefix}.${key}` : key;
}

/**
 * Every string (values and object keys) at any depth of a parsed body or query that is not
 * acceptable text, with its path. At most `limit` are returned; nesting deeper than 64 levels is
 * not looked into (JSON bodies that deep are refused separately).
 */
export function findBadText(value: unknown, root = '', limit = 20): BadText[] {
  const found: BadText[] = [];
  const walk = (v: unknown, path: string, depth: number): void => {
    if (found.length >= limit || depth > MAX_DEPTH) return;
    if (typeof v === 'string') {
      const problem = textProblem(v);
      if (problem) found.push({ field: path || 'body', problem });
      return;
    }
    if (Array.isArray(v)) {
      v.forEach((item, i) => walk(item, join(path, String(i)), depth + 1));
      return;
    }
    if (v !== null && typeof v === 'object') {
      for (const [key, item] of Object.entries(v as Record<string, unknown>)) {
        const problem = textProblem(key);
        if (problem) {
          found.push({ field: path || 'body', problem });
          continue;
        }
        walk(item, join(path, key), depth + 1);
      }
    }
  };
  walk(value, root, 0);
  return found;
}

/** How deep a parsed JSON value nests (a scalar is 0). Stops counting past `cap`. */
export function nestingDepth(value: unknown, cap = MAX_DEPTH + 1): number {
  if (value === null || typeof value !== 'object' || cap <= 0) return 0;
  let max = 0;
  for (const item of Object.values(value as Record<string, unknown>)) {
    max = Math.max(max, nestingDepth(item, cap - 1));
    if (max >= cap - 1) break;
  }
  return max + 1;
}
