import { formatDateTime, numberedList, RenderedNotice, TemplateParams } from './params';

/** What each step of the default ladder asks of the reader; other step names get the generic line. */
const ASK_BY_STEP: Record<string, string> = {
  催办: '请责任人和分管领导立即推进整改，并在督办系统中反馈进展。',
  督办: '该任务已挂牌督办，请书记切实履行第一责任人职责，限期办结并报告整改情况。',
  通报: '该任务将列入本季度通报，并约谈分管领导，请立即组织整改。',
  约谈: '请分管领导按通知接受约谈，并说明整改滞后的原因和下一步措施。',
  问责: '已按规定启动问责程序，移交纪检部门依规处理。',
};

/**
 * 催办 / 督办 / 通报 / 问责: a step of the escalation ladder was reached. params: taskId, level,
 * stepName, taskMeasure, dueAt, orgName, and optionally overdueWorkingDays, timeZone.
 */
export function renderEscalation(params: Record<string, unknown>): RenderedNotice {
  const p = new TemplateParams('escalation', params);
  p.text('taskId');
  const level = p.int('level');
  const stepName = p.text('stepName');
  const measure = p.text('taskMeasure');
  const orgName = p.text('orgName');
  const tz = p.timeZone();
  const dueAt = p.instant('dueAt');
  const overdue = p.optionalInt('overdueWorkingDays');
  const late = overdue === undefined || overdue <= 0 ? '' : `，已逾期${overdue}个工作日`;
  const ask = ASK_BY_STEP[stepName] ?? `请相关责任人高度重视，立即落实整改。`;
  if (Array.isArray(params.tasks) && params.tasks.length > 1) {
    // Several measures of one problem reached the step together: one notice lists them.
    const problem = p.text('problemTitle');
    const lines = p.list(
      'tasks',
      (t) => `${t.text('measure')}（期限：${formatDateTime(t.instant('dueAt'), tz)}）`,
    );
    return {
      title: `【${stepName}】${orgName}：“${problem}”的${lines.length}项整改措施逾期未完成`,
      body:
        `${orgName}负责的以下${lines.length}项整改措施逾期未完成：\n${numberedList(lines)}\n` +
        `现进入第${level}级“${stepName}”。${ask}`,
    };
  }
  return {
    title: `【${stepName}】${orgName}：“${measure}”逾期未完成`,
    body:
      `${orgName}负责的整改措施“${measure}”整改期限为${formatDateTime(dueAt, tz)}，至今未完成${late}。` +
      `现进入第${level}级“${stepName}”。${ask}`,
  };
}
