import { numberedList, RenderedNotice, TemplateParams } from './params';

/**
 * 问责 as its subjects read it: a case was opened against them, or decided. params: caseId,
 * taskId, taskMeasure, orgName, and for a decision outcomeLabel and reason.
 */
export function renderCaseOpenedForSubject(params: Record<string, unknown>): RenderedNotice {
  const p = new TemplateParams('case_opened_subject', params);
  p.text('caseId');
  p.text('taskId');
  const measure = p.text('taskMeasure');
  const orgName = p.text('orgName');
  if (Array.isArray(params.tasks) && params.tasks.length > 1) {
    const lines = p.list('tasks', (t) => t.text('measure'));
    return {
      title: `【问责】${orgName}${lines.length}项整改措施逾期未完成，已对您启动问责程序`,
      body:
        `${orgName}负责的以下${lines.length}项整改措施经逐级催办、督办仍未按期完成，系统已分别建立问责案件，` +
        `您是问责对象之一：\n${numberedList(lines)}\n` +
        '纪检部门将调查核实并作出处理决定；如有正当理由，可向纪检部门说明情况。',
    };
  }
  return {
    title: `【问责】“${measure}”逾期未完成，已对您启动问责程序`,
    body:
      `${orgName}负责的整改措施“${measure}”经逐级催办、督办仍未按期完成，系统已建立问责案件，` +
      '您是问责对象之一。纪检部门将调查核实并作出处理决定；如有正当理由，可向纪检部门说明情况。',
  };
}

export function renderCaseDecided(params: Record<string, unknown>): RenderedNotice {
  const p = new TemplateParams('case_decided', params);
  p.text('caseId');
  p.text('taskId');
  const measure = p.text('taskMeasure');
  const outcome = p.text('outcomeLabel');
  const reason = p.text('reason');
  return {
    title: `【问责决定】“${measure}”问责案件已作出决定：${outcome}`,
    body: `关于整改措施“${measure}”的问责案件已作出决定：${outcome}。理由：${reason}`,
  };
}
