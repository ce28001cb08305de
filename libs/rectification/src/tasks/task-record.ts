import {
  Actor,
  availableActions,
  CheckResult,
  lightOf,
  type Light,
  mayApproveForTask,
  maySuperviseTask,
  taskConflict,
  TaskAction,
  TaskMode,
  TaskSnapshot,
  TaskState,
} from '#duban/domain';
import {
  containsPattern,
  pathToIds,
  scopeCondition,
  scopeParams,
  type ScopeOwner,
} from '#duban/persistence';

/** A tasks row as the queries below select it. */
export interface TaskRow {
  id: string;
  problem_id: string;
  problem_title: string;
  category: string;
  severity: string;
  measure: string;
  raising_org_id: string;
  raising_org_path: string;
  responsible_org_id: string;
  responsible_org_path: string;
  responsible_org_name: string;
  responsible_user_id: string;
  responsible_user_name: string | null;
  leader_user_id: string | null;
  leader_user_name: string | null;
  mode: TaskMode;
  due_at: Date | null;
  state: TaskState;
  version: number;
  last_submitted_by: string | null;
  last_verified_by: string | null;
  pending_extension_id: string | null;
  last_check_result: CheckResult | null;
  last_check_at: Date | null;
  last_progress_at: Date | null;
  escalation_level: number;
  blue_from: Date | null;
  quarterly_report_late: boolean;
  created_at: Date;
  updated_at: Date;
  closed_at: Date | null;
  ext_requested_by: string | null;
  ext_requested_at: Date | null;
  ext_requested_due_at: Date | null;
  ext_reason: string | null;
  ext_progress: string | null;
  /** Who acted on the task (accepted, reported, submitted, asked an extension), first act first. */
  acted_by: string[];
  /** 回头看 found the problem back after closure (reopened by a re-inspection). */
  relapse?: boolean;
  /** Set when the task's problem was withdrawn (撤回): the task is history, nothing more to do. */
  withdrawn_at?: Date | null;
}

export const TASK_COLUMNS = `
  t.*, t.raising_org_path::text AS raising_org_path, t.responsible_org_path::text AS responsible_org_path,
  p.title AS problem_title, p.category, p.severity, ro.name AS responsible_org_name,
  x.requested_by AS ext_requested_by, x.requested_at AS ext_requested_at,
  x.requested_due_at AS ext_requested_due_at, x.reason AS ext_reason, x.progress AS ext_progress,
  (SELECT u.display_name FROM users u WHERE u.id = t.responsible_user_id) AS responsible_user_name,
  (SELECT u.display_name FROM users u WHERE u.id = t.leader_user_id) AS leader_user_name`;

export const TASK_FROM = `
  tasks t
  JOIN problems p ON p.id = t.problem_id
  JOIN orgs ro ON ro.id = t.responsible_org_id
  LEFT JOIN extensions x ON x.id = t.pending_extension_id`;

/**
 * The light (三色预警) in SQL, for filtering and sorting lists of any size. It must agree with
 * lightOf in libs/domain — a test compares the two on generated tasks. `$now` is a parameter.
 */
export function lightSql(now: string): string {
  return `(CASE
    WHEN t.state IN ('verified', 'closed') OR t.withdrawn_at IS NOT NULL THEN 'green'
    WHEN t.due_at IS NOT NULL AND ${now} > t.due_at THEN 'red'
    WHEN t.last_check_result IN ('lagging', 'superficial') OR t.quarterly_report_late THEN 'yellow'
    WHEN t.due_at IS NOT NULL AND t.blue_from IS NOT NULL AND ${now} >= t.blue_from THEN 'blue'
    ELSE 'green' END)`;
}

/** The SQL condition for one light, written so the open-deadline index can serve red. */
export function lightConditionSql(light: Light, now: string): string {
  // stage 0: assigned, in progress or submitted (the open-deadline index's predicate).
  const open = `t.stage = 0 AND t.withdrawn_at IS NULL`;
  // coalesce: a NULL check result must count as "not lagging", not as unknown, or NOT(...) drops rows.
  const lagging = `(coalesce(t.last_check_result IN ('lagging', 'superficial'), false) OR t.quarterly_report_late)`;
  const overdue = `(t.due_at IS NOT NULL AND ${now} > t.due_at)`;
  switch (light) {
    case 'red':
      return `(${open} AND ${overdue})`;
    case 'yellow':
      return `(${open} AND NOT ${overdue} AND ${lagging})`;
    case 'blue':
      return `(${open} AND NOT ${overdue} AND NOT ${lagging} AND t.blue_from IS NOT NULL AND ${now} >= t.blue_from)`;
    case 'green':
      return `(${lightSql(now)} = 'green')`;
  }
}

