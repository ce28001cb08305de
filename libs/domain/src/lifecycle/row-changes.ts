import type { CheckResult, DomainEvent, TaskSnapshot, TaskState } from './task';

/**
 * What a transition changes on the rows that record a measure: its own row, the extension
 * requests beside it and its problem's count of open measures. The state machine (commands.ts)
 * decides the new snapshot and the events; these functions say what they mean for the record,
 * and the repositories only write it.
 */

/** The columns of the task's row a transition reads besides the snapshot. */
export interface TaskRowBefore {
  readonly state: TaskState;
  readonly dueAt: Date | null;
  readonly closedAt: Date | null;
  readonly actedBy: readonly string[] | null;
}

/**
 * The new values of the task's row. The first group is always written; an absent optional
 * field leaves its column as it is.
 */
export interface TaskRowChange {
  readonly state: TaskState;
  readonly version: number;
  readonly dueAt: Date | null;
  readonly lastSubmittedBy: string | null;
  readonly lastVerifiedBy: string | null;
  readonly pendingExtensionId: string | null;
  readonly closedAt: Date | null;
  readonly updatedAt: Date;
  readonly lastProgressAt?: Date;
  readonly quarterlyReportLate?: boolean;
  readonly lastCheckResult?: CheckResult | null;
  readonly lastCheckAt?: Date;
  readonly actedBy?: readonly string[];
  /** Set with a new deadline: the ladder starts again from nothing. */
  readonly ladderRestart?: LadderRestart;
  /** Set when the engine must plan the task again (its next timer), with its lease released. */
  readonly timer?: { readonly nextFireAt: Date | null };
}

export interface LadderRestart {
  /** The blue window (蓝色预警) of the new deadline, on the responsible org's calendar. */
  readonly blueFrom: Date | null;
  /** Reminders planned before this instant are skipped, never sent late. */
  readonly deadlineSetAt: Date;
  readonly escalationLevel: 0;
  readonly supervised: false;
}

/** A side record of an extension request (延期) that the events ask for. */
export type ExtensionWrite =
  | {
      readonly kind: 'request';
      readonly id: string;
      readonly taskId: string;
      readonly requestedBy: string;
      readonly requestedAt: Date;
      readonly currentDueAt: Date;
      readonly requestedDueAt: Date;
      readonly reason: string;
      readonly progress: string;
    }
  | {
      readonly kind: 'decision';
      readonly id: string;
      readonly state: 'approved' | 'rejected';
      readonly decidedBy: string;
      readonly decidedAt: Date;
      readonly comment: string | null;
    };

export interface TransitionWrites {
  readonly task: TaskRowChange;
  readonly extensions: readonly ExtensionWrite[];
  /** How the problem's count of open measures moves: −1 for a closure, +1 for a reopening. */
  readonly problemOpenDelta: number;
}

/**
 * A new deadline (延期 approved, or reopened with one) restarts the ladder; the steps already
 * taken stay in the record. Null when the deadline did not change.
 */
export function ladderRestart(
  before: { readonly dueAt: Date | null },
  after: { readonly dueAt: Date | null },
  now: Date,
  blueFrom: (dueAt: Date | null) => Date | null,
): LadderRestart | null {
  if ((after.dueAt?.getTime() ?? null) === (before.dueAt?.getTime() ?? null)) return null;
  return {
    blueFrom: blueFrom(after.dueAt),
    deadlineSetAt: now,
    escalationLevel: 0,
    supervised: false,
  };
}

/**
 * The ladder runs while the unit owes work (assigned, in progress) against a deadline; it pauses
 * while a submission awaits verification and stops at closure. After a change of state or
 * deadline the engine plans again from `now` (or never, when the ladder does not run).
 */
export function ladderTimerAfter(
  after: { readonly state: TaskState; readonly dueAt: Date | null },
  now: Date,
): { nextFireAt: Date | null } {
  const runs =
    (after.state === 'assigned' || after.state === 'in_progress') && after.dueAt !== null;
  return { nextFireAt: runs ? now : null };
}

