import { ApiClient } from './api-client';
import type { TestApp } from './test-app';

export interface NamedPerson {
  id: string;
  token: string;
  username: string;
  displayName: string;
}

/**
 * A person with a chosen username and a display name (Chinese, as ledgers name people),
 * holding the given roles; returns their id and a token.
 */
export async function createNamedPerson(
  t: TestApp,
  adminToken: string,
  roles: { orgId: string; role: string }[],
  username: string,
  displayName: string,
): Promise<NamedPerson> {
  const password = 'a-long-password-1';
  const res = await t
    .http()
    .post('/api/v1/users')
    .auth(adminToken, { type: 'bearer' })
    .send({ username, displayName, password });
  if (res.status !== 201) throw new Error(`createUser ${res.status}: ${JSON.stringify(res.body)}`);
  for (const r of roles) {
    const g = await t
      .http()
      .post(`/api/v1/orgs/${r.orgId}/roles`)
      .auth(adminToken, { type: 'bearer' })
      .send({ userId: res.body.id, role: r.role });
    if (g.status !== 201) throw new Error(`assignRole ${g.status}: ${JSON.stringify(g.body)}`);
  }
  const token = await new ApiClient(t).login(username, password);
  return { id: res.body.id, token, username, displayName };
}
