import { DataSource } from 'typeorm';
import { verifyAuditChain } from '#duban/audit';
import { loadDemo, type DemoReport } from '#duban/demo';
import { createDataSource } from '#duban/persistence';
import { lightSql } from '#duban/rectification';
import { createTestDatabase } from '../support/test-database';
import { testConfig } from '../support/test-app';

/** Every table the demo writes to; a second run must leave each count as it was. */
const TABLES = [
  'orgs',
  'users',
  'role_assignments',
  'problems',
  'tasks',
  'extensions',
  'task_effects',
  'accountability_cases',
  'audit_events',
  'notifications',
  'quarter_runs',
];

describe('npm run demo: the demo county', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let db: DataSource;
  let report: DemoReport;

  const counts = async () => {
    const out: Record<string, number> = {};
    for (const table of TABLES) {
      const rows: { n: number }[] = await db.query(`SELECT count(*)::int AS n FROM ${table}`);
      out[table] = rows[0].n;
    }
    return out;
  };

  beforeAll(async () => {
    database = await createTestDatabase();
    report = await loadDemo(testConfig(database.url), { logger: false });
    db = await createDataSource(database.url, 2).initialize();
  });

  afterAll(async () => {
    if (db?.isInitialized) await db.destroy();
    await database?.drop();
  });

  it('creates the county with people in every role and prints their logins', async () => {
    expect(report.created).toBe(true);
    expect(report.password).toBeTruthy();
    const roles = new Set(report.logins.map((l) => l.role));
    for (const role of ['secretary', 'deputy', 'supervisor', 'member', 'discipline', 'admin']) {
      expect(roles).toContain(role);
    }
    const kinds: { kind: string; n: number }[] = await db.query(
      `SELECT kind, count(*)::int AS n FROM orgs GROUP BY kind`,
    );
    const byKind = Object.fromEntries(kinds.map((k) => [k.kind, k.n]));
    expect(byKind).toMatchObject({ committee: 1, general_branch: 3, branch: 6, group: 2 });
  });

  it('covers every category of problem, with a recurring one (屡改屡犯)', async () => {
    const rows: { category: string; recurring: boolean }[] = await db.query(
      `SELECT category, cardinality(recurrence_of) > 0 AS recurring FROM problems`,
    );
    expect(new Set(rows.map((r) => r.category)).size).toBe(10);
    expect(rows.some((r) => r.recurring)).toBe(true);
  });

  it('has tasks in all five states', async () => {
    const rows: { state: string }[] = await db.query(`SELECT DISTINCT state FROM tasks`);
    expect(rows.map((r) => r.state).sort()).toEqual(
      ['assigned', 'closed', 'in_progress', 'submitted', 'verified'].sort(),
    );
  });

  it('shows every light at the end of the story: red, yellow, blue and green', async () => {
    const rows: { light: string }[] = await db.query(
      `SELECT DISTINCT ${lightSql('$1::timestamptz')} AS light FROM tasks t`,
      [report.storyEnd],
    );
    expect(rows.map((r) => r.light).sort()).toEqual(['blue', 'green', 'red', 'yellow']);
  });

  it('has climbed every rung of the ladder, 0 to 4', async () => {
    const rows: { level: number }[] = await db.query(
      `SELECT DISTINCT escalation_level AS level FROM tasks ORDER BY 1`,
    );
    expect(rows.map((r) => r.level)).toEqual([0, 1, 2, 3, 4]);
  });

  it('has an open accountability case and one exempted (容错免责) with a reason', async () => {
    const rows: { state: string; outcome: string | null; reason: string | null }[] = await db.query(
      `SELECT state, outcome, reason FROM accountability_cases`,
    );
    expect(rows.some((r) => r.state === 'open')).toBe(true);
    const exempted = rows.find((r) => r.state === 'decided' && r.outcome === 'exempted');
    expect(exempted?.reason).toContain('三个区分开来');
  });

  it('went through the lifecycle: a failed verification, a reopening, extensions both ways', async () => {
    const types: { type: string }[] = await db.query(
      `SELECT DISTINCT type FROM audit_events WHERE stream_type = 'task'`,
    );
    expect(types.map((t) => t.type)).toEqual(
      expect.arrayContaining([
        'assigned',
        'accepted',
        'progress_reported',
        'submitted',
        'verification_failed',
        'verification_passed',
        'closed',
        'reopened',
        'extension_requested',
        'extension_approved',
        'extension_rejected',
        'check_recorded',
        'reminded',
        'escalated',
      ]),
    );
  });

  it('leaves an audit record whose hash chain holds', async () => {
    const chain = await verifyAuditChain(db);
    expect(chain.events).toBeGreaterThan(100);
    expect(chain.firstBreak).toBeNull();
  });

  it('does nothing the second time', async () => {
    const before = await counts();
    const again = await loadDemo(testConfig(database.url), { logger: false });
    expect(again.created).toBe(false);
    expect(again.logins.length).toBe(report.logins.length);
    expect(await counts()).toEqual(before);
  });
});
