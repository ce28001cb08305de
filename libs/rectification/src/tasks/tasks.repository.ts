import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import {
  type Actor,
  type ExtensionWrite,
  offsetOf,
  type OrgRef,
  type PageRequest,
  type TaskMode,
  type TaskRowChange,
} from '#duban/domain';
import {
  type ChunkCursor,
  openCursor,
  pathToIds,
  preparedQuery,
  returning,
  scopeCondition,
  scopeParams,
} from '#duban/persistence';
import {
  type ExtensionRow,
  TASK_COLUMNS,
  TASK_FROM,
  taskConditions,
  type TaskFilter,
  type TaskRow,
} from './task-record';

/** A task row locked for a transition, with its responsible org's time zone. */
export type LockedTask = TaskRow & { time_zone: string };

/** An org as assigning and reassigning a measure need it. */
export interface TaskOrgRecord {
  id: string;
  path: string;
  name: string;
  time_zone: string;
  /** false once the org is deactivated (已停用): it gets no new problems or measures. */
  active: boolean;
}

/** A new measure's row (交办), in state `assigned` at version 1. */
export interface NewTaskRecord {
  id: string;
  problemId: string;
  measure: string;
  raisingOrg: { id: string; path: string };
  responsibleOrg: { id: string; path: string };
  responsibleUserId: string;
  leaderUserId: string | null;
  mode: TaskMode;
  dueAt: Date | null;
  blueFrom: Date | null;
  at: Date;
}

/** A task row locked for reassignment (改派). */
export interface ReassignTaskRecord {
  id: string;
  problemId: string;
  measure: string;
  state: string;
  version: number;
  withdrawn: boolean;
  raisingOrg: OrgRef;
  problemOrg: OrgRef;
  responsibleOrgId: string;
  responsibleOrgPath: string;
  responsibleOrgName: string;
  responsibleUserId: string;
  leaderUserId: string | null;
  dueAt: Date | null;
}
import {
  type ClaimedTimer,
  type LadderTask,
  type LadderTaskRow,
  type LadderTaskUpdate,
  type PersonTasks,
  type PersonTasksRow,
  toLadderTask,
  toPersonTasks,
} from './task-engine-rows';

/** A measure the ladder keeps a timer for: open, with a deadline, not withdrawn. */
const LADDER_TIMED = `state IN ('assigned', 'in_progress') AND due_at IS NOT NULL AND withdrawn_at IS NULL`;

/** The tail of an insert into `task_timers`: a timer already there is moved, its claim released. */
const PLAN_TIMER =
  'ON CONFLICT (task_id) DO UPDATE SET next_fire_at = EXCLUDED.next_fire_at, claimed_until = NULL';

/**
 * The only writer of `tasks`, `task_timers` and `extensions`: every statement that reads or changes a
 * measure's row lives here, next to its row mapping. Services pass their transaction's
 * EntityManager explicitly.
 */
@Injectable()
export class TasksRepository {
  // ── lifecycle: create, transitions, extensions, reassignment (TasksService, administration) ──

  /** A task the actor can see (its responsible org is in one of their subtrees). */
  async findInScope(m: EntityManager, actor: Actor, id: string): Promise<TaskRow | null> {
    const rows = await preparedQuery<TaskRow>(
      m,
      `SELECT ${TASK_COLUMNS} FROM ${TASK_FROM}
        WHERE t.id = $1 AND ${scopeCondition('t.responsible_org_path', '$2', '$3')}`,
      [id, ...scopeParams(actor)],
    );
    return rows[0] ?? null;
  }

