import { coalesceBatch, mergeTaskLists } from './coalesce';
import type { NotificationInput } from './notification-input';

describe('mergeTaskLists', () => {
  it('appends new measures in order, one entry per task', () => {
    expect(
      mergeTaskLists(
        [{ id: 'a', measure: '甲' }],
        [
          { id: 'b', measure: '乙' },
          { id: 'c', measure: '丙' },
        ],
      ).map((t) => t.id),
    ).toEqual(['a', 'b', 'c']);
  });

  it('keeps the place of a task named again and takes its newer details', () => {
    expect(
      mergeTaskLists(
        [
          { id: 'a', measure: '甲', reason: '旧理由' },
          { id: 'b', measure: '乙' },
        ],
        [{ id: 'a', measure: '甲', reason: '新理由' }],
      ),
    ).toEqual([
      { id: 'a', measure: '甲', reason: '新理由' },
      { id: 'b', measure: '乙' },
    ]);
  });

  it('ignores what is not a list of objects', () => {
    expect(mergeTaskLists(undefined, [null, 'x', { id: 'a' }])).toEqual([{ id: 'a' }]);
  });
});

describe('coalesceBatch', () => {
  const T1 = '11111111-1111-4111-8111-111111111111';
  const T2 = '22222222-2222-4222-8222-222222222222';
  const returned = (userIds: string[], taskId: string, key = 'problem-1'): NotificationInput => ({
    userIds,
    kind: 'task_returned',
    dedupeKey: `returned:${taskId}`,
    params: { problemTitle: '问题一', tasks: [{ id: taskId, measure: taskId }] },
    coalesceKey: key,
    taskIds: [taskId],
  });

  it('merges one notice per person, kind and key, listing every measure', () => {
    const groups = coalesceBatch([returned(['a', 'b'], T1), returned(['a'], T2)]);
    expect(groups.map((g) => [g.input.userIds, g.sources])).toEqual([
      [['a'], [0, 1]],
      [['b'], [0]],
    ]);
    expect((groups[0].input.params.tasks as { id: string }[]).map((t) => t.id)).toEqual([T1, T2]);
    // The deputy check reads the merged list, not the first input's task ids.
    expect(groups[0].input.taskIds).toBeUndefined();
    expect(groups[0].input.dedupeKey).toBe(`returned:${T1}`);
  });

  it('keeps different keys apart and leaves notices without a key out', () => {
    const plain = { ...returned(['a'], T1), coalesceKey: undefined };
    const groups = coalesceBatch([plain, returned(['a'], T1, 'p1'), returned(['a'], T2, 'p2')]);
    expect(groups.map((g) => [g.coalesceKey, g.sources])).toEqual([
      ['p1', [1]],
      ['p2', [2]],
    ]);
  });

  it('does not change the inputs it merges', () => {
    const first = returned(['a'], T1);
    coalesceBatch([first, returned(['a'], T2)]);
    expect(first.params.tasks).toEqual([{ id: T1, measure: T1 }]);
  });
});
