// Who is who and what is where, fetched once per session and shared by the pages.
import { api } from './api';
import type { Org, OrgMember } from './types';

const orgs = new Map<string, Promise<Org | null>>();
const members = new Map<string, Promise<OrgMember[]>>();

export function clearCaches(): void {
  orgs.clear();
  members.clear();
}

/** An organisation, or null when it is outside the caller's scope. */
export function getOrg(id: string): Promise<Org | null> {
  let p = orgs.get(id);
  if (!p) {
    p = api<Org>(`/orgs/${id}`).catch(() => null);
    orgs.set(id, p);
  }
  return p;
}

/** Who holds which role in an organisation (empty when outside the caller's scope). */
export function getMembers(orgId: string): Promise<OrgMember[]> {
  let p = members.get(orgId);
  if (!p) {
    p = api<OrgMember[]>(`/orgs/${orgId}/roles`).catch(() => []);
    members.set(orgId, p);
  }
  return p;
}

/** Display names of the people holding roles in these orgs and the orgs above them. */
export async function namesAround(orgIds: string[]): Promise<Map<string, string>> {
  const ids = new Set<string>();
  for (const id of orgIds) {
    const org = await getOrg(id);
    (org?.path ?? [id]).forEach((x) => ids.add(x));
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