  /** One page of the tasks matching a filter in the actor's scope, and how many match. */
  async list(
    m: EntityManager,
    actor: Actor,
    filter: TaskFilter,
    page: PageRequest,
    now: Date,
  ): Promise<{ rows: TaskRow[]; total: number }> {
    const { where: whereSql, params } = taskConditions(actor, filter, now);
    // The page and the total need the problem only when a filter reads it; the other joins
    // are made for the page's rows alone, after the sort and the limit (not for every match).
    const matching = `tasks t ${/\bp\./.test(whereSql) ? 'JOIN problems p ON p.id = t.problem_id' : ''}
      WHERE ${whereSql}`;
    const order = 't.due_at ASC NULLS LAST, t.created_at, t.id';
    // One scan of the matches serves the total and the page: they are collected through the
    // subtree index (a county's red list: ~2,000 of 10^6), counted and sorted. Left to itself,
    // PostgreSQL walks the whole deadline index hoping to meet 50 of them early.
    const rows: (TaskRow & { total: number })[] = await m.query(
      `WITH m AS MATERIALIZED (SELECT t.id, t.due_at, t.created_at FROM ${matching})
       SELECT ${TASK_COLUMNS}, (SELECT count(*) FROM m)::int AS total FROM ${TASK_FROM}
        WHERE t.id IN (SELECT t.id FROM m t ORDER BY ${order}
                        LIMIT ${page.pageSize} OFFSET ${offsetOf(page)})
        ORDER BY ${order}`,
      params,
    );
    // No rows carry the total when nothing matches (the first page is empty: 0) or when the
    // page lies past the end (counted again; rare).
    const total =
      rows[0]?.total ??
      (offsetOf(page) === 0
        ? 0
        : (
            (await m.query(`SELECT count(*)::int AS n FROM ${matching}`, params)) as {
              n: number;
            }[]
          )[0].n);
    return { rows, total };
  }

  /**
   * Locks a task in the actor's scope for a transition (FOR UPDATE of the task row: two racing
   * commands take turns), with the joined columns the rules and the view need.
   */
  async lockForTransition(m: EntityManager, actor: Actor, id: string): Promise<LockedTask | null> {
    const rows = await preparedQuery<LockedTask>(
      m,
      `SELECT ${TASK_COLUMNS}, ro.time_zone FROM ${TASK_FROM}
        WHERE t.id = $1 AND ${scopeCondition('t.responsible_org_path', '$2', '$3')}
        FOR UPDATE OF t`,
      [id, ...scopeParams(actor)],
    );
    if (rows.length === 0) return null;
    // Waiting for the lock, PostgreSQL re-reads only the locked task row, not the joined ones:
    // a pending extension inserted by the transaction we waited for is then invisible (x.* NULL
    // with pending_extension_id set). Now that we hold the lock, a fresh read sees it.
    if (rows[0].pending_extension_id !== null && rows[0].ext_requested_by === null) {
      const fresh = await preparedQuery<LockedTask>(
        m,
        `SELECT ${TASK_COLUMNS}, ro.time_zone FROM ${TASK_FROM} WHERE t.id = $1`,
        [id],
      );
      return fresh[0];
    }
    return rows[0];
  }

  /** A new measure (交办); a deadline starts the ladder: the engine plans it on its next sweep. */
  async insert(m: EntityManager, t: NewTaskRecord): Promise<void> {
    await m.query(
      `WITH task AS (
         INSERT INTO tasks (id, problem_id, measure, raising_org_id, raising_org_path, responsible_org_id,
             responsible_org_path, responsible_user_id, leader_user_id, mode, due_at, state, version,
             blue_from, created_at, updated_at, deadline_set_at)
         VALUES ($1, $2, $3, $4, $5::ltree, $6, $7::ltree, $8, $9, $10, $11, 'assigned', 1, $12, $13, $13, $14)
         RETURNING id)
       INSERT INTO task_timers (task_id, next_fire_at) SELECT id, $14 FROM task WHERE $14 IS NOT NULL`,
      [
        t.id,
        t.problemId,
        t.measure,
        t.raisingOrg.id,
        t.raisingOrg.path,
        t.responsibleOrg.id,
        t.responsibleOrg.path,
        t.responsibleUserId,
        t.leaderUserId,
        t.mode,
        t.dueAt,
        t.blueFrom,
        t.at,
        t.dueAt ? t.at : null,
      ],
    );
  }

