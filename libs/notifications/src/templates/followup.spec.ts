import { renderNotice } from '.';

describe('回头看 and 负面清单 notices (zh-CN)', () => {
  const params = {
    reinspectionId: 'r1',
    taskId: 't1',
    taskMeasure: '补齐会议记录',
    orgName: '第一支部',
    quarter: '2026Q4',
  };

  it('tells the inspector a measure was drawn, and again once it is overdue', () => {
    expect(renderNotice('reinspection_assigned', params).title).toBe(
      '【回头看】请复查第一支部已销号的整改措施',
    );
    const late = renderNotice('reinspection_assigned', { ...params, overdue: true });
    expect(late.title).toContain('回头看逾期');
    expect(late.body).toContain('补齐会议记录');
  });

  it('tells the committee a unit entered the negative list, and why', () => {
    const n = renderNotice('negative_listed', {
      entryId: 'e1',
      subjectName: '第一支部',
      reason: '回头看发现整改反弹',
    });
    expect(n.title).toBe('【负面清单】第一支部列入整改负面清单');
    expect(n.body).toContain('回头看发现整改反弹');
    expect(() => renderNotice('negative_listed', { entryId: 'e1' })).toThrow(/subjectName/);
  });
});
