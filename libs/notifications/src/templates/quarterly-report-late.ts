import { numberedList, RenderedNotice, TemplateParams } from './params';

/**
 * 季度进展未反馈: tasks whose quarterly report is late turned yellow; their leader in charge is
 * told once, in one message. params: quarter ('2026Q4'),
 * tasks: [{id, measure, and optionally orgName, responsibleName}].
 */
export function renderQuarterlyReportLate(params: Record<string, unknown>): RenderedNotice {
  const p = new TemplateParams('quarterly_report_late', params);
  const quarter = p.quarter('quarter');
  const tasks = p.list('tasks', (t) => {
    t.text('id');
    const who = [t.optionalText('orgName'), t.optionalText('responsibleName')]
      .filter((s): s is string => s !== undefined)
      .join('，');
    return `${t.text('measure')}${who ? `（${who}）` : ''}`;
  });
  return {
    title: `【黄色预警】${quarter}有${tasks.length}项整改任务未按时反馈进展`,
    body:
      `您分管的以下${tasks.length}项整改任务超过期限仍未反馈${quarter}整改进展，已标为黄色预警：\n` +
      `${numberedList(tasks)}\n` +
      '请督促责任人尽快反馈进展，确保整改按序时进度推进。',
  };
}