/** What the events of one transition write: the task's row, extension records, the problem. */
export function transitionWrites(
  before: TaskRowBefore,
  after: TaskSnapshot,
  events: readonly DomainEvent[],
  now: Date,
  blueFrom: (dueAt: Date | null) => Date | null,
): TransitionWrites {
  let closedAt = before.closedAt;
  let problemOpenDelta = 0;
  const extensions: ExtensionWrite[] = [];
  const optional: {
    -readonly [K in keyof TaskRowChange]?: TaskRowChange[K];
  } = {};
  for (const e of events) {
    switch (e.type) {
      case 'progress_reported':
        optional.lastProgressAt = e.at;
        optional.quarterlyReportLate = false;
        break;
      case 'check_recorded':
        optional.lastCheckResult = e.data.result;
        optional.lastCheckAt = e.at;
        break;
      case 'extension_requested':
        extensions.push({
          kind: 'request',
          id: e.data.requestId,
          taskId: e.taskId,
          requestedBy: e.actorId,
          requestedAt: e.at,
          currentDueAt: e.data.currentDueAt,
          requestedDueAt: e.data.requestedDueAt,
          reason: e.data.reason,
          progress: e.data.progress,
        });
        break;
      case 'extension_approved':
      case 'extension_rejected':
        extensions.push({
          kind: 'decision',
          id: e.data.requestId,
          state: e.type === 'extension_approved' ? 'approved' : 'rejected',
          decidedBy: e.actorId,
          decidedAt: e.at,
          comment: e.data.comment,
        });
        break;
      case 'closed':
        closedAt = e.at;
        problemOpenDelta -= 1;
        break;
      case 'reopened':
        closedAt = null;
        problemOpenDelta += 1;
        // A reopened measure starts a new round: earlier check findings no longer describe it.
        optional.lastCheckResult = null;
        break;
      default:
        break;
    }
  }
  // Who acted on the task only grows; they never judge it (conflicts of interest).
  if (after.actedBy.length !== (before.actedBy ?? []).length) optional.actedBy = after.actedBy;
  const restart = ladderRestart(before, after, now, blueFrom);
  if (restart) optional.ladderRestart = restart;
  if (restart || after.state !== before.state) optional.timer = ladderTimerAfter(after, now);
  return {
    task: {
      state: after.state,
      version: after.version,
      dueAt: after.dueAt,
      lastSubmittedBy: after.lastSubmittedBy,
      lastVerifiedBy: after.lastVerifiedBy,
      pendingExtensionId: after.pendingExtension?.requestId ?? null,
      closedAt,
      updatedAt: now,
      ...optional,
    },
    extensions,
    problemOpenDelta,
  };
}

/** A problem's counts of measures, as its row keeps them. */
export interface ProblemMeasureCounts {
  readonly taskCount: number;
  readonly openTaskCount: number;
}

/** 问题状态: a problem is closed once it has measures and every one of them is closed. */
export function problemIsClosed(p: ProblemMeasureCounts): boolean {
  return p.taskCount > 0 && p.openTaskCount === 0;
}

/**
 * The problem after its open measures moved by `delta` (a measure closed, reopened, or added):
 * it closes with its last open measure, at that moment, and any open measure reopens it.
 * ProblemsRepository applies the same rule in its UPDATE, atomically with the count.
 */
export function problemAfterMeasures(
  p: ProblemMeasureCounts,
  change: { readonly added: number; readonly openDelta: number },
  now: Date,
): ProblemMeasureCounts & { closedAt: Date | null } {
  const counts = {
    taskCount: p.taskCount + change.added,
    openTaskCount: p.openTaskCount + change.openDelta,
  };
  return { ...counts, closedAt: counts.openTaskCount === 0 ? now : null };
}