  /**
   * Writes what a transition changed (transitionWrites in libs/domain) in one statement, and
   * returns the task's own columns as they now are. `relapse`: 回头看 found the problem back.
   */
  async saveTransition(
    m: EntityManager,
    id: string,
    c: TaskRowChange,
    marks: { relapse?: boolean } = {},
  ): Promise<TaskRow> {
    const params: unknown[] = [
      id,
      c.state,
      c.version,
      c.dueAt,
      c.lastSubmittedBy,
      c.lastVerifiedBy,
      c.pendingExtensionId,
      c.closedAt,
      c.updatedAt,
    ];
    const extra: string[] = [];
    const set = (column: string, value: unknown) => {
      params.push(value);
      extra.push(`${column} = $${params.length}`);
    };
    if (c.lastProgressAt !== undefined) set('last_progress_at', c.lastProgressAt);
    if (c.quarterlyReportLate !== undefined) set('quarterly_report_late', c.quarterlyReportLate);
    if (c.lastCheckResult !== undefined) set('last_check_result', c.lastCheckResult);
    if (c.lastCheckAt !== undefined) set('last_check_at', c.lastCheckAt);
    if (c.actedBy !== undefined) set('acted_by', [...c.actedBy]);
    if (c.ladderRestart) {
      set('blue_from', c.ladderRestart.blueFrom);
      set('deadline_set_at', c.ladderRestart.deadlineSetAt);
      set('escalation_level', c.ladderRestart.escalationLevel);
      set('supervised', c.ladderRestart.supervised);
    }
    if (marks.relapse) extra.push('relapse = true');
    // The timer, in the same statement: planned (its claim released) or gone.
    let timer = '';
    if (c.timer) {
      params.push(c.timer.nextFireAt);
      const at = `$${params.length}::timestamptz`;
      timer = `WITH timer_done AS (DELETE FROM task_timers WHERE task_id = $1 AND ${at} IS NULL),
        timer_set AS (INSERT INTO task_timers (task_id, next_fire_at) SELECT $1, ${at} WHERE ${at} IS NOT NULL
          ${PLAN_TIMER}) `;
    }
    // Prepared: the few shapes this statement takes are each planned once per connection.
    const [updated] = await preparedQuery<TaskRow>(
      m,
      `${timer}UPDATE tasks SET state = $2, version = $3, due_at = $4, last_submitted_by = $5,
              last_verified_by = $6, pending_extension_id = $7, closed_at = $8, updated_at = $9
              ${extra.length ? `, ${extra.join(', ')}` : ''}
        WHERE id = $1 RETURNING *`,
      params,
    );
    return updated;
  }

  /** The extension records (延期) a transition asked for: a new request, or its decision. */
  async writeExtensions(m: EntityManager, writes: readonly ExtensionWrite[]): Promise<void> {
    for (const w of writes) {
      if (w.kind === 'request') {
        await m.query(
          `INSERT INTO extensions (id, task_id, requested_by, requested_at, current_due_at,
              requested_due_at, reason, progress, state)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'pending')`,
          [
            w.id,
            w.taskId,
            w.requestedBy,
            w.requestedAt,
            w.currentDueAt,
            w.requestedDueAt,
            w.reason,
            w.progress,
          ],
        );
      } else {
        await m.query(
          `UPDATE extensions SET state = $2, decided_by = $3, decided_at = $4, comment = $5 WHERE id = $1`,
          [w.id, w.state, w.decidedBy, w.decidedAt, w.comment],
        );
      }
    }
  }

  /** The content of the task's latest progress report (the record keeps it), if any. */
  async latestProgress(m: EntityManager, taskId: string): Promise<string | null> {
    const rows: { content: string }[] = await m.query(
      `SELECT data->>'content' AS content FROM audit_events
        WHERE stream_id = $1 AND type = 'progress_reported' ORDER BY seq DESC LIMIT 1`,
      [taskId],
    );
    return rows[0]?.content ?? null;
  }

  /** The task an extension belongs to, if the actor can see it. */
  async taskOfExtension(
    m: EntityManager,
    actor: Actor,
    extensionId: string,
  ): Promise<string | null> {
    const rows: { task_id: string }[] = await m.query(
      `SELECT x.task_id FROM extensions x JOIN tasks t ON t.id = x.task_id
        WHERE x.id = $1 AND ${scopeCondition('t.responsible_org_path', '$2', '$3')}`,
      [extensionId, ...scopeParams(actor)],
    );
    return rows[0]?.task_id ?? null;
  }

  /** An extension by id; the caller has checked its task is in scope. */
  async extension(m: EntityManager, extensionId: string): Promise<ExtensionRow> {
    const rows: ExtensionRow[] = await m.query(`SELECT * FROM extensions WHERE id = $1`, [
      extensionId,
    ]);
    return rows[0];
  }

