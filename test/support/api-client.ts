import type { TestApp } from './test-app';
import { ADMIN } from './test-app';

let counter = 0;

/** Small helpers that drive the api the way a client would, asserting the expected status. */
export class ApiClient {
  constructor(private readonly t: TestApp) {}

  async login(username: string, password: string): Promise<string> {
    const res = await this.t
      .http()
      .post('/api/v1/auth/login')
      .send({ username, password })
      .expect(200);
    return res.body.accessToken as string;
  }

  adminToken(): Promise<string> {
    return this.login(ADMIN.username, ADMIN.password);
  }

  async createOrg(
    token: string,
    body: { name: string; kind: string; parentId?: string; timeZone?: string },
  ): Promise<{ id: string; path: string[] }> {
    const res = await this.t.http().post('/api/v1/orgs').auth(token, { type: 'bearer' }).send(body);
    if (res.status !== 201) throw new Error(`createOrg ${res.status}: ${JSON.stringify(res.body)}`);
    return res.body;
  }

  /** Creates a user, gives them roles, and returns their id and a token. */
  async createPerson(
    adminToken: string,
    roles: { orgId: string; role: string }[],
    name = `user${++counter}`,
  ): Promise<{ id: string; token: string; username: string }> {
    const username = `${name}-${counter}-${Math.random().toString(36).slice(2, 6)}`;
    const password = 'a-long-password-1';
    const res = await this.t
      .http()
      .post('/api/v1/users')
      .auth(adminToken, { type: 'bearer' })
      .send({ username, displayName: name, password });
    if (res.status !== 201)
      throw new Error(`createUser ${res.status}: ${JSON.stringify(res.body)}`);
    for (const r of roles) {
      const g = await this.t
        .http()
        .post(`/api/v1/orgs/${r.orgId}/roles`)
        .auth(adminToken, { type: 'bearer' })
        .send({ userId: res.body.id, role: r.role });
      if (g.status !== 201) throw new Error(`assignRole ${g.status}: ${JSON.stringify(g.body)}`);
    }
    return { id: res.body.id, username, token: await this.login(username, password) };
  }
}
