import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { createDataSource, MIGRATIONS } from '#duban/persistence';
import { TasksRepository } from '#duban/rectification';
import { createTestDatabase, insertCountyAndBranch } from '../support/test-database';

/**
 * Migration 1764780000000 moves the timers out of `tasks` and keys its indexes on columns that
 * the hot transitions leave alone, so that those transitions are HOT updates. Tested on rows
 * written by the previous schema (the migration's `down`), then on the repository's own writes.
 */
describe('migration 1764780000000: HOT updates on tasks, timers in task_timers', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let db: DataSource;
  const tasks = new TasksRepository();
  const now = new Date('2026-11-20T02:00:00.000Z');
  const later = new Date('2026-11-27T02:00:00.000Z');
  const leased = new Date('2026-11-20T02:02:00.000Z');
  let county: { id: string; path: string };
  let branch: { id: string; path: string };
  const userId = randomUUID();
  const problemId = randomUUID();
  /** Written by the previous schema: state, next_fire_at, claimed_until. */
  const old = {
    claimed: { id: randomUUID(), state: 'in_progress', next: now, claimed: leased },
    planned: { id: randomUUID(), state: 'assigned', next: later, claimed: null },
    submitted: { id: randomUUID(), state: 'submitted', next: null, claimed: null },
    verified: { id: randomUUID(), state: 'verified', next: null, claimed: null },
    closed: { id: randomUUID(), state: 'closed', next: null, claimed: null },
  };

  const migration = () => {
    const Migration = MIGRATIONS.find((m) => m.name === 'HotTaskUpdates1764780000000');
    if (!Migration) throw new Error('migration 1764780000000 is not registered');
    return new Migration();
  };
  const run = async (step: 'up' | 'down') => {
    const q = db.createQueryRunner();
    try {
      await migration()[step](q);
    } finally {
      await q.release();
    }
  };
  const columns = async (table: string) =>
    (
      (await db.query(
        `SELECT column_name FROM information_schema.columns WHERE table_name = $1 ORDER BY 1`,
        [table],
      )) as { column_name: string }[]
    ).map((r) => r.column_name);
  /** Updates and HOT updates of `tasks` by this transaction so far. */
  const updatesOf = async (m: EntityManager) =>
    (
      await m.query(
        `SELECT pg_stat_get_xact_tuples_updated('tasks'::regclass)::int AS updated,
                pg_stat_get_xact_tuples_hot_updated('tasks'::regclass)::int AS hot`,
      )
    )[0] as { updated: number; hot: number };

  beforeAll(async () => {
    database = await createTestDatabase();
    // As the owner (the migrations' role).
    db = await createDataSource(database.url, 2).initialize();
    ({ county, branch } = await insertCountyAndBranch(db, now));
    await db.query(
      `INSERT INTO users (id, username, display_name, password_hash, created_at)
       VALUES ($1, $2, '张三', 'x', $3)`,
      [userId, `hot-${userId.slice(0, 8)}`, now],
    );
    await db.query(
      `INSERT INTO problems (id, title, description, category, severity, source, org_id, org_path,
          raised_by_org_id, raised_by, recurrence_of, task_count, open_task_count, created_at)
       VALUES ($1, '三会一课不规范', '支委会未按月召开', 'organisational_life', 'general', 'inspection_tour',
               $2, $3::ltree, $4, $5, '{}', 5, 4, $6)`,
      [problemId, branch.id, branch.path, county.id, userId, now],
    );
    await run('down');
    for (const t of Object.values(old))
      await db.query(
        `INSERT INTO tasks (id, problem_id, measure, raising_org_id, raising_org_path,
            responsible_org_id, responsible_org_path, responsible_user_id, mode, due_at, state,
            created_at, updated_at, closed_at, next_fire_at, claimed_until)
         VALUES ($1, $2, '补开支委会', $3, $4::ltree, $5, $6::ltree, $7, 'deadline', $8, $9, $8, $8,
                 CASE WHEN $9 = 'closed' THEN $8::timestamptz END, $10, $11)`,
        [
          t.id,
          problemId,
          county.id,
          county.path,
          branch.id,
          branch.path,
          userId,
          now,
          t.state,
          t.next,
          t.claimed,
        ],
      );
    await run('up');
  });
  afterAll(async () => {
    await db?.destroy();
    await database?.drop();
  });

  it('moves every pending timer with its claim, and nothing else', async () => {
    expect(await columns('tasks')).not.toContain('next_fire_at');
    expect(await columns('tasks')).not.toContain('claimed_until');
    const timers: { task_id: string; next_fire_at: Date; claimed_until: Date | null }[] =
      await db.query(
        `SELECT task_id, next_fire_at, claimed_until FROM task_timers ORDER BY next_fire_at`,
      );
    expect(timers).toEqual([
      { task_id: old.claimed.id, next_fire_at: now, claimed_until: leased },
      { task_id: old.planned.id, next_fire_at: later, claimed_until: null },
    ]);
  });

  it('derives stage from state: 0 while in work, 1 verified, 2 closed', async () => {
    const rows: { id: string; stage: number }[] = await db.query(
      `SELECT id, stage FROM tasks WHERE problem_id = $1`,
      [problemId],
    );
    const stage = new Map(rows.map((r) => [r.id, r.stage]));
    expect(Object.values(old).map((t) => stage.get(t.id))).toEqual([0, 0, 0, 1, 2]);
  });

  it('keys no index of tasks on state, and leaves room on each page', async () => {
    const indexes: { indexdef: string }[] = await db.query(
      `SELECT indexdef FROM pg_indexes WHERE tablename = 'tasks'`,
    );
    expect(indexes.length).toBeGreaterThan(5);
    expect(indexes.filter((i) => /\bstate\b|next_fire_at/.test(i.indexdef))).toEqual([]);
    const [{ reloptions }] = await db.query(
      `SELECT reloptions FROM pg_class WHERE oid = 'tasks'::regclass`,
    );
    expect(reloptions).toEqual(['fillfactor=85']);
  });

  it('makes the hot transitions and a ladder step HOT updates; verify is not one', async () => {
    const { planned, claimed } = old;
    await db.transaction(async (m) => {
      const base = {
        version: 2,
        dueAt: now,
        lastSubmittedBy: null,
        lastVerifiedBy: null,
        pendingExtensionId: null,
        closedAt: null,
        updatedAt: later,
      };
      // Accept with a new timer, a progress report, a submit that ends the timer.
      await tasks.saveTransition(m, planned.id, {
        ...base,
        state: 'in_progress',
        actedBy: [userId],
        timer: { nextFireAt: leased },
      });
      await tasks.saveTransition(m, planned.id, {
        ...base,
        state: 'in_progress',
        version: 3,
        lastProgressAt: later,
      });
      await tasks.saveTransition(m, planned.id, {
        ...base,
        state: 'submitted',
        version: 4,
        lastSubmittedBy: userId,
        timer: { nextFireAt: null },
      });
      // A step of the ladder on a claimed timer: the marks move, the next timer is planned.
      await tasks.applyLadderPass(m, [
        {
          id: claimed.id,
          marks: { level: 2, supervised: true, circulated: false },
          nextFireAt: later,
        },
      ]);
      // The same marks again (a reminder): the task's row is not written at all.
      await tasks.applyLadderPass(m, [
        {
          id: claimed.id,
          marks: { level: 2, supervised: true, circulated: false },
          nextFireAt: null,
        },
      ]);
      expect(await updatesOf(m)).toEqual({ updated: 4, hot: 4 });
      await tasks.saveTransition(m, planned.id, {
        ...base,
        state: 'verified',
        version: 5,
        lastSubmittedBy: userId,
        lastVerifiedBy: userId,
      });
      expect(await updatesOf(m)).toEqual({ updated: 5, hot: 4 });
    });
    const rows: { id: string; escalation_level: number; supervised: boolean; stage: number }[] =
      await db.query(
        `SELECT id, escalation_level, supervised, stage FROM tasks WHERE id = ANY($1) ORDER BY id`,
        [[planned.id, claimed.id]],
      );
    expect(new Map(rows.map((r) => [r.id, r]))).toEqual(
      new Map([
        [planned.id, { id: planned.id, escalation_level: 0, supervised: false, stage: 1 }],
        [claimed.id, { id: claimed.id, escalation_level: 2, supervised: true, stage: 0 }],
      ]),
    );
    // Both timers ended: the submit's and the last ladder pass's.
    expect(await db.query(`SELECT task_id FROM task_timers`)).toEqual([]);
  });

  it('claims a due timer once, and a new plan releases the claim', async () => {
    const id = old.submitted.id;
    await db.transaction((m) =>
      tasks.saveTransition(m, id, {
        state: 'submitted',
        version: 2,
        dueAt: now,
        lastSubmittedBy: userId,
        lastVerifiedBy: null,
        pendingExtensionId: null,
        closedAt: null,
        updatedAt: now,
        timer: { nextFireAt: now },
      }),
    );
    const first = await db.transaction((m) => tasks.claimDueTimers(m, now, 10, 60_000));
    expect(first).toEqual([{ id, nextFireAt: now }]);
    expect(await db.transaction((m) => tasks.claimDueTimers(m, now, 10, 60_000))).toEqual([]);
    await db.transaction((m) =>
      tasks.applyLadderPass(m, [
        { id, marks: { level: 0, supervised: false, circulated: false }, nextFireAt: now },
      ]),
    );
    expect(await db.transaction((m) => tasks.claimDueTimers(m, now, 10, 60_000))).toEqual([
      { id, nextFireAt: now },
    ]);
  });

  it('goes back down with the timers on the rows', async () => {
    await run('down');
    try {
      const rows: { id: string; next_fire_at: Date | null; claimed_until: Date | null }[] =
        await db.query(
          `SELECT id, next_fire_at, claimed_until FROM tasks WHERE next_fire_at IS NOT NULL`,
        );
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ id: old.submitted.id, next_fire_at: now });
      expect(rows[0].claimed_until).not.toBeNull();
      expect(await columns('tasks')).not.toContain('stage');
    } finally {
      await run('up');
    }
  });
});
