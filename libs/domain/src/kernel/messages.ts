/**
 * The languages of user-visible messages. Every message is written zh-CN first, and may carry
 * its English after ` — ` ("中文 — English"): people read the Chinese, `Accept-Language: en`
 * gets the English, logs keep both. A message without English is shown as it is in both.
 */
export type Language = 'zh' | 'en';

const HAN = /[\u3400-\u9fff\uf900-\ufaff]/;
const SEPARATOR = ' — ';

/** Whether a text contains Chinese (Han) characters. */
export const hasChinese = (text: string): boolean => HAN.test(text);

/** One message in both languages, written as the convention above: `中文 — English`. */
export const bilingual = (zh: string, en: string): string => `${zh}${SEPARATOR}${en}`;

/**
 * Splits `中文 — English` into its two parts: at the first ` — ` that follows Chinese and where
 * English begins (so a Chinese part may itself contain a dash, and the English may quote a
 * Chinese name). A text with no such English part is both.
 */
export function splitMessage(text: string): { zh: string; en: string } {
  let at = text.indexOf(SEPARATOR);
  while (at >= 0) {
    const zh = text.slice(0, at).trim();
    const en = text.slice(at + SEPARATOR.length).trim();
    if (hasChinese(zh) && en && !hasChinese(en.charAt(0)) && /[A-Za-z]/.test(en)) return { zh, en };
    at = text.indexOf(SEPARATOR, at + 1);
  }
  return { zh: text, en: text };
}

/** Several messages as one: the Chinese parts joined, then the English parts. */
export function joinMessages(messages: readonly string[]): string {
  const parts = messages.map(splitMessage);
  const zh = parts.map((p) => p.zh).join('；');
  const en = parts.map((p) => p.en).join('; ');
  return parts.every((p) => p.zh === p.en) ? zh : bilingual(zh, en);
}

/** The message in one language. */
export const localize = (text: string, language: Language): string => splitMessage(text)[language];

/**
 * The language an `Accept-Language` header asks for: English when its most preferred language
 * is English (`en`, `en-US`, `en;q=0.9, zh;q=0.8`), zh-CN otherwise, and when absent.
 */
export function languageOf(acceptLanguage: string | undefined | null): Language {
  if (!acceptLanguage) return 'zh';
  const ranked = acceptLanguage
    .split(',')
    .map((part, index) => {
      const [tag, ...params] = part.trim().toLowerCase().split(';');
      const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
      const weight = q ? Number(q.slice(2)) : 1;
      return { tag: tag.trim(), weight: Number.isFinite(weight) ? weight : 0, index };
    })
    .filter((l) => l.tag && l.weight > 0)
    .sort((a, b) => b.weight - a.weight || a.index - b.index);
  const first = ranked[0]?.tag ?? '';
  return first === 'en' || first.startsWith('en-') ? 'en' : 'zh';
}

