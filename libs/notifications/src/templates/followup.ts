import { RenderedNotice, TemplateParams } from './params';

/**
 * 回头看: a closed measure was drawn for re-inspection and this person must check it.
 * params: reinspectionId, taskId, taskMeasure, orgName, quarter.
 */
export function renderReinspectionAssigned(params: Record<string, unknown>): RenderedNotice {
  const p = new TemplateParams('reinspection_assigned', params);
  p.text('reinspectionId');
  p.text('taskId');
  const measure = p.text('taskMeasure');
  const orgName = p.text('orgName');
  const quarter = p.text('quarter');
  if (params['overdue'] === true) {
    return {
      title: `【回头看逾期】${orgName}整改措施的复查尚未登记结果`,
      body:
        `${quarter}抽中回头看的整改措施“${measure}”（${orgName}）已过复查期限仍未登记结果。` +
        '请尽快实地复查并登记（巩固 / 反弹）。',
    };
  }
  return {
    title: `【回头看】请复查${orgName}已销号的整改措施`,
    body:
      `${quarter}已销号的整改措施“${measure}”（${orgName}）被随机抽中回头看。` +
      '请实地复查整改成效是否巩固，并登记复查结果（巩固 / 反弹）；反弹的措施将重新打开整改。',
  };
}

/**
 * 负面清单: a unit or person entered the negative list; the raising committee and discipline
 * inspection are told. params: entryId, subjectName, reason.
 */
export function renderNegativeListed(params: Record<string, unknown>): RenderedNotice {
  const p = new TemplateParams('negative_listed', params);
  p.text('entryId');
  const subject = p.text('subjectName');
  const reason = p.text('reason');
  return {
    title: `【负面清单】${subject}列入整改负面清单`,
    body:
      `${subject}因“${reason}”列入整改负面清单。列入期间，其新发现问题提高一个等级督办，` +
      '整改措施须由立项党组织书记审批销号；连续12个月无新情况自动移出。',
  };
}
