import {
  duplicateImportMessage,
  importContentHash,
  importProblemsHash,
  repeatedImport,
} from './duplicate-import';

const A = {
  title: '会议记录不全',
  orgId: 'o1',
  campaign: '批次',
  measures: [
    { measure: '补齐', responsibleOrgId: 'o1' },
    { measure: '复核', responsibleOrgId: 'o2' },
  ],
};
const B = {
  title: '阵地不达标',
  orgId: 'o2',
  measures: [{ measure: '恢复活动室', responsibleOrgId: 'o2' }],
};

describe('duplicate imports', () => {
  it('hashes the bytes', () => {
    expect(importContentHash(Buffer.from('x'))).toBe(importContentHash(Buffer.from('x')));
    expect(importContentHash(Buffer.from('x'))).not.toBe(importContentHash(Buffer.from('y')));
  });

  it('sees the same problems in any order and spacing as the same list', () => {
    const again = [B, { ...A, title: ' 会议记录不全 ', measures: [...A.measures].reverse() }];
    expect(importProblemsHash([A, B])).toBe(importProblemsHash(again));
  });

  it('tells a different org, measure or batch apart', () => {
    const base = importProblemsHash([A]);
    expect(importProblemsHash([{ ...A, orgId: 'o3' }])).not.toBe(base);
    expect(importProblemsHash([{ ...A, campaign: '另一批次' }])).not.toBe(base);
    expect(importProblemsHash([{ ...A, measures: [A.measures[0]] }])).not.toBe(base);
  });

  it('prefers the same file over the same problems, and names who and when', () => {
    const earlier = {
      id: 'i1',
      importedAt: new Date('2026-11-02T01:00:00Z'),
      importedBy: { id: 'u1', displayName: '督查员' },
      problems: 2,
      tasks: 3,
    };
    expect(repeatedImport(null, null)).toBeNull();
    expect(repeatedImport(earlier, { ...earlier, id: 'i2' })).toMatchObject({
      id: 'i1',
      match: 'file',
    });
    expect(repeatedImport(null, earlier)).toMatchObject({ match: 'problems' });
    const message = duplicateImportMessage({ ...earlier, match: 'file' }, '2026-11-02 09:00');
    expect(message).toContain('督查员');
    expect(message).toContain('2026-11-02 09:00');
    expect(message).toContain('force=true');
  });
});
