import { idsToPath } from './org-path';

/**
 * The one SQL rule for visibility (一级抓一级): a row belongs to an org (its path in
 * `pathExpr`), and the caller sees it only when they hold a role in that org or above it.
 * `pathsParam` is the placeholder of the paths of the caller's roles (`scopeParams`),
 * `adminParam` of their system-admin flag. It is part of every scoped query, so rows outside
 * the caller's subtrees are never loaded.
 *
 * The paths are the grants the request's actor was loaded with, passed as values rather than
 * read by a subquery: `<@ ANY(paths)` is answered by a bitmap scan of the GiST index over the
 * path, and PostgreSQL can estimate how many rows a given subtree holds. With a correlated
 * EXISTS it scanned all 10^6 measures for a town secretary's list (~1 s); with the paths hidden
 * in a subquery it guessed, and walked the deadline index instead (~0.7 s). See BENCHMARKS.md.
 */
export function scopeCondition(pathExpr: string, pathsParam: string, adminParam: string): string {
  return `(${adminParam}::boolean OR ${pathExpr} <@ ANY(${pathsParam}::ltree[]))`;
}

/** Who is asking, as the scoped queries need it: the actor loaded for the request. */
export interface ScopeOwner {
  readonly userId: string;
  readonly systemAdmin: boolean;
  readonly grants: readonly { readonly org: { readonly path: readonly string[] } }[];
}

/** The values for scopeCondition's two placeholders, in that order: role paths, admin flag. */
export function scopeParams(owner: ScopeOwner): [string[], boolean] {
  return [owner.grants.map((g) => idsToPath(g.org.path)), owner.systemAdmin];
}

/** An ILIKE pattern matching `text` anywhere, with its own % _ and \ taken literally. */
export function containsPattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}
