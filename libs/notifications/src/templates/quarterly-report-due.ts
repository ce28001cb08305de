import { formatDate, numberedList, RenderedNotice, TemplateParams } from './params';

/**
 * 季度进展反馈: one message per person listing every task that owes a progress report for the
 * quarter, so nobody gets one message per task. params: quarter ('2026Q4'),
 * tasks: [{id, measure, dueAt (ISO instant, or null for a standing measure)}], and optionally
 * reportBy (ISO instant), timeZone.
 */
export function renderQuarterlyReportDue(params: Record<string, unknown>): RenderedNotice {
  const p = new TemplateParams('quarterly_report_due', params);
  const quarter = p.quarter('quarter');
  const tz = p.timeZone();
  const reportBy = p.optionalInstant('reportBy');
  const tasks = p.list('tasks', (t) => {
    t.text('id');
    const dueAt = t.optionalInstant('dueAt');
    return `${t.text('measure')}（${dueAt ? `期限：${formatDate(dueAt, tz)}` : '长期坚持'}）`;
  });
  const by = reportBy ? `请于${formatDate(reportBy, tz)}前` : '请及时';
  return {
    title: `【季度督查】${quarter}请反馈${tasks.length}项整改任务进展`,
    body:
      `${quarter}已开始，您负责的以下${tasks.length}项整改任务需要反馈本季度整改进展：\n` +
      `${numberedList(tasks)}\n` +
      `${by}在督办系统中逐项填报，已填报的事项无需重复报送。`,
  };
}
