import { quarterOf } from '#duban/domain';
import { QuarterlyService } from '#duban/rectification';
import { ApiClient } from '../support/api-client';
import { startTestApp, TestApp } from '../support/test-app';

type Person = { id: string; token: string };

/**
 * 某某县委 (committee, raises problems)
 * └── 城关镇党委 (committee)
 *     ├── 第一支部 (branch)
 *     └── 第二支部 (branch)
 * 另一县委 (committee) — outside everyone's scope but the system administrator's
 */
describe('administration of people and orgs (roles, orgs, reassign, edit, withdraw)', () => {
  let t: TestApp;
  let api: ApiClient;
  let admin: string;
  let county: { id: string };
  let town: { id: string };
  let branchA: { id: string };
  let branchB: { id: string };
  let other: { id: string };
  let countyAdmin: Person;
  let secretary: Person;
  let supervisor: Person;
  let respA: Person;
  let respB: Person;
  let leader: Person;
  let townSecretary: Person;

  const as = (p: Person | string) => {
    const token = typeof p === 'string' ? p : p.token;
    return {
      get: (url: string) => t.http().get(url).auth(token, { type: 'bearer' }),
      post: (url: string, body: object = {}, ifMatch?: number) => {
        const r = t.http().post(url).auth(token, { type: 'bearer' });
        return (ifMatch === undefined ? r : r.set('If-Match', String(ifMatch))).send(body);
      },
      patch: (url: string, body: object) =>
        t.http().patch(url).auth(token, { type: 'bearer' }).send(body),
      delete: (url: string) => t.http().delete(url).auth(token, { type: 'bearer' }),
    };
  };

  const dueIn = (days: number) =>
    new Date(t.clock.now().getTime() + days * 86400_000).toISOString();

  async function newProblem(orgId = branchA.id, resp = respA) {
    const res = await as(supervisor).post('/api/v1/problems', {
      title: '支部未按规定开展“三会一课”',
      description: '督查发现会议记录缺失。',
      category: 'organisational_life',
      severity: 'serious',
      source: 'quarterly_check',
      orgId: town.id,
      raisedByOrgId: county.id,
      tasks: [
        {
          measure: '建立会议记录台账',
          responsibleOrgId: orgId,
          responsibleUserId: resp.id,
          leaderUserId: leader.id,
          mode: 'deadline',
          dueAt: dueIn(30),
        },
      ],
    });
    expect(res.status).toBe(201);
    return {
      id: res.body.id as string,
      task: res.body.tasks[0] as { id: string; version: number },
    };
  }

  beforeAll(async () => {
    t = await startTestApp();
    api = new ApiClient(t);
    admin = await api.adminToken();
    county = await api.createOrg(admin, { name: '某某县委', kind: 'committee' });
    town = await api.createOrg(admin, {
      name: '城关镇党委',
      kind: 'committee',
      parentId: county.id,
    });
    branchA = await api.createOrg(admin, { name: '第一支部', kind: 'branch', parentId: town.id });
    branchB = await api.createOrg(admin, { name: '第二支部', kind: 'branch', parentId: town.id });
    other = await api.createOrg(admin, { name: '另一县委', kind: 'committee' });
    countyAdmin = await api.createPerson(admin, [{ orgId: county.id, role: 'admin' }], 'c-admin');
    secretary = await api.createPerson(admin, [{ orgId: county.id, role: 'secretary' }], 'c-sec');
    supervisor = await api.createPerson(admin, [{ orgId: county.id, role: 'supervisor' }], 'c-sup');
    townSecretary = await api.createPerson(admin, [{ orgId: town.id, role: 'secretary' }], 't-sec');
    respA = await api.createPerson(admin, [{ orgId: branchA.id, role: 'member' }], 'resp-a');
    respB = await api.createPerson(admin, [{ orgId: branchB.id, role: 'member' }], 'resp-b');
    leader = await api.createPerson(admin, [{ orgId: town.id, role: 'deputy' }], 'leader');
  });
  afterAll(() => t.close());

  describe('roles', () => {
    it('grants many roles at one org at once: they take turns on its record, none is refused', async () => {
      const people = await Promise.all(
        Array.from({ length: 8 }, () =>
          api.createPerson(admin, [{ orgId: branchB.id, role: 'member' }]),
        ),
      );
      expect(people).toHaveLength(8);
      const [verify] = await t.db.query(
        `SELECT count(*)::int AS n FROM audit_events WHERE stream_id = $1 AND type = 'role_granted'`,
        [branchB.id],
      );
      expect(verify.n).toBeGreaterThanOrEqual(8);
    });

    it('revokes a role at once, keeps it in the history with who and when, and allows a new grant', async () => {
      const person = await api.createPerson(admin, [{ orgId: branchA.id, role: 'secretary' }], 'x');
      await as(person).get(`/api/v1/orgs/${branchA.id}`).expect(200);

      const revoked = await as(countyAdmin)
        .delete(`/api/v1/orgs/${branchA.id}/roles/${person.id}/secretary`)
        .expect(200);
      expect(revoked.body).toMatchObject({
        userId: person.id,
        role: 'secretary',
        revokedBy: countyAdmin.id,
        revokedAt: t.clock.now().toISOString(),
      });
      // The very next request of the person no longer carries the role.
      await as(person).get(`/api/v1/orgs/${branchA.id}`).expect(404);

      const live = await as(countyAdmin).get(`/api/v1/orgs/${branchA.id}/roles`).expect(200);
      expect(live.body.map((r: { userId: string }) => r.userId)).not.toContain(person.id);
      const history = await as(countyAdmin)
        .get(`/api/v1/orgs/${branchA.id}/roles?history=true`)
        .expect(200);
      const mine = history.body.filter((r: { userId: string }) => r.userId === person.id);
      expect(mine).toHaveLength(1);
      expect(mine[0]).toMatchObject({ grantedBy: expect.any(String), revokedBy: countyAdmin.id });
      expect(mine[0].revokedByName).toBe('c-admin');

      // Revoking again: nothing to revoke.
      const again = await as(countyAdmin)
        .delete(`/api/v1/orgs/${branchA.id}/roles/${person.id}/secretary`)
        .expect(404);
      expect(again.body.code).toBe('role_not_held');
      // Granted again: a second row; the history shows both.
      await as(countyAdmin)
        .post(`/api/v1/orgs/${branchA.id}/roles`, { userId: person.id, role: 'secretary' })
        .expect(201);
      await as(person).get(`/api/v1/orgs/${branchA.id}`).expect(200);
      const both = await as(countyAdmin)
        .get(`/api/v1/orgs/${branchA.id}/roles?history=true`)
        .expect(200);
      expect(both.body.filter((r: { userId: string }) => r.userId === person.id)).toHaveLength(2);

      const audit = await t.db.query(
        `SELECT type FROM audit_events WHERE stream_type = 'org' AND stream_id = $1 ORDER BY seq`,
        [branchA.id],
      );
      expect(audit.map((a: { type: string }) => a.type)).toEqual(
        expect.arrayContaining(['role_granted', 'role_revoked']),
      );
    });

    it('refuses revocations by those who may not grant, and one’s own admin role', async () => {
      const res = await as(respA)
        .delete(`/api/v1/orgs/${branchA.id}/roles/${respA.id}/member`)
        .expect(403);
      expect(res.body.message).toMatch(/[\u4e00-\u9fff]/);
      await as(countyAdmin)
        .delete(`/api/v1/orgs/${county.id}/roles/${countyAdmin.id}/admin`)
        .expect(403);
      await as(countyAdmin).delete(`/api/v1/orgs/${other.id}/roles/${respA.id}/member`).expect(404);
      const bad = await as(countyAdmin)
        .delete(`/api/v1/orgs/${branchA.id}/roles/${respA.id}/king`)
        .expect(400);
      expect(bad.body.message).toMatch(/角色/);
    });

    it('no longer counts a revoked role for leading a measure', async () => {
      const former = await api.createPerson(admin, [{ orgId: town.id, role: 'deputy' }], 'former');
      await as(admin).delete(`/api/v1/orgs/${town.id}/roles/${former.id}/deputy`).expect(200);
      const res = await as(supervisor).post('/api/v1/problems', {
        title: '某问题',
        description: '',
        category: 'organisational_life',
        severity: 'general',
        source: 'quarterly_check',
        orgId: town.id,
        raisedByOrgId: county.id,
        tasks: [
          {
            measure: '整改',
            responsibleOrgId: branchA.id,
            responsibleUserId: respA.id,
            leaderUserId: former.id,
            mode: 'deadline',
            dueAt: dueIn(30),
          },
        ],
      });
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('leader_not_eligible');
    });
  });

  describe('orgs', () => {
    it('renames and deactivates; an inactive org gets no new measures, keeps what it has', async () => {
      const branchC = await api.createOrg(admin, {
        name: '第三支部',
        kind: 'branch',
        parentId: town.id,
      });
      const respC = await api.createPerson(admin, [{ orgId: branchC.id, role: 'member' }], 'c');
      const before = await newProblem(branchC.id, respC);

      const renamed = await as(townSecretary)
        .patch(`/api/v1/orgs/${branchC.id}`, { name: '第三党支部' })
        .expect(200);
      expect(renamed.body).toMatchObject({ name: '第三党支部', active: true });
      const off = await as(countyAdmin)
        .patch(`/api/v1/orgs/${branchC.id}`, { active: false })
        .expect(200);
      expect(off.body.active).toBe(false);

      const refused = await as(supervisor).post('/api/v1/problems', {
        title: '新问题',
        description: '',
        category: 'organisational_life',
        severity: 'general',
        source: 'quarterly_check',
        orgId: town.id,
        raisedByOrgId: county.id,
        tasks: [
          {
            measure: '整改',
            responsibleOrgId: branchC.id,
            responsibleUserId: respC.id,
            mode: 'deadline',
            dueAt: dueIn(30),
          },
        ],
      });
      expect(refused.status).toBe(400);
      expect(refused.body.code).toBe('org_inactive');
      const raiseThere = await as(supervisor).post('/api/v1/problems', {
        title: '新问题',
        description: '',
        category: 'organisational_life',
        severity: 'general',
        source: 'quarterly_check',
        orgId: branchC.id,
        raisedByOrgId: county.id,
      });
      expect(raiseThere.status).toBe(400);
      expect(raiseThere.body.code).toBe('org_inactive');
      // What it had stays, and is worked on.
      await as(respC).get(`/api/v1/tasks/${before.task.id}`).expect(200);
      await as(respC).post(`/api/v1/tasks/${before.task.id}/accept`).expect(200);

      const audit = await t.db.query(
        `SELECT type, data FROM audit_events WHERE stream_type = 'org' AND stream_id = $1 ORDER BY seq`,
        [branchC.id],
      );
      expect(audit.map((a: { type: string }) => a.type)).toEqual([
        'role_granted',
        'org_renamed',
        'org_deactivated',
      ]);
    });

    it('refuses renames by those below, to a sibling’s name, and outside the scope', async () => {
      await as(respA).patch(`/api/v1/orgs/${branchA.id}`, { name: '改名' }).expect(403);
      const taken = await as(countyAdmin)
        .patch(`/api/v1/orgs/${branchA.id}`, { name: '第二支部' })
        .expect(409);
      expect(taken.body.code).toBe('org_name_taken');
      await as(countyAdmin).patch(`/api/v1/orgs/${other.id}`, { name: '外县' }).expect(404);
      const empty = await as(countyAdmin).patch(`/api/v1/orgs/${branchA.id}`, {}).expect(400);
      expect(empty.body.code).toBe('nothing_to_change');
    });
  });

  describe('reassigning a measure (改派)', () => {
    it('moves it to another org and person with a reason, on the timeline, told to old and new', async () => {
      const { task } = await newProblem();
      const stale = await as(supervisor)
        .post(
          `/api/v1/tasks/${task.id}/reassign`,
          { responsibleOrgId: branchB.id, responsibleUserId: respB.id, reason: '原责任单位撤并' },
          task.version + 5,
        )
        .expect(409);
      expect(stale.body.code).toBe('stale_version');
      const noReason = await as(supervisor)
        .post(`/api/v1/tasks/${task.id}/reassign`, { responsibleUserId: respB.id, reason: ' ' })
        .expect(400);
      expect(noReason.body.code).toBe('reason_required');
      // As if the engine had planned its next reminder for later.
      await t.db.query(`UPDATE task_timers SET next_fire_at = $2 WHERE task_id = $1`, [
        task.id,
        new Date(t.clock.now().getTime() + 10 * 86400_000),
      ]);

      const res = await as(supervisor)
        .post(
          `/api/v1/tasks/${task.id}/reassign`,
          { responsibleOrgId: branchB.id, responsibleUserId: respB.id, reason: '原责任单位撤并' },
          task.version,
        )
        .expect(200);
      expect(res.body).toMatchObject({
        responsibleOrgId: branchB.id,
        responsibleUserId: respB.id,
        leaderUserId: leader.id,
        version: task.version + 1,
      });
      // The ladder is re-planned from now for the new unit (its calendar, its people).
      const [planned] = await t.db.query(
        `SELECT (SELECT next_fire_at FROM task_timers WHERE task_id = t.id) AS next_fire_at, responsible_org_path::text AS path
           FROM tasks t WHERE id = $1`,
        [task.id],
      );
      expect(planned.next_fire_at?.toISOString()).toBe(t.clock.now().toISOString());
      expect(planned.path).toContain(branchB.id.replace(/-/g, ''));
      // The old unit no longer sees it; the new one does.
      await as(respA).get(`/api/v1/tasks/${task.id}`).expect(404);
      await as(respB).get(`/api/v1/tasks/${task.id}`).expect(200);

      const timeline = await as(supervisor).get(`/api/v1/tasks/${task.id}/timeline`).expect(200);
      const event = timeline.body.find((e: { type: string }) => e.type === 'reassigned');
      expect(event.data).toMatchObject({
        reason: '原责任单位撤并',
        from: { responsibleOrgId: branchA.id, responsibleUserId: respA.id },
        to: { responsibleOrgId: branchB.id, responsibleUserId: respB.id },
      });
      for (const p of [respA, respB, leader]) {
        const rows = await t.db.query(
          `SELECT title FROM notifications WHERE user_id = $1 AND kind = 'task_reassigned'`,
          [p.id],
        );
        expect(rows).toHaveLength(1);
        expect(rows[0].title).toMatch(/改派/);
      }
    });

    it('refuses an org outside the problem’s subtree, a person without a role there, an ineligible leader', async () => {
      const { task } = await newProblem();
      const outside = await as(supervisor)
        .post(`/api/v1/tasks/${task.id}/reassign`, {
          responsibleOrgId: county.id,
          responsibleUserId: secretary.id,
          reason: '试',
        })
        .expect(400);
      expect(outside.body.code).toBe('responsible_org_outside_problem');
      const notThere = await as(supervisor)
        .post(`/api/v1/tasks/${task.id}/reassign`, { responsibleOrgId: branchB.id, reason: '试' })
        .expect(400);
      expect(notThere.body.code).toBe('responsible_not_in_org');
      const badLeader = await as(supervisor)
        .post(`/api/v1/tasks/${task.id}/reassign`, { leaderUserId: respB.id, reason: '试' })
        .expect(400);
      expect(badLeader.body.code).toBe('leader_not_eligible');
      // The branch itself may not reassign.
      await as(respA)
        .post(`/api/v1/tasks/${task.id}/reassign`, { responsibleUserId: respA.id, reason: '试' })
        .expect(403);
      const nothing = await as(supervisor)
        .post(`/api/v1/tasks/${task.id}/reassign`, { reason: '试' })
        .expect(400);
      expect(nothing.body.code).toBe('nothing_to_change');
    });
  });

  describe('problems: edit and withdraw', () => {
    it('edits title and description with a reason kept in the record', async () => {
      const { id } = await newProblem();
      const noReason = await as(supervisor)
        .patch(`/api/v1/problems/${id}`, { title: '新标题' })
        .expect(400);
      expect(noReason.body.errors?.[0]?.field ?? noReason.body.message).toMatch(/reason/);
      const res = await as(supervisor)
        .patch(`/api/v1/problems/${id}`, { title: '第一支部未开展“三会一课”', reason: '标题有误' })
        .expect(200);
      expect(res.body.title).toBe('第一支部未开展“三会一课”');
      const audit = await t.db.query(
        `SELECT data FROM audit_events WHERE stream_type = 'problem' AND stream_id = $1 AND type = 'edited'`,
        [id],
      );
      expect(audit[0].data).toMatchObject({
        reason: '标题有误',
        from: { title: '支部未按规定开展“三会一课”' },
        to: { title: '第一支部未开展“三会一课”' },
      });
      await as(respA).patch(`/api/v1/problems/${id}`, { title: 'x', reason: 'y' }).expect(404);
    });

    it('withdraws a problem: state withdrawn, nothing deleted, its measures stop escalating', async () => {
      const { id, task } = await newProblem();
      // A supervisor may raise but not withdraw.
      await as(supervisor).post(`/api/v1/problems/${id}/withdraw`, { reason: '误录' }).expect(403);
      const res = await as(secretary)
        .post(`/api/v1/problems/${id}/withdraw`, { reason: '误将其他支部的问题录入' })
        .expect(200);
      expect(res.body).toMatchObject({
        state: 'withdrawn',
        withdrawReason: '误将其他支部的问题录入',
      });
      expect(res.body.tasks[0]).toMatchObject({ id: task.id, withdrawn: true, actions: [] });

      const [row] = await t.db.query(
        `SELECT (SELECT next_fire_at FROM task_timers WHERE task_id = t.id) AS next_fire_at, withdrawn_at, state FROM tasks t WHERE id = $1`,
        [task.id],
      );
      expect(row).toMatchObject({ next_fire_at: null, state: 'assigned' });
      expect(row.withdrawn_at).not.toBeNull();
      // A policy change re-plans the county's open measures, but does not wake this one up.
      await newProblem();
      await t
        .http()
        .put(`/api/v1/orgs/${county.id}/escalation-policy`)
        .auth(secretary.token, { type: 'bearer' })
        .send({
          remindBefore: ['PT1H'],
          steps: [{ level: 1, name: '催办', after: 'PT0S', notify: ['responsible', 'leader'] }],
        })
        .expect(200);
      const after = await t.db.query(`SELECT 1 FROM task_timers WHERE task_id = $1`, [task.id]);
      expect(after).toEqual([]);
      const [woken] = await t.db.query(
        `SELECT count(*)::int AS n FROM tasks t JOIN task_timers tt ON tt.task_id = t.id
          WHERE t.withdrawn_at IS NULL`,
      );
      expect(woken.n).toBeGreaterThan(0);
      await as(respA).post(`/api/v1/tasks/${task.id}/accept`).expect(409);

      const again = await as(secretary)
        .post(`/api/v1/problems/${id}/withdraw`, { reason: '再撤' })
        .expect(409);
      expect(again.body.code).toBe('problem_not_withdrawable');
      const list = await as(secretary).get(`/api/v1/problems?state=withdrawn`).expect(200);
      expect(list.body.items.map((p: { id: string }) => p.id)).toContain(id);
      const open = await as(secretary).get(`/api/v1/problems?state=open`).expect(200);
      expect(open.body.items.map((p: { id: string }) => p.id)).not.toContain(id);
      const timeline = await as(secretary).get(`/api/v1/tasks/${task.id}/timeline`).expect(200);
      expect(timeline.body.map((e: { type: string }) => e.type)).toContain('withdrawn');

      // Past its deadline it is not red, not overdue, and its problem is not overdue either.
      await t.db.query(`UPDATE tasks SET due_at = $2 WHERE id = $1`, [
        task.id,
        new Date(t.clock.now().getTime() - 86400_000),
      ]);
      const late = await as(secretary).get(`/api/v1/tasks/${task.id}`).expect(200);
      expect(late.body.light).toBe('green');
      const overdue = await as(secretary)
        .get(`/api/v1/tasks?overdue=true&pageSize=200`)
        .expect(200);
      expect(overdue.body.items.map((x: { id: string }) => x.id)).not.toContain(task.id);
      const red = await as(secretary).get(`/api/v1/tasks?light=red&pageSize=200`).expect(200);
      expect(red.body.items.map((x: { id: string }) => x.id)).not.toContain(task.id);
      const overdueProblems = await as(secretary)
        .get(`/api/v1/problems?overdue=true&pageSize=200`)
        .expect(200);
      expect(overdueProblems.body.items.map((p: { id: string }) => p.id)).not.toContain(id);

      // The quarter's report notice does not ask for reports on it. (The current quarter is past
      // its grace date on this clock, when the start run sends nothing: take the next one.)
      const quarter = quarterOf(
        new Date(t.clock.now().getTime() + 92 * 86_400_000),
        'Asia/Shanghai',
      ).label;
      await t.app.get(QuarterlyService).start('Asia/Shanghai', quarter);
      const notices: { data: { tasks: { id: string }[] } }[] = await t.db.query(
        `SELECT data FROM notifications WHERE user_id = $1 AND kind = 'quarterly_report_due'`,
        [respA.id],
      );
      expect(notices.length).toBeGreaterThan(0);
      const listed = notices.flatMap((n) => n.data.tasks.map((x) => x.id));
      expect(listed.length).toBeGreaterThan(0);
      expect(listed).not.toContain(task.id);
    });
  });
});