  /** A task's extensions, oldest first; the caller has checked the task is in scope. */
  async extensionsOf(m: EntityManager, taskId: string): Promise<ExtensionRow[]> {
    return m.query(`SELECT * FROM extensions WHERE task_id = $1 ORDER BY requested_at, id`, [
      taskId,
    ]);
  }

  /** Whether a committee at or above the raising org requires evidence for the category. */
  async evidenceRequired(
    m: EntityManager,
    category: string,
    raisingOrgPath: string,
  ): Promise<boolean> {
    const rows: unknown[] = await m.query(
      `SELECT 1 FROM evidence_requirements er JOIN orgs o ON o.id = er.org_id
        WHERE er.category = $1 AND $2::ltree <@ o.path LIMIT 1`,
      [category, raisingOrgPath],
    );
    return rows.length > 0;
  }

  /**
   * Stamps the measures of a withdrawn problem (撤回) that are not closed, clearing their timers
   * (the engine never claims them again) and moving their version on. Returns those measures
   * with their state.
   */
  async withdrawOpenOfProblem(
    m: EntityManager,
    problemId: string,
    at: Date,
  ): Promise<{ id: string; state: string }[]> {
    return returning<{ id: string; state: string }>(
      m,
      `WITH withdrawn AS (
         UPDATE tasks SET withdrawn_at = $2, version = version + 1, updated_at = $2
          WHERE problem_id = $1 AND state <> 'closed' AND withdrawn_at IS NULL
          RETURNING id, state),
       timers AS (DELETE FROM task_timers WHERE task_id IN (SELECT id FROM withdrawn))
       SELECT id, state FROM withdrawn`,
      [problemId, at],
    );
  }

  /** A task within the actor's scope, locked for reassignment (改派); null otherwise. */
  async lockForReassign(
    m: EntityManager,
    actor: Actor,
    id: string,
  ): Promise<ReassignTaskRecord | null> {
    const rows: {
      id: string;
      problem_id: string;
      measure: string;
      state: string;
      version: number;
      withdrawn_at: Date | null;
      raising_org_id: string;
      raising_org_path: string;
      problem_org_id: string;
      problem_org_path: string;
      responsible_org_id: string;
      responsible_org_path: string;
      responsible_org_name: string;
      responsible_user_id: string;
      leader_user_id: string | null;
      due_at: Date | null;
    }[] = await m.query(
      `SELECT t.id, t.problem_id, t.measure, t.state, t.version, t.withdrawn_at, t.raising_org_id,
              t.raising_org_path::text AS raising_org_path, p.org_id AS problem_org_id,
              p.org_path::text AS problem_org_path, t.responsible_org_id,
              t.responsible_org_path::text AS responsible_org_path, ro.name AS responsible_org_name,
              t.responsible_user_id, t.leader_user_id, t.due_at
         FROM tasks t JOIN problems p ON p.id = t.problem_id JOIN orgs ro ON ro.id = t.responsible_org_id
        WHERE t.id = $1 AND ${scopeCondition('t.responsible_org_path', '$2', '$3')}
        FOR UPDATE OF t`,
      [id, ...scopeParams(actor)],
    );
    const r = rows[0];
    if (!r) return null;
    return {
      id: r.id,
      problemId: r.problem_id,
      measure: r.measure,
      state: r.state,
      version: r.version,
      withdrawn: r.withdrawn_at !== null,
      raisingOrg: { id: r.raising_org_id, path: pathToIds(r.raising_org_path) },
      problemOrg: { id: r.problem_org_id, path: pathToIds(r.problem_org_path) },
      responsibleOrgId: r.responsible_org_id,
      responsibleOrgPath: r.responsible_org_path,
      responsibleOrgName: r.responsible_org_name,
      responsibleUserId: r.responsible_user_id,
      leaderUserId: r.leader_user_id,
      dueAt: r.due_at,
    };
  }

