// Who is who and what is where, fetched once per session and shared by the pages.
import { call, client } from './api';
import type { Org, OrgMember } from './types';

let scope: Promise<Map<string, Org>> | null = null;
const members = new Map<string, Promise<OrgMember[]>>();

export function clearCaches(): void {
  scope = null;
  members.clear();
}

/**
 * Every organisation the caller may read (their roles' subtrees), fetched once per session in
 * pages of 200. Only these are ever asked about, so no page makes a 404 call for an org above
 * the caller (the raising committee of a branch's task, say).
 */
export function orgsInScopeById(): Promise<Map<string, Org>> {
  if (!scope) {
    scope = (async () => {
      const byId = new Map<string, Org>();
      for (let page = 1; page <= 50; page++) {
        const res = await call(
          client.GET('/api/v1/orgs', { params: { query: { page, pageSize: 200 } } }),
        );
        for (const o of res.items) byId.set(o.id, o);
        if (res.items.length === 0 || page * 200 >= res.total) break;
      }
      return byId;
    })();
    scope.catch(() => {
      scope = null;
    });
  }
  return scope;
}

/** An organisation, or null when it is outside the caller's scope (asked without a request). */
export async function getOrg(id: string): Promise<Org | null> {
  try {
    return (await orgsInScopeById()).get(id) ?? null;
  } catch {
    return null;
  }
}

/** Who holds which role in an organisation (empty when outside the caller's scope). */
export async function getMembers(orgId: string): Promise<OrgMember[]> {
  if (!(await getOrg(orgId))) return [];
  let p = members.get(orgId);
  if (!p) {
    p = call(client.GET('/api/v1/orgs/{orgId}/roles', { params: { path: { orgId } } })).catch(
      () => [],
    );
    members.set(orgId, p);
  }
  return p;
}

/** Display names of the people holding roles in these orgs and the orgs above them. */
export async function namesAround(orgIds: string[]): Promise<Map<string, string>> {
  const ids = new Set<string>();
  for (const id of orgIds) {
    const org = await getOrg(id);
    // The orgs above it that the caller may read too; the others are not asked about.
    if (org) org.path.forEach((x) => ids.add(x));
  }
  const lists = await Promise.all([...ids].map(getMembers));
  const names = new Map<string, string>();
  for (const list of lists) for (const m of list) names.set(m.userId, m.displayName);
  return names;
}

/** The unique people holding a role in one of these orgs, with their roles there. */
export async function peopleOf(
  orgIds: string[],
): Promise<{ userId: string; displayName: string; roles: string[] }[]> {
  const lists = await Promise.all(orgIds.map(getMembers));
  const byUser = new Map<string, { userId: string; displayName: string; roles: string[] }>();
  for (const list of lists) {
    for (const m of list) {
      const entry = byUser.get(m.userId) ?? {
        userId: m.userId,
        displayName: m.displayName,
        roles: [],
      };
      entry.roles.push(m.role);
      byUser.set(m.userId, entry);
    }
  }
  return [...byUser.values()];
}
