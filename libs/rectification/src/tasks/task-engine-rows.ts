import type { LadderMarks, ProblemSeverity, TaskState } from '#duban/domain';

/**
 * Row mapping of the engine's statements on `tasks` (TasksRepository, engine section): a task as
 * the ladder reads it under its row lock, and what one ladder pass writes back.
 */

/** A task on (or leaving) the ladder, with its responsible org and problem as the ladder needs them. */
export interface LadderTask {
  id: string;
  state: TaskState;
  measure: string;
  dueAt: Date | null;
  deadlineSetAt: Date | null;
  escalationLevel: number;
  raisingOrgId: string;
  raisingOrgPath: string;
  responsibleOrgId: string;
  responsibleOrgPath: string;
  responsibleOrgName: string;
  responsibleParentId: string | null;
  responsibleUserId: string;
  leaderUserId: string | null;
  timeZone: string;
  severity: ProblemSeverity;
  problemId: string;
  problemTitle: string;
}

export interface LadderTaskRow {
  id: string;
  state: TaskState;
  measure: string;
  due_at: Date | null;
  deadline_set_at: Date | null;
  escalation_level: number;
  raising_org_id: string;
  raising_org_path: string;
  responsible_org_id: string;
  responsible_org_path: string;
  responsible_org_name: string;
  responsible_parent_id: string | null;
  responsible_user_id: string;
  leader_user_id: string | null;
  time_zone: string;
  severity: ProblemSeverity;
  problem_id: string;
  problem_title: string;
}

export function toLadderTask(r: LadderTaskRow): LadderTask {
  return {
    id: r.id,
    state: r.state,
    measure: r.measure,
    dueAt: r.due_at,
    deadlineSetAt: r.deadline_set_at,
    escalationLevel: r.escalation_level,
    raisingOrgId: r.raising_org_id,
    raisingOrgPath: r.raising_org_path,
    responsibleOrgId: r.responsible_org_id,
    responsibleOrgPath: r.responsible_org_path,
    responsibleOrgName: r.responsible_org_name,
    responsibleParentId: r.responsible_parent_id,
    responsibleUserId: r.responsible_user_id,
    leaderUserId: r.leader_user_id,
    timeZone: r.time_zone,
    severity: r.severity,
    problemId: r.problem_id,
    problemTitle: r.problem_title,
  };
}

/** What one ladder pass writes on a task it locked: the marks its applied steps reached, the next timer. */
export interface LadderTaskUpdate {
  id: string;
  marks: LadderMarks;
  nextFireAt: Date | null;
}

/** A claimed timer: the task and the instant it was due. */
export interface ClaimedTimer {
  id: string;
  nextFireAt: Date;
}

/** One person and the open tasks a quarterly message lists for them. */
export interface PersonTasks {
  userId: string;
  tasks: { id: string; measure: string; dueAt: string | null }[];
}

export interface PersonTasksRow {
  user_id: string;
  tasks: { id: string; measure: string; dueAt: string | null }[];
}

export const toPersonTasks = (r: PersonTasksRow): PersonTasks => ({
  userId: r.user_id,
  tasks: r.tasks,
});