  async reassign(
    m: EntityManager,
    id: string,
    to: {
      responsibleOrgId: string;
      responsibleOrgPath: string;
      responsibleUserId: string;
      leaderUserId: string | null;
      at: Date;
      /**
       * A new responsible org: the blue window on its calendar, and the ladder re-planned from
       * now (as after a policy change) when it runs.
       */
      newOrg?: { blueFrom: Date | null };
    },
  ): Promise<void> {
    await m.query(
      `UPDATE tasks SET responsible_org_id = $2, responsible_org_path = $3::ltree,
              responsible_user_id = $4, leader_user_id = $5, version = version + 1, updated_at = $6,
              blue_from = CASE WHEN $7 THEN $8::timestamptz ELSE blue_from END
        WHERE id = $1`,
      [
        id,
        to.responsibleOrgId,
        to.responsibleOrgPath,
        to.responsibleUserId,
        to.leaderUserId,
        to.at,
        to.newOrg !== undefined,
        to.newOrg?.blueFrom ?? null,
      ],
    );
    if (to.newOrg === undefined) return;
    // A claim on the timer is released; an open measure with a deadline is planned from now.
    await m.query(`UPDATE task_timers SET claimed_until = NULL WHERE task_id = $1`, [id]);
    await m.query(
      `INSERT INTO task_timers (task_id, next_fire_at)
       SELECT id, $2 FROM tasks
        WHERE id = $1 AND ${LADDER_TIMED}
       ${PLAN_TIMER}`,
      [id, to.at],
    );
  }

  // The orgs and people a measure names, read to check an assignment or a reassignment.

  async orgInScope(m: EntityManager, actor: Actor, orgId: string): Promise<TaskOrgRecord | null> {
    const rows: TaskOrgRecord[] = await m.query(
      `SELECT o.id, o.path::text AS path, o.name, o.time_zone, o.active FROM orgs o
        WHERE o.id = $1 AND ${scopeCondition('o.path', '$2', '$3')}`,
      [orgId, ...scopeParams(actor)],
    );
    return rows[0] ?? null;
  }

  async userIsActive(m: EntityManager, userId: string): Promise<boolean> {
    const rows: unknown[] = await m.query(`SELECT 1 FROM users WHERE id = $1 AND active`, [userId]);
    return rows.length > 0;
  }

  async holdsLiveRole(m: EntityManager, userId: string, orgId: string): Promise<boolean> {
    const rows: unknown[] = await m.query(
      `SELECT 1 FROM role_assignments WHERE user_id = $1 AND org_id = $2 AND revoked_at IS NULL LIMIT 1`,
      [userId, orgId],
    );
    return rows.length > 0;
  }

  /** The orgs where a user holds a live role (for the leader-in-charge rule). */
  async orgsWithLiveRole(m: EntityManager, userId: string): Promise<OrgRef[]> {
    const rows: { id: string; path: string }[] = await m.query(
      `SELECT o.id, o.path::text AS path FROM role_assignments ra JOIN orgs o ON o.id = ra.org_id
        WHERE ra.user_id = $1 AND ra.revoked_at IS NULL`,
      [userId],
    );
    return rows.map((r) => ({ id: r.id, path: pathToIds(r.path) }));
  }

  /** Display names of the people who acted on a task (its timeline's actors). */
  async displayNames(m: EntityManager, userIds: readonly string[]): Promise<Map<string, string>> {
    const rows: { id: string; display_name: string }[] = await m.query(
      'SELECT id, display_name FROM users WHERE id = ANY($1::uuid[])',
      [[...userIds]],
    );
    return new Map(rows.map((r) => [r.id, r.display_name]));
  }

  // ── engine: ladder levels, timers, policy changes, quarterly notices, calendar changes ──
  // (row mapping in task-engine-rows.ts)

  /** Late for the quarter ($1 the zone, $2 its start): open, created before it, no progress since. */
  private static readonly QUARTER_LATE = `ro.id = t.responsible_org_id AND ro.time_zone = $1
    AND t.state IN ('assigned', 'in_progress') AND t.withdrawn_at IS NULL AND t.created_at < $2
    AND (t.last_progress_at IS NULL OR t.last_progress_at < $2)`;