/** The filters of a task list and of the ledger, all optional. */
export interface TaskFilter {
  /** The responsible org and everything below it; the caller's whole scope when absent. */
  orgId?: string;
  state?: TaskState;
  light?: Light;
  responsibleUserId?: string;
  problemId?: string;
  campaign?: string;
  category?: string;
  overdue?: boolean;
  /** The escalation step reached (0 = none), as the dashboard counts open overdue tasks by it. */
  escalationLevel?: number;
  q?: string;
}

/**
 * The WHERE clause shared by the task list and the ledger: the caller's scope ($1, $2), then
 * each filter given, with its parameters. `p.` columns need `problems p` joined. `nowSql` gives
 * the placeholder of `now`, added on first use (an unused parameter has no type PostgreSQL can
 * infer).
 */
export function taskConditions(
  owner: ScopeOwner,
  filter: TaskFilter,
  now: Date,
): { where: string; params: unknown[]; nowSql: () => string } {
  const params: unknown[] = [...scopeParams(owner)];
  const where = [scopeCondition('t.responsible_org_path', '$1', '$2')];
  const add = (sql: (p: string) => string, value: unknown) => {
    params.push(value);
    where.push(sql(`$${params.length}`));
  };
  let nowParam = '';
  const nowSql = () => {
    if (!nowParam) {
      params.push(now);
      nowParam = `$${params.length}::timestamptz`;
    }
    return nowParam;
  };
  if (filter.orgId)
    add((p) => `t.responsible_org_path <@ (SELECT path FROM orgs WHERE id = ${p})`, filter.orgId);
  if (filter.state) add((p) => `t.state = ${p}`, filter.state);
  if (filter.responsibleUserId)
    add((p) => `t.responsible_user_id = ${p}`, filter.responsibleUserId);
  if (filter.problemId) add((p) => `t.problem_id = ${p}`, filter.problemId);
  if (filter.campaign) add((p) => `p.campaign = ${p}`, filter.campaign);
  if (filter.category) add((p) => `p.category = ${p}`, filter.category);
  if (filter.escalationLevel !== undefined)
    add((p) => `t.escalation_level = ${p}`, filter.escalationLevel);
  if (filter.q) {
    add((p) => `(t.measure ILIKE ${p} OR p.title ILIKE ${p})`, containsPattern(filter.q));
  }
  if (filter.light) where.push(lightConditionSql(filter.light, nowSql()));
  if (filter.overdue === true) where.push(lightConditionSql('red', nowSql()));
  if (filter.overdue === false) where.push(`NOT ${lightConditionSql('red', nowSql())}`);
  return { where: where.join(' AND '), params, nowSql };
}

export function toSnapshot(r: TaskRow): TaskSnapshot {
  return {
    id: r.id,
    state: r.state,
    version: r.version,
    dueAt: r.due_at,
    mode: r.mode,
    raisingOrg: { id: r.raising_org_id, path: pathToIds(r.raising_org_path) },
    responsibleOrg: { id: r.responsible_org_id, path: pathToIds(r.responsible_org_path) },
    responsibleUserId: r.responsible_user_id,
    leaderUserId: r.leader_user_id,
    lastSubmittedBy: r.last_submitted_by,
    lastVerifiedBy: r.last_verified_by,
    actedBy: r.acted_by ?? [],
    pendingExtension:
      r.pending_extension_id && r.ext_requested_due_at && r.ext_requested_at && r.ext_requested_by
        ? {
            requestId: r.pending_extension_id,
            requestedBy: r.ext_requested_by,
            requestedAt: r.ext_requested_at,
            requestedDueAt: r.ext_requested_due_at,
            reason: r.ext_reason ?? '',
            progress: r.ext_progress ?? '',
          }
        : null,
  };
}

