/**
 * The one SQL rule for visibility (一级抓一级): a row belongs to an org (its path in
 * `pathExpr`), and the caller sees it only when they hold a role in that org or above it.
 * `userParam` is the placeholder of the caller's id, `adminParam` of their system-admin flag.
 * It is part of every scoped query, so rows outside the caller's subtrees are never loaded.
 */
export function scopeCondition(pathExpr: string, userParam: string, adminParam: string): string {
  return `(${adminParam}::boolean OR EXISTS (
    SELECT 1 FROM role_assignments scope_ra
    JOIN orgs scope_org ON scope_org.id = scope_ra.org_id
    WHERE scope_ra.user_id = ${userParam}::uuid AND ${pathExpr} <@ scope_org.path))`;
}

/** Who is asking, as the scoped queries need it. */
export interface ScopeOwner {
  readonly userId: string;
  readonly systemAdmin: boolean;
}

/** An ILIKE pattern matching `text` anywhere, with its own % _ and \ taken literally. */
export function containsPattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}
