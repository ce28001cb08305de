import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { problemAfterMeasures, type ProblemMeasureCounts } from '#duban/domain';
import { createDataSource } from '#duban/persistence';
import {
  CasesRepository,
  NegativeListRepository,
  type NewCase,
  ProblemsRepository,
} from '#duban/rectification';
import { createTestDatabase, insertCountyAndBranch } from '../support/test-database';

/**
 * The statements of the one-writer repositories whose rule is written twice — once in
 * libs/domain, once in SQL so that it holds under concurrency: they must agree.
 */
describe('one writer per table: the SQL agrees with the rules', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let db: DataSource;
  const cases = new CasesRepository();
  const problems = new ProblemsRepository();
  const now = new Date('2026-11-20T02:00:00.000Z');
  let county: { id: string; path: string };
  let branch: { id: string; path: string };
  const userIds = [randomUUID(), randomUUID()];
  const problemId = randomUUID();
  const taskId = randomUUID();

  beforeAll(async () => {
    database = await createTestDatabase();
    db = await createDataSource(database.url, 2).initialize();
    ({ county, branch } = await insertCountyAndBranch(db, now));
    for (const [i, id] of userIds.entries())
      await db.query(
        `INSERT INTO users (id, username, display_name, password_hash, created_at)
         VALUES ($1, $2, $3, 'x', $4)`,
        [id, `user${i}-${id.slice(0, 8)}`, `用户${i}`, now],
      );
    await problems.insert(db.manager, {
      id: problemId,
      title: '三会一课不规范',
      description: '支委会未按月召开',
      category: 'organisational_life',
      severity: 'general',
      source: 'inspection_tour',
      campaign: null,
      campaignId: null,
      org: branch,
      raisedByOrgId: county.id,
      raisedBy: userIds[0],
      recurrenceOf: [],
      at: now,
    });
    await db.query(
      `INSERT INTO tasks (id, problem_id, measure, raising_org_id, raising_org_path,
                          responsible_org_id, responsible_org_path, responsible_user_id, mode,
                          due_at, state, created_at, updated_at)
       VALUES ($1, $2, '补开支委会', $3, $4::ltree, $5, $6::ltree, $7, 'deadline', $8, 'in_progress', $8, $8)`,
      [taskId, problemId, county.id, county.path, branch.id, branch.path, userIds[0], now],
    );
  });
  afterAll(async () => {
    await db.destroy();
    await database.drop();
  });

  const stepCase = (key: string, subjects: string[] = userIds): NewCase => ({
    id: randomUUID(),
    taskId,
    key,
    raisingOrg: county,
    subjectOrg: branch,
    subjectUserIds: subjects,
    sourceSummary: null,
  });
  const loopCase = (key: string): NewCase => ({
    id: randomUUID(),
    taskId: null,
    key,
    raisingOrg: county,
    subjectOrg: branch,
    subjectUserIds: [userIds[1]],
    sourceSummary: '承诺未兑现：第一支部 2026 年承诺「按月召开支委会」',
  });

  it('opens a case once per task and step, and once per loop source, whoever asks again', async () => {
    const step = stepCase('step:4@v1');
    const loop = loopCase('commitment:item-1');
    expect(await cases.openOnce(db.manager, [step, loop], now)).toEqual([step.id, loop.id]);

    // A retried job, a second request: the same keys under new ids open nothing.
    expect(
      await cases.openOnce(db.manager, [stepCase('step:4@v1'), loopCase('commitment:item-1')], now),
    ).toEqual([]);

    // A new deadline's step and a loop source named like a step are cases of their own.
    const again = stepCase('step:4@v2', []);
    const namedLikeStep = loopCase('step:4@v1');
    expect(
      await cases.openOnce(db.manager, [loopCase('commitment:item-1'), again, namedLikeStep], now),
    ).toEqual([again.id, namedLikeStep.id]);
    expect(await cases.openOnce(db.manager, [], now)).toEqual([]);

    const rows: {
      id: string;
      task_id: string | null;
      effect_key: string;
      subject_user_ids: string[];
      source_summary: string | null;
      state: string;
      opened_at: Date;
    }[] = await db.query(
      `SELECT id, task_id, effect_key, subject_user_ids, source_summary, state, opened_at
         FROM accountability_cases ORDER BY opened_at, effect_key, task_id NULLS FIRST`,
    );
    expect(rows).toHaveLength(4);
    const byId = new Map(rows.map((r) => [r.id, r]));
    expect(byId.get(step.id)).toMatchObject({
      task_id: taskId,
      subject_user_ids: userIds,
      source_summary: null,
      state: 'open',
      opened_at: now,
    });
    expect(byId.get(again.id)).toMatchObject({ subject_user_ids: [] });
    expect(byId.get(loop.id)).toMatchObject({
      task_id: null,
      subject_user_ids: [userIds[1]],
      source_summary: loop.sourceSummary,
    });
  });

  it('a case is decided once', async () => {
    const c = stepCase('step:4@v3');
    await cases.openOnce(db.manager, [c], now);
    const decision = {
      outcome: 'admonishment' as const,
      reason: '未按期整改',
      by: userIds[0],
      at: now,
    };
    expect(await cases.decide(db.manager, c.id, decision)).toBe(true);
    expect(await cases.decide(db.manager, c.id, { ...decision, outcome: 'exempted' })).toBe(false);
    const [row]: { outcome: string }[] = await db.query(
      `SELECT outcome FROM accountability_cases WHERE id = $1`,
      [c.id],
    );
    expect(row.outcome).toBe('admonishment');
  });

  it("a problem's open measures move as problemAfterMeasures says: it closes with the last one", async () => {
    let expected: ProblemMeasureCounts & { closedAt: Date | null } = {
      taskCount: 0,
      openTaskCount: 0,
      closedAt: null,
    };
    const steps: ({ add: true } | { delta: number })[] = [
      { add: true },
      { add: true },
      { delta: -1 },
      { delta: -1 },
      { delta: 1 },
      { add: true },
      { delta: -1 },
      { delta: -1 },
    ];
    let closedOnce = false;
    for (const [i, step] of steps.entries()) {
      const at = new Date(now.getTime() + i * 60_000);
      if ('add' in step) {
        await problems.addMeasure(db.manager, problemId);
        expected = problemAfterMeasures(expected, { added: 1, openDelta: 1 }, at);
      } else {
        await problems.moveOpenMeasures(db.manager, problemId, step.delta, at);
        expected = problemAfterMeasures(expected, { added: 0, openDelta: step.delta }, at);
      }
      const [row]: { task_count: number; open_task_count: number; closed_at: Date | null }[] =
        await db.query(
          `SELECT task_count, open_task_count, closed_at FROM problems WHERE id = $1`,
          [problemId],
        );
      expect({
        taskCount: row.task_count,
        openTaskCount: row.open_task_count,
        closedAt: row.closed_at,
      }).toEqual(expected);
      closedOnce ||= row.closed_at !== null;
    }
    // The walk did close the problem (and ends closed), so the comparison is not vacuous.
    expect(closedOnce).toBe(true);
    expect(expected.closedAt).not.toBeNull();
  });

  it("counts an org's 通报 steps of a year (负面清单) from its own measures only", async () => {
    const negativeList = new NegativeListRepository();
    const countyTask = randomUUID();
    await db.query(
      `INSERT INTO tasks (id, problem_id, measure, raising_org_id, raising_org_path,
                          responsible_org_id, responsible_org_path, responsible_user_id, mode,
                          due_at, state, created_at, updated_at)
       VALUES ($1, $2, '县委自身整改', $3, $4::ltree, $3, $4::ltree, $5, 'deadline', $6, 'in_progress', $6, $6)`,
      [countyTask, problemId, county.id, county.path, userIds[0], now],
    );
    const effect = (task: string, key: string, level: number, firedAt: Date, superseded = false) =>
      db.query(
        `INSERT INTO task_effects (task_id, effect_key, kind, level, deadline, planned_at, fired_at, superseded)
         VALUES ($1, $2, 'step', $3, $4, $4, $4, $5)`,
        [task, key, level, firedAt, superseded],
      );
    const yearAgo = new Date(now.getTime() - 365 * 24 * 3600 * 1000);
    await effect(taskId, 'circulate:a', 3, now);
    await effect(taskId, 'circulate:b', 3, new Date(now.getTime() - 30 * 24 * 3600 * 1000));
    await effect(taskId, 'circulate:superseded', 3, now, true);
    await effect(taskId, 'supervise:a', 2, now);
    await effect(taskId, 'circulate:old', 3, new Date(yearAgo.getTime() - 1000));
    await effect(countyTask, 'circulate:county', 3, now);
    expect(await negativeList.circulatedSince(db.manager, branch.id, 3, yearAgo)).toBe(2);
    expect(await negativeList.circulatedSince(db.manager, county.id, 3, yearAgo)).toBe(1);
    expect(await negativeList.circulatedSince(db.manager, branch.id, 2, yearAgo)).toBe(1);
  });
});
