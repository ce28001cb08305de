import { OrgRef } from '../access/roles';

/**
 * A rectification measure (整改措施) with its responsibility (责任清单) as the state machine
 * sees it. The lifecycle: 交办 assigned → 签收 in_progress → 申请销号 submitted → 验收 verified →
 * 销号 closed. A failed verification sends it back (退回重改); a later review (回头看) may reopen
 * a closed task.
 */

export const TASK_STATES = ['assigned', 'in_progress', 'submitted', 'verified', 'closed'] as const;
export type TaskState = (typeof TASK_STATES)[number];

export const TASK_STATE_LABELS: Record<TaskState, string> = {
  assigned: '已交办',
  in_progress: '整改中',
  submitted: '待验收',
  verified: '待销号',
  closed: '已销号',
};

/** 立行立改 (days), 限期整改 (by a deadline), 长期坚持 (no end date, reports every quarter). */
export const TASK_MODES = ['immediate', 'deadline', 'standing'] as const;
export type TaskMode = (typeof TASK_MODES)[number];

/** A supervision check's finding: on track, lagging, or superficial rectification (表面整改). */
export const CHECK_RESULTS = ['on_track', 'lagging', 'superficial'] as const;
export type CheckResult = (typeof CHECK_RESULTS)[number];

/** An extension (延期) asked for and not yet decided; at most one at a time. */
export interface PendingExtension {
  /** Chosen by the caller (the API exposes /extensions/{id}). */
  readonly requestId: string;
  readonly requestedBy: string;
  readonly requestedAt: Date;
  readonly requestedDueAt: Date;
  readonly reason: string;
  /** The progress so far, which an extension request must state. */
  readonly progress: string;
}

export interface TaskSnapshot {
  readonly id: string;
  readonly state: TaskState;
  /** Incremented by every command that changes the snapshot (optimistic locking, If-Match). */
  readonly version: number;
  /** Null only for standing measures. */
  readonly dueAt: Date | null;
  readonly mode: TaskMode;
  /** The committee that raised the problem and assigned the measure. */
  readonly raisingOrg: OrgRef;
  /** 责任单位 */
  readonly responsibleOrg: OrgRef;
  /** 责任人 */
  readonly responsibleUserId: string;
  /** 分管领导 */
  readonly leaderUserId: string | null;
  /** Who submitted in the current round (since the last failed verification or reopening). */
  readonly lastSubmittedBy: string | null;
  /** Who passed the verification of the current round. */
  readonly lastVerifiedBy: string | null;
  readonly pendingExtension: PendingExtension | null;
  /**
   * Everyone who acted on the task (accepted, reported progress, submitted, asked for an
   * extension), in any round, in the order they first did: they never judge it (conflicts.ts).
   * A record rather than state: growing it does not change `version`.
   */
  readonly actedBy: readonly string[];
}

interface EventBase {
  readonly taskId: string;
  readonly actorId: string;
  readonly at: Date;
}

interface Transition<
  T extends string,
  F extends TaskState,
  To extends TaskState,
  D,
> extends EventBase {
  readonly type: T;
  readonly from: F;
  readonly to: To;
  readonly data: D;
}

interface Happening<T extends string, D> extends EventBase {
  readonly type: T;
  readonly data: D;
}

/**
 * What happened, for the task's timeline (GET /tasks/{id}/timeline: at, actorId, type, from?,
 * to?, data). Events that change the state carry `from` and `to`; the others leave it alone.
 */
/** The task was created (交办); it has no state before, hence no `from`. */
export interface AssignedEvent extends EventBase {
  readonly type: 'assigned';
  readonly to: 'assigned';
  readonly data: {
    readonly raisingOrgId: string;
    readonly responsibleOrgId: string;
    readonly responsibleUserId: string;
    readonly leaderUserId: string | null;
    readonly dueAt: Date | null;
    readonly mode: TaskMode;
  };
}

export type DomainEvent =
  | AssignedEvent
  | Transition<'accepted', 'assigned', 'in_progress', { comment: string | null }>
  | Happening<
      'progress_reported',
      { content: string; percent: number | null; attachmentIds: readonly string[] }
    >
  | Transition<
      'submitted',
      'in_progress',
      'submitted',
      { summary: string; attachmentIds: readonly string[] }
    >
  | Transition<'verification_passed', 'submitted', 'verified', { comment: string | null }>
  | Transition<'verification_failed', 'submitted', 'in_progress', { comment: string }>
  | Transition<'closed', 'verified', 'closed', { comment: string | null }>
  | Transition<
      'reopened',
      'closed',
      'in_progress',
      { reason: string; oldDueAt: Date | null; newDueAt: Date | null }
    >
  | Happening<
      'extension_requested',
      {
        requestId: string;
        reason: string;
        progress: string;
        currentDueAt: Date;
        requestedDueAt: Date;
      }
    >
  | Happening<
      'extension_approved',
      {
        requestId: string;
        requestedBy: string;
        oldDueAt: Date;
        newDueAt: Date;
        comment: string | null;
      }
    >
  | Happening<
      'extension_rejected',
      {
        requestId: string;
        requestedBy: string;
        dueAt: Date;
        requestedDueAt: Date;
        comment: string | null;
      }
    >
  | Happening<'check_recorded', { result: CheckResult; note: string | null }>;

export type DomainEventType = DomainEvent['type'];

/** forbidden → HTTP 403, invalid_state → 409, invalid_input → 400. */
export type RefusalCode = 'forbidden' | 'invalid_state' | 'invalid_input';

export interface Refusal {
  readonly ok: false;
  readonly code: RefusalCode;
  /** One sentence saying why, for the API's `message`. */
  readonly reason: string;
  /** A code more precise than `code` for the API's error body, e.g. `conflict_of_interest`. */
  readonly errorCode?: string;
}

export interface Accepted {
  readonly ok: true;
  /**
   * The new snapshot; the very same object when nothing in it changed (a progress report by
   * someone new only adds them to `actedBy`, at the same version).
   */
  readonly task: TaskSnapshot;
  readonly events: readonly DomainEvent[];
}

export type TransitionResult = Accepted | Refusal;

export const refuse = (code: RefusalCode, reason: string, errorCode?: string): Refusal =>
  errorCode ? { ok: false, code, reason, errorCode } : { ok: false, code, reason };
