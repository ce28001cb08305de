import { renderDigest, renderNotice } from '.';

describe('notice templates (zh-CN)', () => {
  it('renders an escalation with the step, the org and the local due time', () => {
    const n = renderNotice('escalation', {
      taskId: 't1',
      level: 2,
      stepName: '督办',
      taskMeasure: '建立“三会一课”台账',
      dueAt: '2026-11-30T15:59:59.999Z',
      orgName: '第一支部',
      overdueWorkingDays: 5,
    });
    expect(n.title).toBe('【督办】第一支部：“建立“三会一课”台账”逾期未完成');
    expect(n.body).toContain('2026年11月30日 23:59');
    expect(n.body).toContain('已逾期5个工作日');
    expect(n.body).toContain('挂牌督办');
  });

  it('lists every task owing a quarterly report in one message', () => {
    const n = renderNotice('quarterly_report_due', {
      quarter: '2026Q4',
      tasks: [
        { id: 'a', measure: '措施甲', dueAt: '2026-12-31T15:59:59.999Z' },
        { id: 'b', measure: '措施乙', dueAt: null },
      ],
    });
    expect(n.title).toBe('【季度督查】2026年第四季度请反馈2项整改任务进展');
    expect(n.body).toContain('1. 措施甲（期限：2026年12月31日）');
    expect(n.body).toContain('2. 措施乙（长期坚持）');
  });

  it('lists the commitment items due in the same quarterly message, or alone', () => {
    const item = {
      commitmentId: 'c',
      itemId: 'i',
      orgName: '第一支部',
      title: '规范“三会一课”',
      dueDate: '2026-12-31',
    };
    const both = renderNotice('quarterly_report_due', {
      quarter: '2026Q2',
      tasks: [{ id: 'a', measure: '措施甲', dueAt: null }],
      commitments: [item],
    });
    expect(both.title).toBe('【季度督查】2026年第二季度请反馈1项整改任务和1项承诺事项进展');
    expect(both.body).toContain('1. 措施甲（长期坚持）');
    expect(both.body).toContain('1. 第一支部：规范“三会一课”（完成时限：2026-12-31）');
    expect(both.body).toContain('一并填报');
    const alone = renderNotice('quarterly_report_due', {
      quarter: '2026Q2',
      tasks: [],
      commitments: [item],
    });
    expect(alone.title).toBe('【季度督查】2026年第二季度请反馈1项承诺事项进展');
    expect(alone.body).not.toContain('整改任务');
    expect(() => renderNotice('quarterly_report_due', { quarter: '2026Q2', tasks: [] })).toThrow(
      /params\.tasks/,
    );
  });

  it('cuts very long lists and says how many there are', () => {
    const tasks = Array.from({ length: 60 }, (_, i) => ({ id: `t${i}`, measure: `措施${i}` }));
    const n = renderNotice('quarterly_report_late', { quarter: '2026Q4', tasks });
    expect(n.body).toContain('50. 措施49');
    expect(n.body).not.toContain('51. ');
    expect(n.body).toContain('等共60项');
  });

  it('refuses parameters the engine forgot, naming them', () => {
    expect(() => renderNotice('reminder', { taskId: 't', dueAt: '2026-11-30T00:00:00Z' })).toThrow(
      "notification 'reminder': params.taskMeasure must be a non-empty string",
    );
    expect(() =>
      renderNotice('accountability_opened', { caseId: 'c', taskId: 't', taskMeasure: 'm' }),
    ).toThrow(/params\.orgName/);
  });

  it('tells a named org that a 通报 was issued, with the link to the document', () => {
    const n = renderNotice('circular_issued', {
      circularId: 'c',
      quarter: '2026Q4',
      orgName: '某某县委',
      title: '关于2026年第四季度整改督办情况的通报',
      documentUrl: '/api/v1/circulars/c/document',
    });
    expect(n.title).toBe('【通报】某某县委印发《关于2026年第四季度整改督办情况的通报》');
    expect(n.body).toContain('2026年第四季度整改督办情况通报');
    expect(n.body).toContain('/api/v1/circulars/c/document');
    expect(() => renderNotice('circular_issued', { circularId: 'c', quarter: '2026Q4' })).toThrow(
      /params\.orgName/,
    );
  });

  it('renders a digest of several notices in one message', () => {
    const d = renderDigest(
      [
        { title: '甲', body: '正文甲', createdAt: new Date('2026-11-02T01:00:00Z') },
        { title: '乙', body: '正文乙', createdAt: new Date('2026-11-02T02:00:00Z') },
      ],
      'Asia/Shanghai',
    );
    expect(d.subject).toBe('【督办】每日汇总：甲等2条');
    expect(d.text).toContain('1. 甲（2026年11月2日 09:00）');
    expect(d.text).toContain('2. 乙（2026年11月2日 10:00）');
  });

  it('names the measure in a workflow notice, and the problem when it lists several', () => {
    const one = renderNotice('task_returned', {
      problemTitle: '党员教育不到位',
      tasks: [{ id: 'a', measure: '建立学习台账', reason: '缺少11月记录' }],
    });
    expect(one.title).toBe('【退回】“建立学习台账”验收未通过，请重新整改');
    expect(one.body).toContain('1. 建立学习台账——退回理由：缺少11月记录');
    const many = renderNotice('task_assigned', {
      problemTitle: '党员教育不到位',
      timeZone: 'Asia/Shanghai',
      tasks: [
        { id: 'a', measure: '措施甲', dueAt: '2027-01-31T15:59:59.999Z' },
        { id: 'b', measure: '措施乙', dueAt: null },
      ],
    });
    expect(many.title).toBe('【交办】“党员教育不到位”的2项整改措施已交办给您');
    expect(many.body).toContain('1. 措施甲（期限：2027年1月31日）');
    expect(many.body).toContain('2. 措施乙');
  });

  it('says whether an extension was granted', () => {
    const n = renderNotice('extension_decided', {
      problemTitle: '问题',
      tasks: [{ id: 'a', measure: '措施甲', approved: true, newDueAt: '2027-02-28T15:59:59Z' }],
    });
    expect(n.title).toBe('【延期审批】“措施甲”的延期申请已批准');
    expect(n.body).toContain('措施甲：已批准延期至2027年2月28日');
  });

  it('lists the measures of one problem that reached a step together', () => {
    const n = renderNotice('escalation', {
      taskId: 'a',
      level: 2,
      stepName: '督办',
      taskMeasure: '措施甲',
      problemTitle: '阵地建设不达标',
      dueAt: '2026-11-30T15:59:59.999Z',
      orgName: '第一支部',
      tasks: [
        { id: 'a', measure: '措施甲', dueAt: '2026-11-30T15:59:59.999Z' },
        { id: 'b', measure: '措施乙', dueAt: '2026-11-30T15:59:59.999Z' },
      ],
    });
    expect(n.title).toBe('【督办】第一支部：“阵地建设不达标”的2项整改措施逾期未完成');
    expect(n.body).toContain('2. 措施乙（期限：2026年11月30日 23:59）');
  });

  it('tells the subjects of a case in a notice addressed to them', () => {
    const n = renderNotice('case_opened_subject', {
      caseId: 'c',
      taskId: 't',
      taskMeasure: '措施甲',
      orgName: '第一支部',
    });
    expect(n.title).toBe('【问责】“措施甲”逾期未完成，已对您启动问责程序');
  });
});