  /**
   * Locks a batch of tasks for one ladder pass, in id order (two batches that share tasks
   * cannot deadlock), with their responsible org and problem. One statement for the batch.
   */
  async lockForLadder(m: EntityManager, taskIds: readonly string[]): Promise<LadderTask[]> {
    const rows: LadderTaskRow[] = await m.query(
      `SELECT t.id, t.state, t.measure, t.due_at, t.deadline_set_at, t.escalation_level, t.raising_org_id,
              t.raising_org_path::text AS raising_org_path, t.responsible_org_id,
              t.responsible_org_path::text AS responsible_org_path, ro.name AS responsible_org_name,
              ro.parent_id AS responsible_parent_id, t.responsible_user_id, t.leader_user_id, ro.time_zone,
              p.severity, p.id AS problem_id, p.title AS problem_title
         FROM tasks t JOIN orgs ro ON ro.id = t.responsible_org_id JOIN problems p ON p.id = t.problem_id
        WHERE t.id = ANY($1::uuid[]) ORDER BY t.id FOR UPDATE OF t`,
      [[...new Set(taskIds)]],
    );
    return rows.map(toLadderTask);
  }

  /**
   * Writes one ladder pass on the tasks it locked, set-based: levels only rise, the 督办 and
   * 通报 marks once set stay set, the next timer is replaced and the claim released.
   */
  async applyLadderPass(m: EntityManager, updates: readonly LadderTaskUpdate[]): Promise<void> {
    if (updates.length === 0) return;
    // A task's row is written only when a mark moves (a reminder moves none); the timers go to
    // their own table.
    await m.query(
      `WITH x AS (
         SELECT * FROM unnest($1::uuid[], $2::int[], $3::boolean[], $4::boolean[], $5::timestamptz[])
           AS x(id, level, supervised, circulated, next_fire_at)),
       marked AS (
         UPDATE tasks t SET escalation_level = greatest(t.escalation_level, x.level),
                supervised = t.supervised OR x.supervised,
                circulated = t.circulated OR x.circulated
           FROM x
          WHERE t.id = x.id AND (x.level > t.escalation_level OR (x.supervised AND NOT t.supervised)
                                 OR (x.circulated AND NOT t.circulated))),
       done AS (DELETE FROM task_timers tt USING x WHERE tt.task_id = x.id AND x.next_fire_at IS NULL)
       INSERT INTO task_timers (task_id, next_fire_at)
       SELECT id, next_fire_at FROM x WHERE next_fire_at IS NOT NULL
       ${PLAN_TIMER}`,
      [
        updates.map((u) => u.id),
        updates.map((u) => u.marks.level),
        updates.map((u) => u.marks.supervised),
        updates.map((u) => u.marks.circulated),
        updates.map((u) => u.nextFireAt),
      ],
    );
  }

  /**
   * Claims up to `limit` tasks whose timer is due (next_fire_at <= now) and not claimed, for a
   * lease of `leaseMs`; others claiming at the same time skip the locked rows.
   */
  async claimDueTimers(
    m: EntityManager,
    now: Date,
    limit: number,
    leaseMs: number,
  ): Promise<ClaimedTimer[]> {
    // A withdrawn measure has no timer (withdrawOpenOfProblem deletes it).
    const rows = await returning<{ id: string; next_fire_at: Date }>(
      m,
      `UPDATE task_timers SET claimed_until = $2::timestamptz + make_interval(secs => $3::double precision / 1000)
        WHERE task_id IN (
          SELECT task_id FROM task_timers
           WHERE next_fire_at <= $2 AND (claimed_until IS NULL OR claimed_until < $2)
           ORDER BY next_fire_at
           LIMIT $1
           FOR UPDATE SKIP LOCKED)
        RETURNING task_id AS id, next_fire_at`,
      [limit, now, leaseMs],
    );
    return rows.map((r) => ({ id: r.id, nextFireAt: r.next_fire_at }));
  }

  /**
   * A new escalation policy on an org: the open tasks it and the orgs below it raised are due
   * for planning again at `at` (steps already taken stay taken).
   */
  async replanRaisedUnder(m: EntityManager, orgPath: string, at: Date): Promise<void> {
    await m.query(
      `INSERT INTO task_timers (task_id, next_fire_at)
       SELECT id, $2 FROM tasks
        WHERE raising_org_path <@ $1::ltree AND ${LADDER_TIMED}
       ${PLAN_TIMER}`,
      [orgPath, at],
    );
  }

