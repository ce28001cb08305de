// zh-CN names for the API's codes. The codes stay English on the wire; people read these.
import type { Light, Role, TaskAction, TaskMode, TaskState } from './types';

export const LIGHT_LABEL: Record<Light, string> = {
  red: '红灯',
  yellow: '黄灯',
  blue: '蓝灯',
  green: '绿灯',
};

export const LIGHT_MEANING: Record<Light, string> = {
  red: '已逾期',
  yellow: '进度滞后或督查发现问题',
  blue: '临近期限',
  green: '正常',
};

export const LIGHTS: Light[] = ['red', 'yellow', 'blue', 'green'];

export const STATE_LABEL: Record<TaskState, string> = {
  assigned: '待签收',
  in_progress: '整改中',
  submitted: '待验收',
  verified: '待销号',
  closed: '已销号',
};

export const STATES: TaskState[] = ['assigned', 'in_progress', 'submitted', 'verified', 'closed'];

export const MODE_LABEL: Record<TaskMode, string> = {
  immediate: '立行立改',
  deadline: '限期整改',
  standing: '长期坚持',
};

export const ROLE_LABEL: Record<Role, string> = {
  admin: '系统管理员',
  secretary: '书记',
  deputy: '副书记',
  supervisor: '督查员',
  member: '成员',
  discipline: '纪检',
};

export const ORG_KIND_LABEL: Record<string, string> = {
  committee: '党委',
  work_committee: '工委',
  general_branch: '党总支',
  branch: '党支部',
  group: '党小组',
};

export const SEVERITY_LABEL: Record<string, string> = {
  general: '一般',
  serious: '较重',
  critical: '严重',
};

export const SOURCE_LABEL: Record<string, string> = {
  inspection_tour: '巡视巡察',
  special_supervision: '专项督查',
  quarterly_check: '季度督查',
  roving_check: '巡回督查',
  annual_evaluation: '考核',
  life_meeting: '民主生活会/组织生活会查摆',
  public_report: '群众反映',
  self_inspection: '自查',
  spot_check: '随机抽查',
};

export const CHECK_LABEL: Record<string, string> = {
  on_track: '按进度推进',
  lagging: '进度滞后',
  superficial: '表面整改',
};

export const ACTION_LABEL: Record<TaskAction, string> = {
  accept: '签收',
  reportProgress: '反馈进展',
  submit: '申请销号',
  verify: '验收',
  close: '批准销号',
  reopen: '回头看（重新打开）',
  requestExtension: '申请延期',
  decideExtension: '审批延期',
  recordCheck: '记录督查',
};

export const EVENT_LABEL: Record<string, string> = {
  assigned: '交办',
  accepted: '签收',
  progress_reported: '反馈进展',
  submitted: '申请销号',
  verification_passed: '验收通过',
  verification_failed: '验收不通过，退回重改',
  closed: '批准销号',
  reopened: '回头看，重新打开',
  extension_requested: '申请延期',
  extension_approved: '同意延期',
  extension_rejected: '驳回延期',
  check_recorded: '督查',
  reminded: '到期提醒',
  escalated: '逾期升级',
  talk_due: '应约谈分管领导',
  reassigned: '改派',
  withdrawn: '问题撤回',
};

export const AUDIENCE_LABEL: Record<string, string> = {
  responsible: '责任人',
  leader: '分管领导',
  secretary: '责任单位书记',
  superior: '上级党组织书记',
  supervisor: '督查员',
  discipline: '纪检',
};

export const AUDIENCES = Object.keys(AUDIENCE_LABEL);

export const OUTCOME_GROUPS: { label: string; outcomes: [string, string][] }[] = [
  {
    label: '对党组织',
    outcomes: [
      ['inspection', '检查'],
      ['circulated_notice', '通报'],
      ['reorganisation', '改组'],
    ],
  },
  {
    label: '对领导干部',
    outcomes: [
      ['admonishment', '诫勉'],
      ['organisational_adjustment', '组织调整或者组织处理'],
      ['disciplinary', '纪律处分'],
    ],
  },
  { label: '容错免责', outcomes: [['exempted', '容错免责（三个区分开来）']] },
];

export const NOTIFICATION_KIND_LABEL: Record<string, string> = {
  reminder: '到期提醒',
  escalation: '督办升级',
  quarterly_report_due: '季度进展反馈',
  quarterly_report_late: '季度反馈逾期',
  accountability_opened: '问责启动',
  circular_issued: '通报印发',
  task_reassigned: '改派',
};

export const CHANNEL_LABEL: Record<string, string> = {
  inbox: '站内通知',
  email: '电子邮件',
  webhook: '工作群机器人',
};

export function label(map: Record<string, string>, code: string | null | undefined): string {
  if (!code) return '—';
  return map[code] ?? code;
}
