import { formatDate, formatDateTime, numberedList, RenderedNotice, TemplateParams } from './params';

/**
 * 提醒: a deadline is near. params: taskId, taskMeasure, dueAt (ISO instant), and optionally
 * orgName, workingDaysLeft, timeZone.
 */
export function renderReminder(params: Record<string, unknown>): RenderedNotice {
  const p = new TemplateParams('reminder', params);
  p.text('taskId');
  const measure = p.text('taskMeasure');
  const tz = p.timeZone();
  const dueAt = p.instant('dueAt');
  const orgName = p.optionalText('orgName');
  const daysLeft = p.optionalInt('workingDaysLeft');
  const left = daysLeft === undefined ? '' : `（还剩${daysLeft}个工作日）`;
  const many = Array.isArray(params.tasks) && params.tasks.length > 1;
  if (many) {
    // A burst about one problem, merged: one notice listing the measures.
    const problem = p.text('problemTitle');
    const lines = p.list(
      'tasks',
      (t) => `${t.text('measure')}（期限：${formatDateTime(t.instant('dueAt'), tz)}）`,
    );
    return {
      title: `【提醒】“${problem}”的${lines.length}项整改措施即将到期`,
      body:
        `${orgName ? `${orgName}：` : ''}您负责的以下${lines.length}项整改措施即将到期：\n` +
        `${numberedList(lines)}\n` +
        '请按期完成整改并在督办系统中反馈进展；确需延期的，请在到期前提出延期申请并说明理由。',
    };
  }
  return {
    title: `【提醒】“${measure}”将于${formatDate(dueAt, tz)}到期`,
    body:
      `${orgName ? `${orgName}：` : ''}您负责的整改措施“${measure}”将于${formatDateTime(dueAt, tz)}到期${left}。` +
      '请按期完成整改并在督办系统中反馈进展；确需延期的，请在到期前提出延期申请并说明理由。',
  };
}