  /**
   * A calendar change: every timer pending after `now` moves to `replanAt`, where the ladder
   * plans it again on the new calendar; with `orgId`, only those of that org's subtree.
   */
  async replanPendingTimers(
    m: EntityManager,
    now: Date,
    replanAt: Date,
    orgId?: string,
  ): Promise<void> {
    if (orgId === undefined) {
      await m.query(`UPDATE task_timers SET next_fire_at = $2 WHERE next_fire_at > $1`, [
        now,
        replanAt,
      ]);
    } else {
      await m.query(
        `UPDATE task_timers tt SET next_fire_at = $2 FROM tasks t
          WHERE t.id = tt.task_id AND tt.next_fire_at > $1
            AND t.responsible_org_path <@ (SELECT path FROM orgs WHERE id = $3)`,
        [now, replanAt, orgId],
      );
    }
  }

  /**
   * 季度提醒: the open tasks of the orgs in a time zone, grouped by responsible person, through a
   * cursor on the transaction of `m`.
   */
  openQuarterStartCursor(m: EntityManager, timeZone: string): Promise<ChunkCursor<PersonTasks>> {
    return openCursor<PersonTasksRow, PersonTasks>(
      m,
      'quarter_start',
      `SELECT t.responsible_user_id AS user_id,
              json_agg(json_build_object('id', t.id, 'measure', t.measure, 'dueAt', t.due_at)
                       ORDER BY t.due_at NULLS LAST, t.id) AS tasks
         FROM tasks t JOIN orgs ro ON ro.id = t.responsible_org_id
        WHERE ro.time_zone = $1 AND t.state IN ('assigned', 'in_progress') AND t.withdrawn_at IS NULL
        GROUP BY t.responsible_user_id`,
      [timeZone],
      toPersonTasks,
    );
  }

  /**
   * 季度报告逾期: open tasks of the zone created before the quarter began and without progress
   * reported since, set-based. Turns them yellow; returns how many.
   */
  async markQuarterlyReportLate(
    m: EntityManager,
    timeZone: string,
    quarterStart: Date,
    afterId: string | null,
    limit: number,
  ): Promise<{ matched: number; lastId: string | null }> {
    // The next `limit` late tasks after `afterId` in id order (one pass over the primary key
    // across the chunks), turned yellow unless they are already; the update re-checks the
    // condition on the rows it locks, so a report that just came in keeps its task white.
    const [row]: { matched: number; last_id: string | null }[] = await m.query(
      `WITH chunk AS (
         SELECT t.id FROM tasks t JOIN orgs ro ON ${TasksRepository.QUARTER_LATE}
          WHERE ($3::uuid IS NULL OR t.id > $3::uuid) ORDER BY t.id LIMIT $4
       ),
       marked AS ( -- a data-modifying CTE runs whether or not it is read
         UPDATE tasks t SET quarterly_report_late = true FROM orgs ro
          WHERE t.id IN (SELECT id FROM chunk) AND NOT t.quarterly_report_late
            AND ${TasksRepository.QUARTER_LATE}
       )
       SELECT (SELECT count(*) FROM chunk)::int AS matched,
              (SELECT id FROM chunk ORDER BY id DESC LIMIT 1) AS last_id`,
      [timeZone, quarterStart, afterId, limit],
    );
    return { matched: row.matched, lastId: row.last_id };
  }

  /** The owner and the leader of each late task (as markQuarterlyReportLate), with all of theirs. */
  openQuarterLateCursor(
    m: EntityManager,
    timeZone: string,
    quarterStart: Date,
  ): Promise<ChunkCursor<PersonTasks>> {
    return openCursor<PersonTasksRow, PersonTasks>(
      m,
      'quarter_late',
      `SELECT person AS user_id,
              json_agg(json_build_object('id', t.id, 'measure', t.measure, 'dueAt', t.due_at)
                       ORDER BY t.due_at NULLS LAST, t.id) AS tasks
         FROM tasks t JOIN orgs ro ON ${TasksRepository.QUARTER_LATE},
              LATERAL (SELECT DISTINCT p FROM unnest(ARRAY[t.responsible_user_id, t.leader_user_id]) p
                        WHERE p IS NOT NULL) AS people(person)
        GROUP BY person`,
      [timeZone, quarterStart],
      toPersonTasks,
    );
  }
}
