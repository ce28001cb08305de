import { mergeTaskLists } from './coalesce';

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
