import { formatDate, numberedList, RenderedNotice, TemplateParams } from './params';

/**
 * Workflow notices (工作提醒): work landed on the reader. One notice may list several measures
 * of one problem (a burst of the same kind is merged into one notice). params: problemTitle,
 * tasks: [{id, measure, and optionally dueAt, reason, newDueAt, approved, comment}], timeZone?.
 * The title names the measure when there is one, else the problem.
 */
interface Line {
  measure: string;
  dueAt?: Date;
  reason?: string;
  newDueAt?: Date;
  approved?: boolean;
  comment?: string;
}

function read(kind: string, params: Record<string, unknown>) {
  const p = new TemplateParams(kind, params);
  const problem = p.text('problemTitle');
  const tz = p.timeZone();
  const tasks = p.list('tasks', (t): Line => {
    t.text('id');
    return {
      measure: t.text('measure'),
      dueAt: t.optionalInstant('dueAt'),
      reason: t.optionalText('reason'),
      newDueAt: t.optionalInstant('newDueAt'),
      approved: t.optionalBool('approved'),
      comment: t.optionalText('comment'),
    };
  });
  const subject =
    tasks.length === 1 ? `“${tasks[0].measure}”` : `“${problem}”的${tasks.length}项整改措施`;
  return { problem, tz, tasks, subject };
}

const due = (l: Line, tz: string) => (l.dueAt ? `（期限：${formatDate(l.dueAt, tz)}）` : '');

export function renderTaskAssigned(params: Record<string, unknown>): RenderedNotice {
  const { problem, tz, tasks, subject } = read('task_assigned', params);
  return {
    title: `【交办】${subject}已交办给您`,
    body:
      `问题“${problem}”的以下整改措施已交办，您是责任人或分管领导：\n` +
      `${numberedList(tasks.map((l) => `${l.measure}${due(l, tz)}`))}\n` +
      '请登录督办系统接收任务，按期推进整改并反馈进展。',
  };
}

export function renderTaskReturned(params: Record<string, unknown>): RenderedNotice {
  const { problem, tasks, subject } = read('task_returned', params);
  return {
    title: `【退回】${subject}验收未通过，请重新整改`,
    body:
      `问题“${problem}”的以下整改措施验收未通过，已退回重改：\n` +
      `${numberedList(tasks.map((l) => `${l.measure}${l.reason ? `——退回理由：${l.reason}` : ''}`))}\n` +
      '请按退回理由完成整改后重新提交验收。',
  };
}

export function renderTaskSubmitted(params: Record<string, unknown>): RenderedNotice {
  const { problem, tasks, subject } = read('task_submitted', params);
  return {
    title: `【待验收】${subject}已提交验收`,
    body:
      `问题“${problem}”的以下整改措施已申请销号，等待验收：\n` +
      `${numberedList(tasks.map((l) => l.measure))}\n` +
      '请登录督办系统查看佐证材料并作出验收结论。',
  };
}

export function renderTaskVerified(params: Record<string, unknown>): RenderedNotice {
  const { problem, tasks, subject } = read('task_verified', params);
  return {
    title: `【待销号】${subject}已通过验收`,
    body:
      `问题“${problem}”的以下整改措施已通过验收，等待批准销号：\n` +
      `${numberedList(tasks.map((l) => l.measure))}\n` +
      '请登录督办系统审核并批准销号。',
  };
}

export function renderExtensionRequested(params: Record<string, unknown>): RenderedNotice {
  const { problem, tz, tasks, subject } = read('extension_requested', params);
  const line = (l: Line) =>
    `${l.measure}${l.newDueAt ? `，申请延期至${formatDate(l.newDueAt, tz)}` : ''}` +
    `${l.reason ? `，理由：${l.reason}` : ''}`;
  return {
    title: `【延期申请】${subject}申请延期`,
    body:
      `问题“${problem}”的以下整改措施申请延期：\n${numberedList(tasks.map(line))}\n` +
      '请登录督办系统审批。',
  };
}

export function renderExtensionDecided(params: Record<string, unknown>): RenderedNotice {
  const { problem, tz, tasks, subject } = read('extension_decided', params);
  const line = (l: Line) =>
    `${l.measure}：${l.approved ? `已批准延期${l.newDueAt ? `至${formatDate(l.newDueAt, tz)}` : ''}` : '未批准延期，原期限不变'}` +
    `${l.comment ? `（意见：${l.comment}）` : ''}`;
  const all = tasks.every((l) => l.approved)
    ? '已批准'
    : tasks.every((l) => l.approved === false)
      ? '未获批准'
      : '已审批';
  return {
    title: `【延期审批】${subject}的延期申请${all}`,
    body: `问题“${problem}”的延期申请已审批：\n${numberedList(tasks.map(line))}`,
  };
}
