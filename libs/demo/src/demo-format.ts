import { LIGHT_LABELS, LIGHTS, TASK_STATE_LABELS, TASK_STATES } from '#duban/domain';
import { DEMO_ROOT_USERNAME } from './demo-content';
import type { DemoLogin, DemoReport } from './demo-loader';

const LEVEL_LABELS = ['未升级', '催办', '督办', '通报', '问责'];

/** Columns in a terminal: CJK and full-width characters take two. */
export function displayWidth(text: string): number {
  let width = 0;
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    width +=
      (code >= 0x1100 && code <= 0x115f) ||
      (code >= 0x2e80 && code <= 0xa4cf) ||
      (code >= 0xac00 && code <= 0xd7a3) ||
      (code >= 0xf900 && code <= 0xfaff) ||
      (code >= 0xfe30 && code <= 0xfe4f) ||
      (code >= 0xff00 && code <= 0xff60) ||
      (code >= 0xffe0 && code <= 0xffe6)
        ? 2
        : 1;
  }
  return width;
}

const pad = (text: string, width: number) =>
  text + ' '.repeat(Math.max(0, width - displayWidth(text)));

/** The demo logins as an aligned table: 用户名, 姓名, 角色, 组织, 职务. */
export function formatLogins(logins: readonly DemoLogin[]): string[] {
  const header = ['用户名 username', '姓名', '角色 role', '组织 organisation', '职务 in the story'];
  const rows = logins.map((l) => [
    l.username,
    l.displayName,
    `${l.roleLabel} ${l.role}`,
    l.org,
    l.title,
  ]);
  const widths = header.map((h, i) =>
    Math.max(displayWidth(h), ...rows.map((r) => displayWidth(r[i]))),
  );
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : pad(c, widths[i])))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)];
}

const localDate = (d: Date) =>
  new Intl.DateTimeFormat('zh-CN', {
    timeZone: 'Asia/Shanghai',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(d);

/** The whole printout of `npm run demo`: what was loaded, who can log in, what to look at. */
export function formatReport(report: DemoReport, baseUrl = 'http://localhost:3000'): string[] {
  const out: string[] = [report.message, ''];
  if (report.created) {
    out.push(
      `故事时间 story time: ${localDate(report.storyStart)} → ${localDate(report.storyEnd)}（演示时钟逐日推进，督办引擎按真实规则运行）`,
    );
  }
  const s = report.summary;
  if (s) {
    const states = TASK_STATES.map((k) => `${TASK_STATE_LABELS[k]} ${s.states[k] ?? 0}`).join('，');
    const lights = LIGHTS.map((k) => `${LIGHT_LABELS[k]}灯 ${s.lights[k] ?? 0}`).join('，');
    const levels = LEVEL_LABELS.map((label, i) => `${i} ${label} ${s.levels[i] ?? 0}`).join('，');
    out.push(
      `问题 problems: ${s.problems}（屡改屡犯 recurring ${s.recurringProblems}）；整改措施 measures: ${s.tasks}`,
      `  状态 states: ${states}`,
      `  预警 lights: ${lights}`,
      `  督办级别 ladder: ${levels}`,
      `  问责案件 accountability cases: 待处理 open ${s.openCases}，已决定 decided ${s.decidedCases}；审计事件 audit events: ${s.auditEvents}`,
    );
  }
  out.push('');
  if (report.password) {
    out.push(`演示账号（统一密码 one password for all）: ${report.password}`);
  } else {
    out.push('演示账号（密码为首次加载时的演示密码 password as set when the demo was loaded）:');
  }
  out.push(...formatLogins(report.logins));
  if (report.logins.some((l) => l.username === DEMO_ROOT_USERNAME)) {
    out.push(
      `注意：数据库中原本没有系统管理员，已创建 ${DEMO_ROOT_USERNAME}（演示密码）；系统管理员只在一个都没有时创建，之后启动 api 不会再建 DUBAN_ADMIN_USERNAME 账号。`,
      `Note: the database had no system administrator, so ${DEMO_ROOT_USERNAME} was created with the demo password; the api creates DUBAN_ADMIN_USERNAME only when there is none, so it will not create another.`,
    );
  }
  out.push('');
  out.push(
    '看什么 What to look at（先 POST /api/v1/auth/login 取得令牌 / log in first; API docs: ' +
      `${baseUrl}/api/docs）:`,
    '  1. demo.secretary 县委书记：GET /api/v1/tasks?light=red 逾期任务和督办级别（催办→督办→通报→问责）；' +
      'GET /api/v1/tasks?state=verified 待销号（县实验小学报表合并）。',
    '     the county secretary: overdue measures and their ladder level; one verified measure awaits closure.',
    '  2. demo.supervisor 督查室：GET /api/v1/tasks?state=submitted 待验收（第一中学谈心谈话）；' +
      'GET /api/v1/tasks?light=yellow 滞后和“表面整改”（回头看重新打开的变相打卡）。',
    '     the supervisor: work awaiting verification; lagging and superficial rectification found by checks.',
    '  3. demo.discipline 纪检：GET /api/v1/accountability-cases 第二村挪用党建经费（待处理）、' +
      '财政局考核系统推迟（容错免责）。',
    '     discipline inspection: one open accountability case, one exempted (容错免责) with its reason.',
    '  4. demo.member4 第二村：延期获批，新期限临近（蓝灯）；demo.branch2 财政局：延期被驳回，逾期督办。',
    '     an approved extension near its new deadline (blue); a rejected one now overdue (督办).',
    '  5. GET /api/v1/problems?recurring=true 负面清单：第一村“三会一课”刚销号又犯（屡改屡犯）。',
    '     the negative list: a problem that came back after its closure.',
    '  6. GET /api/v1/tasks/{id}/timeline 每一步的不可改写记录；npm run audit:verify 校验审计哈希链。',
    '     every step leaves a record that cannot be rewritten; audit:verify checks the hash chain.',
  );
  return out;
}
