import { RenderedNotice, TemplateParams } from './params';

/**
 * 改派: a measure's responsible org, person or leader changed; the people it left and the
 * people it reached are told, with the reason. params: taskId, taskMeasure, orgName (the
 * responsible org now), reason.
 */
export function renderTaskReassigned(params: Record<string, unknown>): RenderedNotice {
  const p = new TemplateParams('task_reassigned', params);
  p.text('taskId');
  const measure = p.text('taskMeasure');
  const orgName = p.text('orgName');
  const reason = p.text('reason');
  return {
    title: `【改派】整改措施“${measure}”已改派`,
    body: `整改措施“${measure}”已改派，现由${orgName}负责。改派理由：${reason}。请相关同志做好交接。`,
  };
}
