import { formatDate, numberedList, RenderedNotice, TemplateParams } from './params';

/**
 * 季度进展反馈: one message per person listing every task that owes a progress report for the
 * quarter, and the commitment items (践诺) they report on in the same quarterly feedback, so
 * nobody gets one message per task or a second one for commitments. params: quarter
 * ('2026Q4'), tasks: [{id, measure, dueAt (ISO instant, or null for a standing measure)}],
 * commitments: [{commitmentId, itemId, orgName, title, dueDate ('YYYY-MM-DD')}] (optional),
 * at least one of the two non-empty, and optionally reportBy (ISO instant), timeZone.
 */
export function renderQuarterlyReportDue(params: Record<string, unknown>): RenderedNotice {
  const p = new TemplateParams('quarterly_report_due', params);
  const quarter = p.quarter('quarter');
  const tz = p.timeZone();
  const reportBy = p.optionalInstant('reportBy');
  const commitments = p.optionalList('commitments', (c) => {
    c.text('commitmentId');
    c.text('itemId');
    return `${c.text('orgName')}：${c.text('title')}（完成时限：${c.text('dueDate')}）`;
  });
  const task = (t: TemplateParams) => {
    t.text('id');
    const dueAt = t.optionalInstant('dueAt');
    return `${t.text('measure')}（${dueAt ? `期限：${formatDate(dueAt, tz)}` : '长期坚持'}）`;
  };
  // A person who owes commitment items only gets the message without tasks.
  const tasks = commitments.length > 0 ? p.optionalList('tasks', task) : p.list('tasks', task);
  const by = reportBy ? `请于${formatDate(reportBy, tz)}前` : '请及时';
  const what = [
    tasks.length > 0 ? `${tasks.length}项整改任务` : '',
    commitments.length > 0 ? `${commitments.length}项承诺事项` : '',
  ]
    .filter(Boolean)
    .join('和');
  const sections = [
    tasks.length > 0
      ? `您负责的以下${tasks.length}项整改任务需要反馈本季度整改进展：\n${numberedList(tasks)}`
      : '',
    commitments.length > 0
      ? `以下${commitments.length}项已公示的承诺事项需要报告本季度践诺进展：\n${numberedList(commitments)}`
      : '',
  ].filter(Boolean);
  return {
    title: `【季度督查】${quarter}请反馈${what}进展`,
    body:
      `${quarter}已开始，${sections.join('\n')}\n` +
      `${by}在督办系统“待办”的季度进展反馈中一并填报（一次提交），已填报的事项无需重复报送。`,
  };
}
