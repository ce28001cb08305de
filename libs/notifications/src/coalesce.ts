import type { NotificationInput } from './notification-input';

/**
 * Merging a burst of notices (减负): the same kind to the same person about the same problem
 * becomes one notice listing the measures. Pure rules; NotificationsService applies them.
 */

/** How long an unread, unmailed notice stays open for merging. */
export const COALESCE_WINDOW_MS = 24 * 3_600_000;

type Item = Record<string, unknown>;

const idOf = (item: unknown): unknown =>
  typeof item === 'object' && item !== null ? (item as Item).id : undefined;

/**
 * `existing` followed by `added`, one entry per task id: a task named again (returned a second
 * time, say) keeps its place and takes the newer details.
 */
export function mergeTaskLists(existing: unknown, added: unknown): Item[] {
  const out: Item[] = [];
  const at = new Map<unknown, number>();
  for (const list of [existing, added]) {
    if (!Array.isArray(list)) continue;
    for (const item of list) {
      if (typeof item !== 'object' || item === null) continue;
      const id = idOf(item);
      const i = id === undefined ? undefined : at.get(id);
      if (i === undefined) {
        if (id !== undefined) at.set(id, out.length);
        out.push({ ...(item as Item) });
      } else {
        out[i] = { ...out[i], ...(item as Item) };
      }
    }
  }
  return out;
}

/** The notices of a batch merged for one person, kind and coalesce key. */
export interface CoalescedNotice {
  /** The merged notice, for one person: the first source's, with every source's tasks. */
  input: NotificationInput;
  coalesceKey: string;
  /** Which inputs of the batch went into it (an input can go into several, one per person). */
  sources: number[];
}

/**
 * Merges the batch's notices that have a coalesce key into one per person, kind and key, in
 * order of first appearance; notices without a key are left out. The deputy check of a
 * merged notice reads the task ids of its merged task list, not those given to one input.
 */
export function coalesceBatch(inputs: readonly NotificationInput[]): CoalescedNotice[] {
  const groups = new Map<string, CoalescedNotice>();
  inputs.forEach((input, i) => {
    const coalesceKey = input.coalesceKey;
    if (!coalesceKey) return;
    for (const userId of new Set(input.userIds)) {
      const key = [userId, input.kind, coalesceKey].join('\u0000');
      const group = groups.get(key);
      if (!group) {
        groups.set(key, {
          input: {
            ...input,
            userIds: [userId],
            params: { ...input.params, tasks: mergeTaskLists([], input.params.tasks) },
            taskIds: undefined,
          },
          coalesceKey,
          sources: [i],
        });
      } else {
        group.input.params.tasks = mergeTaskLists(group.input.params.tasks, input.params.tasks);
        group.sources.push(i);
      }
    }
  });
  return [...groups.values()];
}
