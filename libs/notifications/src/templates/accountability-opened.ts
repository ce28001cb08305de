import { numberedList, RenderedNotice, TemplateParams } from './params';

/**
 * 问责立案: the last step of the ladder opened an accountability case; discipline inspection
 * (and the people the policy names) are told. params: caseId, taskId, taskMeasure, orgName,
 * and optionally subjects (names of the people concerned).
 */
export function renderAccountabilityOpened(params: Record<string, unknown>): RenderedNotice {
  const p = new TemplateParams('accountability_opened', params);
  p.text('caseId');
  p.text('taskId');
  const measure = p.text('taskMeasure');
  const orgName = p.text('orgName');
  const raw = params['subjects'];
  const subjects =
    Array.isArray(raw) && raw.every((s): s is string => typeof s === 'string') ? raw : [];
  if (Array.isArray(params.tasks) && params.tasks.length > 1) {
    const lines = p.list('tasks', (t) => t.text('measure'));
    return {
      title: `【问责】${orgName}${lines.length}项整改任务逾期未完成，已启动问责程序`,
      body:
        `${orgName}负责的以下${lines.length}项整改措施经逐级催办、督办仍未按期完成，系统已分别建立问责案件：\n` +
        `${numberedList(lines)}\n` +
        '请纪检部门依照《中国共产党问责条例》调查核实并作出处理决定；' +
        '属于“三个区分开来”情形的，可依规容错免责，并写明理由。',
    };
  }
  return {
    title: `【问责】${orgName}整改任务逾期未完成，已启动问责程序`,
    body:
      `${orgName}负责的整改措施“${measure}”经逐级催办、督办仍未按期完成，系统已建立问责案件` +
      `${subjects.length > 0 ? `，涉及人员：${subjects.join('、')}` : ''}。` +
      '请纪检部门依照《中国共产党问责条例》调查核实并作出处理决定；' +
      '属于“三个区分开来”情形的，可依规容错免责，并写明理由。',
  };
}
