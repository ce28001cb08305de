/** The kinds of notice the supervision engine sends; each has one zh-CN template file. */
export const NOTIFICATION_KINDS = [
  'reminder',
  'escalation',
  'quarterly_report_due',
  'quarterly_report_late',
  'accountability_opened',
  'circular_issued',
  'reinspection_assigned',
  'negative_listed',
  // Workflow notices (work landed on the reader), routine: held for the daily digest.
  'task_assigned',
  'task_returned',
  'task_submitted',
  'task_verified',
  'extension_requested',
  'extension_decided',
  // 问责 as its subjects are told of it.
  'case_opened_subject',
  'case_decided',
  'task_reassigned',
] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

export const CHANNELS = ['inbox', 'email', 'webhook'] as const;
export type Channel = (typeof CHANNELS)[number];

/** What a person gets when they never chose: the inbox and, where they have an address, e-mail. */
export const DEFAULT_CHANNELS: readonly Channel[] = ['inbox', 'email'];

/** One notice to a set of people, as the engine asks for it. */
export interface NotificationInput {
  userIds: string[];
  kind: NotificationKind;
  /**
   * What makes this notice this notice, e.g. `task:<id>:step:2:v3`. A person receives a given
   * key at most once, ever, however often the engine asks (retries, duplicate jobs, catch-up).
   */
  dedupeKey: string;
  /** Rendered by the kind's template and kept as the notice's `data` (for links in the UI). */
  params: Record<string, unknown>;
  /** Skips quiet hours and the digest (督办 and above). */
  urgent?: boolean;
  /** Chased (re-sent) until read, at most three times. */
  requiresAck?: boolean;
  /** The org whose robot (org webhook) also posts the notice, once per kind and key. */
  orgId?: string;
  /**
   * The tasks the notice is about; read from `params.taskId` and `params.tasks[].id` when
   * absent. A deputy (请假委托) gets a copy only when they may see every one of them.
   */
  taskIds?: string[];
  /**
   * Merges a burst: a notice of the same kind and coalesce key (e.g. `problem:<id>`) to the
   * same person, still unread and not yet mailed, gets this notice's `params.tasks` appended
   * instead of a new notice (one notice listing the measures).
   */
  coalesceKey?: string;
}

/** The tasks a notice is about: its `taskIds`, else the task ids its params name. */
export function taskIdsOf(input: NotificationInput): string[] {
  if (input.taskIds) return input.taskIds;
  const ids: unknown[] = [input.params.taskId];
  const tasks = input.params.tasks;
  if (Array.isArray(tasks)) ids.push(...tasks.map((t) => (t as { id?: unknown } | null)?.id));
  return [...new Set(ids.filter(isUuid))];
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const isUuid = (value: unknown): value is string =>
  typeof value === 'string' && UUID.test(value);

/**
 * A malformed input is a bug in the caller, not a user error: it throws, and the caller's
 * transaction (the effect that wanted to notify) rolls back with it.
 */
export function checkNotificationInput(input: NotificationInput, index: number): void {
  const where = `notification input #${index} (${String(input.kind)})`;
  if (!(NOTIFICATION_KINDS as readonly string[]).includes(input.kind)) {
    throw new Error(`${where}: kind must be one of ${NOTIFICATION_KINDS.join(', ')}`);
  }
  if (typeof input.dedupeKey !== 'string' || input.dedupeKey.length < 1) {
    throw new Error(`${where}: dedupeKey must be a non-empty string`);
  }
  if (input.dedupeKey.length > 300) {
    throw new Error(`${where}: dedupeKey must be at most 300 characters`);
  }
  if (!Array.isArray(input.userIds) || !input.userIds.every(isUuid)) {
    throw new Error(`${where}: userIds must be an array of UUIDs`);
  }
  if (
    input.coalesceKey !== undefined &&
    (typeof input.coalesceKey !== 'string' ||
      input.coalesceKey.length < 1 ||
      input.coalesceKey.length > 300 ||
      !Array.isArray(input.params.tasks))
  ) {
    throw new Error(`${where}: coalesceKey must be 1–300 characters, with params.tasks a list`);
  }
  if (input.orgId !== undefined && !isUuid(input.orgId)) {
    throw new Error(`${where}: orgId must be a UUID`);
  }
  if (
    input.taskIds !== undefined &&
    !(Array.isArray(input.taskIds) && input.taskIds.every(isUuid))
  ) {
    throw new Error(`${where}: taskIds must be an array of UUIDs`);
  }
}
