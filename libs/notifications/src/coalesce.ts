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
