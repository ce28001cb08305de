import type { EntityManager } from 'typeorm';
import type { Light, Role, TaskState } from '#duban/domain';
import { lightSql } from '#duban/rectification';

/** A demo login as the database holds it: one row per live role (or one for an administrator). */
export interface DemoLoginRow {
  username: string;
  displayName: string;
  role: Role | null;
  org: string | null;
}

/** What the county's lists show at an instant, as counted by the database. */
export interface DemoCounts {
  tasks: { state: TaskState; light: Light; level: number }[];
  problems: number;
  recurringProblems: number;
  cases: { state: string; n: number }[];
  auditEvents: number;
}

/**
 * The demo loader's own reads (seed tooling): finding what exists, where the engine must stop
 * next, and the summary printed at the end. It writes nothing: every row of the story is
 * written by the real use cases, through their repositories.
 */
export class DemoRepository {
  /** Whether the database holds any problem at all (DUBAN_DEMO=1 loads only into an empty one). */
  async anyProblem(m: EntityManager): Promise<boolean> {
    const problems: unknown[] = await m.query('SELECT 1 FROM problems LIMIT 1');
    return problems.length > 0;
  }

  /** The root org of this name, if any. */
  async rootOrgNamed(m: EntityManager, name: string): Promise<string | null> {
    const rows: { id: string }[] = await m.query(
      `SELECT id FROM orgs WHERE name = $1 AND parent_id IS NULL LIMIT 1`,
      [name],
    );
    return rows[0]?.id ?? null;
  }

  /** The first active system administrator, if any. */
  async firstSystemAdmin(m: EntityManager): Promise<string | null> {
    const rows: { id: string }[] = await m.query(
      `SELECT id FROM users WHERE system_admin AND active ORDER BY created_at, id LIMIT 1`,
    );
    return rows[0]?.id ?? null;
  }

  /** The oldest open accountability case of a measure, if any. */
  async openCaseOf(m: EntityManager, taskId: string): Promise<string | null> {
    const rows: { id: string }[] = await m.query(
      `SELECT id FROM accountability_cases WHERE task_id = $1 AND state = 'open' ORDER BY opened_at LIMIT 1`,
      [taskId],
    );
    return rows[0]?.id ?? null;
  }

  /** The earliest instant a measure's timer falls due, if any. */
  async nextFireAt(m: EntityManager): Promise<Date | null> {
    const rows: { next: Date | null }[] = await m.query(
      `SELECT min(next_fire_at) AS next FROM task_timers`,
    );
    return rows[0].next;
  }

  /** Measures whose timer is due at `now`, earliest first. */
  async dueTaskIds(m: EntityManager, now: Date): Promise<string[]> {
    const due: { id: string }[] = await m.query(
      `SELECT task_id AS id FROM task_timers WHERE next_fire_at <= $1 ORDER BY next_fire_at, task_id`,
      [now],
    );
    return due.map((r) => r.id);
  }

  /** The demo accounts (demo.*) with their live roles, in the order they were created. */
  async demoLogins(m: EntityManager): Promise<DemoLoginRow[]> {
    const rows: {
      username: string;
      display_name: string;
      role: Role | null;
      org: string | null;
    }[] = await m.query(
      `SELECT u.username, u.display_name, ra.role, o.name AS org
           FROM users u LEFT JOIN role_assignments ra ON ra.user_id = u.id AND ra.revoked_at IS NULL
           LEFT JOIN orgs o ON o.id = ra.org_id
          WHERE u.username LIKE 'demo.%' AND (ra.id IS NOT NULL OR u.system_admin)
          ORDER BY u.created_at, u.username, ra.role`,
    );
    return rows.map((r) => ({
      username: r.username,
      displayName: r.display_name,
      role: r.role,
      org: r.org,
    }));
  }

  /** The county's measures (with their light at `at`), problems and cases; all audit events. */
  async counts(m: EntityManager, countyId: string, at: Date): Promise<DemoCounts> {
    const scope = `(SELECT path FROM orgs WHERE id = $1)`;
    const tasks: { state: TaskState; light: Light; level: number }[] = await m.query(
      `SELECT t.state, ${lightSql('$2::timestamptz')} AS light, t.escalation_level AS level
         FROM tasks t WHERE t.raising_org_path <@ ${scope}`,
      [countyId, at],
    );
    const problems: { n: number; recurring: number }[] = await m.query(
      `SELECT count(*)::int AS n, count(*) FILTER (WHERE cardinality(recurrence_of) > 0)::int AS recurring
         FROM problems WHERE raised_by_org_id IN (SELECT id FROM orgs WHERE path <@ ${scope})`,
      [countyId],
    );
    const cases: { state: string; n: number }[] = await m.query(
      `SELECT state, count(*)::int AS n FROM accountability_cases
        WHERE raising_org_path <@ ${scope} GROUP BY state`,
      [countyId],
    );
    const audit: { n: number }[] = await m.query(`SELECT count(*)::int AS n FROM audit_events`);
    return {
      tasks,
      problems: problems[0].n,
      recurringProblems: problems[0].recurring,
      cases,
      auditEvents: audit[0].n,
    };
  }
}