/** The Chinese label of each field name the api accepts (the words the web forms use). */
export const FIELD_LABELS: Readonly<Record<string, string>> = {
  accessToken: '访问令牌',
  active: '启用状态',
  addresseeOrgIds: '主送组织',
  attachmentIds: '佐证材料',
  body: '请求内容',
  campaignId: '专项督查',
  category: '问题类别',
  channel: '通知渠道',
  channels: '通知渠道',
  checklist: '检查清单',
  checklistCode: '检查清单编号',
  code: '编号',
  comment: '意见',
  content: '内容',
  contentType: '文件类型',
  date: '日期',
  deadline: '期限',
  decision: '决定',
  deputyId: '代理人',
  description: '问题描述',
  digestTime: '每日汇总时间',
  disabled: '停用状态',
  displayName: '姓名',
  dryRun: '试运行',
  dueDate: '完成期限',
  email: '电子邮箱',
  end: '结束日期',
  endsOn: '结束日期',
  entries: '条目',
  escalations: '升级规则',
  file: '文件',
  fileName: '文件名',
  findings: '发现的问题',
  force: '强制执行',
  format: '格式',
  from: '开始日期',
  fromLevel: '起始层级',
  grade: '等次',
  grades: '等次',
  heldOn: '召开日期',
  hostOrgId: '牵头组织',
  id: '编号',
  initialPassword: '初始密码',
  inspectorRole: '纪检角色',
  inspectorUserId: '纪检人员',
  itemId: '承诺事项',
  items: '承诺事项',
  kind: '组织类型',
  leaderUserId: '分管领导',
  level: '层级',
  limit: '条数',
  maxShare: '最大占比',
  measure: '整改措施',
  minScore: '最低分',
  mode: '方式',
  name: '名称',
  newDueDate: '新的完成期限',
  note: '备注',
  notes: '备注',
  notify: '通知方式',
  orgId: '组织',
  outcome: '问责结果',
  page: '页码',
  pageSize: '每页条数',
  parentId: '上级组织',
  participantUserIds: '参加人员',
  password: '密码',
  phone: '手机号码',
  plannedAt: '计划时间',
  policy: '提醒规则',
  problemId: '问题',
  problemIds: '问题',
  progress: '进展情况',
  q: '搜索词',
  quarter: '季度',
  quietHours: '免打扰时段',
  raisedByOrgId: '立项党组织',
  reason: '理由',
  recurring: '是否反复出现',
  remindBefore: '提前提醒',
  responsibleOrgId: '责任单位',
  responsibleUserId: '责任人',
  role: '角色',
  rows: '行',
  secret: '签名密钥',
  severity: '严重程度',
  start: '开始日期',
  startsOn: '开始日期',
  state: '状态',
  status: '状态',
  subjectUserId: '谈话对象',
  subjects: '问责对象',
  summary: '概要',
  talkDueBy: '谈话期限',
  targetDraw: '抽取方式',
  targetOrgId: '对象组织',
  targetOrgIds: '对象组织',
  targets: '对象',
  taskId: '整改措施',
  taskIds: '整改措施',
  tasks: '整改措施',
  teamUserIds: '督查组成员',
  text: '正文',
  timeZone: '时区',
  title: '标题',
  to: '结束日期',
  type: '类型',
  under: '所属组织',
  unread: '未读',
  url: '地址',
  userId: '用户',
  username: '用户名',
  value: '值',
  voterUserIds: '投票人',
  weight: '权重',
  withinOrgId: '组织范围',
  year: '年度',
  'If-Match': '版本号（If-Match）',
  steps: '升级步骤',
  after: '时间',
  lights: '信号灯',
  blueWithinWorkingDays: '蓝灯提前工作日数',
  workingDays: '工作日数',
  default: '一般问题的规则',
  bySeverity: '按严重程度的规则',
  serious: '较重问题',
  critical: '严重问题',
};

/** What one element of a list is called: 第1项措施, 第2级升级步骤, 第3次提醒. */
const ELEMENT_NOUNS: Readonly<Record<string, string>> = {
  tasks: '第{n}项措施',
  steps: '第{n}级升级步骤',
  remindBefore: '第{n}次提醒',
  indicators: '第{n}项考核指标',
  checklist: '第{n}项检查项',
  items: '第{n}项承诺事项',
  entries: '第{n}条',
  rows: '第{n}行',
  escalations: '第{n}条升级规则',
  findings: '第{n}项发现的问题',
  subjects: '第{n}个问责对象',
  targets: '第{n}个对象',
  grades: '第{n}个等次',
};

const labelOf = (name: string): string => FIELD_LABELS[name] ?? name;

/**
 * The Chinese label of a field path as the api names it: `dueDate` → 完成期限,
 * `tasks[0].dueDate` (or `tasks.0.dueDate`) → 第1项措施的完成期限, `teamUserIds[1]` →
 * 督查组成员的第2项. A name without a label is shown as it is.
 */
export function fieldLabel(path: string): string {
  const parts = path
    .replace(/\[(\d+)\]/g, '.$1')
    .split('.')
    .filter((p) => p !== '');
  let label = '';
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i];
    const next = parts[i + 1];
    if (next !== undefined && /^\d+$/.test(next)) {
      const n = String(Number(next) + 1);
      const noun = ELEMENT_NOUNS[part];
      label += noun ? noun.replace('{n}', n) : `${labelOf(part)}的第${n}项`;
      i++;
    } else if (/^\d+$/.test(part)) {
      label += `第${Number(part) + 1}项`;
    } else {
      label += labelOf(part);
    }
    if (i < parts.length - 1) label += '的';
  }
  return label || path;
}
