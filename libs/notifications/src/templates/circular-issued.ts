import { RenderedNotice, TemplateParams } from './params';

/**
 * 通报印发: an org issued its quarterly 通报 and names the recipient's org in it (主送); the
 * secretaries of the named orgs are told, with a link to the archived document.
 * params: circularId, quarter, orgName (the issuing org), title, documentUrl.
 */
export function renderCircularIssued(params: Record<string, unknown>): RenderedNotice {
  const p = new TemplateParams('circular_issued', params);
  p.text('circularId');
  const quarter = p.quarter('quarter');
  const orgName = p.text('orgName');
  const title = p.text('title');
  const url = p.text('documentUrl');
  return {
    title: `【通报】${orgName}印发《${title}》`,
    body:
      `${orgName}已印发${quarter}整改督办情况通报，你单位为主送单位。` +
      `请认真组织学习，对照通报问题抓好整改落实。通报全文：${url}`,
  };
}