export interface TaskView {
  id: string;
  problemId: string;
  problemTitle: string;
  category: string;
  severity: string;
  measure: string;
  raisingOrgId: string;
  responsibleOrgId: string;
  responsibleOrgName: string;
  responsibleUserId: string;
  /** Display names of the people named on the task, for whoever may see the task. */
  responsibleUserName: string | null;
  leaderUserId: string | null;
  leaderUserName: string | null;
  mode: TaskMode;
  dueAt: string | null;
  state: TaskState;
  light: Light;
  escalationLevel: number;
  version: number;
  lastCheckResult: CheckResult | null;
  lastCheckAt: string | null;
  lastProgressAt: string | null;
  pendingExtension: { id: string; requestedBy: string; newDueAt: string; reason: string } | null;
  createdAt: string;
  updatedAt: string;
  closedAt: string | null;
  /** What the caller may do with this task now (the UI shows only these). */
  actions: TaskAction[];
  /**
   * Why the caller, who could otherwise verify, close or check this task, stays out of it
   * (回避: they acted on it or hold a role in its responsible org), else null.
   */
  conflictOfInterest: string | null;
  /** 回头看 found the problem back after closure and reopened the measure. */
  relapse: boolean;
  /** The problem was withdrawn (撤回): shown as 已撤回, no actions, no escalation. */
  withdrawn: boolean;
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function toTaskView(r: TaskRow, actor: Actor, now: Date): TaskView {
  const snapshot = toSnapshot(r);
  return {
    id: r.id,
    problemId: r.problem_id,
    problemTitle: r.problem_title,
    category: r.category,
    severity: r.severity,
    measure: r.measure,
    raisingOrgId: r.raising_org_id,
    responsibleOrgId: r.responsible_org_id,
    responsibleOrgName: r.responsible_org_name,
    responsibleUserId: r.responsible_user_id,
    responsibleUserName: r.responsible_user_name ?? null,
    leaderUserId: r.leader_user_id,
    leaderUserName: r.leader_user_name ?? null,
    mode: r.mode,
    dueAt: iso(r.due_at),
    state: r.state,
    light: lightOf({
      state: r.state,
      dueAt: r.due_at,
      mode: r.mode,
      lastCheckResult: r.last_check_result,
      quarterlyReportLate: r.quarterly_report_late,
      now,
      blueWindowStartsAt: r.blue_from,
      withdrawn: Boolean(r.withdrawn_at),
    }),
    escalationLevel: r.escalation_level,
    relapse: r.relapse ?? false,
    version: r.version,
    lastCheckResult: r.last_check_result,
    lastCheckAt: iso(r.last_check_at),
    lastProgressAt: iso(r.last_progress_at),
    pendingExtension: snapshot.pendingExtension
      ? {
          id: snapshot.pendingExtension.requestId,
          requestedBy: snapshot.pendingExtension.requestedBy,
          newDueAt: snapshot.pendingExtension.requestedDueAt.toISOString(),
          reason: snapshot.pendingExtension.reason,
        }
      : null,
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
    closedAt: iso(r.closed_at),
    actions: r.withdrawn_at ? [] : availableActions(snapshot, actor, now),
    withdrawn: Boolean(r.withdrawn_at),
    conflictOfInterest:
      maySuperviseTask(actor, snapshot) || mayApproveForTask(actor, snapshot)
        ? taskConflict(actor, snapshot)
        : null,
  };
}

/** An extensions row (延期). */
export interface ExtensionRow {
  id: string;
  task_id: string;
  requested_by: string;
  requested_at: Date;
  current_due_at: Date;
  requested_due_at: Date;
  reason: string;
  progress: string;
  state: 'pending' | 'approved' | 'rejected';
  decided_by: string | null;
  decided_at: Date | null;
  comment: string | null;
}

export interface ExtensionView {
  id: string;
  taskId: string;
  state: 'pending' | 'approved' | 'rejected';
  requestedBy: string;
  requestedAt: string;
  currentDueAt: string;
  newDueAt: string;
  reason: string;
  progress: string;
  decidedBy: string | null;
  decidedAt: string | null;
  comment: string | null;
}

export function toExtensionView(r: ExtensionRow): ExtensionView {
  return {
    id: r.id,
    taskId: r.task_id,
    state: r.state,
    requestedBy: r.requested_by,
    requestedAt: r.requested_at.toISOString(),
    currentDueAt: r.current_due_at.toISOString(),
    newDueAt: r.requested_due_at.toISOString(),
    reason: r.reason,
    progress: r.progress,
    decidedBy: r.decided_by,
    decidedAt: r.decided_at?.toISOString() ?? null,
    comment: r.comment,
  };
}
