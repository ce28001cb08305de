import {
  LIGHT_LABELS,
  type Light,
  PROBLEM_SEVERITIES,
  type ProblemSeverity,
  TASK_MODES,
  TASK_STATE_LABELS,
  type TaskMode,
  type TaskState,
} from '#duban/domain';
import { PROBLEM_SOURCE_LABELS, PROBLEM_SOURCES, type ProblemSource } from '../catalog/catalog';

/**
 * The ledger (台账): one row per measure, in the layout committees keep in Excel. Export and
 * import both read this list, so a ledger exported from here can be filled in and imported
 * back, and a column renamed here is renamed in both.
 */

export const SEVERITY_LABELS: Readonly<Record<ProblemSeverity, string>> = {
  general: '一般',
  serious: '严重',
  critical: '重大',
};

/** 整改方式 */
export const MODE_LABELS: Readonly<Record<TaskMode, string>> = {
  immediate: '立行立改',
  deadline: '限期整改',
  standing: '长期坚持',
};

/**
 * How the import treats a column: `problem` and `task` columns are read (problem columns may
 * be left blank on the second and later rows of the same problem), `ignored` ones are written
 * by the export only (state, light… are facts of the system, never imported).
 */
export type ImportRole = 'problem' | 'task' | 'ignored';

/**
 * What the xlsx export writes into a column's cells: text, a number cell, or a date cell (a
 * `date` column shows the day, a `dateTime` one the day and, where the deadline is an exact
 * instant, the local wall-clock time). CSV writes everything as text.
 */
export type LedgerCellType = 'text' | 'number' | 'date' | 'dateTime';

/** Excel number formats of the date columns (the only cells that carry a style). */
export const LEDGER_NUM_FMTS: Readonly<Record<'date' | 'dateTime', string>> = {
  date: 'yyyy-mm-dd',
  dateTime: 'yyyy-mm-dd hh:mm',
};

/** The number format of a column's xlsx cells: the date columns', none for the others. */
export function numFmtOf(c: LedgerColumn): string | undefined {
  return c.type === 'date' || c.type === 'dateTime' ? LEDGER_NUM_FMTS[c.type] : undefined;
}

export interface LedgerColumn {
  readonly key: LedgerKey;
  readonly header: string;
  /** Column width in Excel's character units. */
  readonly width: number;
  /** The kind of cell the xlsx export writes; text when absent. */
  readonly type?: LedgerCellType;
  readonly import: ImportRole;
  /** The import refuses a row where this cell is empty (after inheriting from the row above). */
  readonly required: boolean;
  /** Other headers the import accepts for this column, as local ledgers name it. */
  readonly aliases?: readonly string[];
}

export const LEDGER_COLUMNS = [
  { key: 'seq', header: '序号', width: 7, import: 'ignored', required: false, type: 'number' },
  {
    key: 'title',
    header: '问题标题',
    width: 36,
    import: 'problem',
    required: true,
    aliases: ['问题', '存在问题', '问题名称'],
  },
  {
    key: 'description',
    header: '问题描述',
    width: 48,
    import: 'problem',
    required: false,
    aliases: ['问题表现', '具体表现'],
  },
  { key: 'category', header: '问题分类', width: 24, import: 'problem', required: true },
  { key: 'severity', header: '严重程度', width: 10, import: 'problem', required: true },
  { key: 'source', header: '问题来源', width: 16, import: 'problem', required: true },
  { key: 'campaign', header: '批次', width: 26, import: 'problem', required: false },
  {
    key: 'org',
    header: '问题所在单位',
    width: 24,
    import: 'problem',
    required: true,
    aliases: ['所在单位', '问题单位'],
  },
  { key: 'raisingOrg', header: '立项单位', width: 20, import: 'problem', required: false },
  { key: 'measure', header: '整改措施', width: 48, import: 'task', required: true },
  { key: 'mode', header: '整改方式', width: 12, import: 'task', required: false },
  {
    key: 'responsibleOrg',
    header: '责任单位',
    width: 24,
    import: 'task',
    required: true,
    aliases: ['责任部门'],
  },
  { key: 'responsible', header: '责任人', width: 12, import: 'task', required: true },
  { key: 'leader', header: '分管领导', width: 12, import: 'task', required: false },
  {
    key: 'dueDate',
    header: '整改时限',
    width: 17,
    type: 'dateTime',
    import: 'task',
    required: false,
    aliases: ['完成时限', '整改期限'],
  },
  { key: 'state', header: '状态', width: 10, import: 'ignored', required: false },
  { key: 'light', header: '预警', width: 8, import: 'ignored', required: false },
  {
    key: 'escalation',
    header: '升级级别',
    width: 9,
    import: 'ignored',
    required: false,
    type: 'number',
  },
  { key: 'escalationName', header: '升级环节', width: 10, import: 'ignored', required: false },
  {
    key: 'closedOn',
    header: '销号日期',
    width: 12,
    import: 'ignored',
    required: false,
    type: 'date',
  },
  { key: 'negativeList', header: '负面清单', width: 10, import: 'ignored', required: false },
] as const satisfies readonly (Omit<LedgerColumn, 'key'> & { key: string })[];

export type LedgerKey = (typeof LEDGER_COLUMNS)[number]['key'];

export const LEDGER_HEADERS: readonly string[] = LEDGER_COLUMNS.map((c) => c.header);

/** The header of a column, for error reports that name the cell the user must fix. */
export const headerOf = (key: LedgerKey): string =>
  LEDGER_COLUMNS.find((c) => c.key === key)!.header;

/** One measure as the export reads it from the database (already scoped and joined). */
export interface LedgerRecord {
  problemTitle: string;
  problemDescription: string;
  categoryName: string;
  severity: ProblemSeverity;
  source: ProblemSource;
  campaign: string | null;
  orgName: string;
  raisingOrgName: string;
  measure: string;
  mode: TaskMode;
  responsibleOrgName: string;
  responsibleName: string;
  leaderName: string | null;
  /** 'YYYY-MM-DD' in the responsible org's zone; null for standing measures. */
  dueDate: string | null;
  /**
   * 'HH:MM' in the responsible org's zone where the deadline is an exact instant (given as
   * dueAt); null where it is the end of the day (given as dueDate) or there is none.
   */
  dueTime: string | null;
  state: TaskState;
  light: Light;
  escalationLevel: number;
  /** The name of the step reached (催办, 督办…), when the ladder recorded one. */
  escalationName: string | null;
  /** 'YYYY-MM-DD' in the responsible org's zone. */
  closedOn: string | null;
  /** The responsible unit is on the negative list (负面清单) now. */
  negativeListed?: boolean;
}

/** A cell of the xlsx ledger: a Date is the local wall-clock time, written as if it were UTC. */
export type LedgerCell = string | number | Date;

/**
 * The cells of one ledger row for the xlsx export, in LEDGER_COLUMNS order: dates as Date
 * (Excel has no time zones, so the org's local wall-clock time is the cell's value, carried in
 * the Date's UTC fields), 序号 and 升级级别 as numbers, the rest as text; empty cells as ''.
 */
export function ledgerCells(r: LedgerRecord, seq: number): LedgerCell[] {
  const values: Record<LedgerKey, LedgerCell> = {
    seq,
    title: r.problemTitle,
    description: r.problemDescription,
    category: r.categoryName,
    severity: SEVERITY_LABELS[r.severity] ?? r.severity,
    source: PROBLEM_SOURCE_LABELS[r.source] ?? r.source,
    campaign: r.campaign ?? '',
    org: r.orgName,
    raisingOrg: r.raisingOrgName,
    measure: r.measure,
    mode: MODE_LABELS[r.mode] ?? r.mode,
    responsibleOrg: r.responsibleOrgName,
    responsible: r.responsibleName,
    leader: r.leaderName ?? '',
    dueDate: r.dueDate ? wallClock(r.dueDate, r.dueTime) : '',
    state: TASK_STATE_LABELS[r.state] ?? r.state,
    light: LIGHT_LABELS[r.light] ?? r.light,
    escalation: r.escalationLevel > 0 ? r.escalationLevel : '',
    escalationName: r.escalationLevel > 0 ? (r.escalationName ?? '') : '',
    closedOn: r.closedOn ? wallClock(r.closedOn, null) : '',
    negativeList: r.negativeListed ? '在列' : '',
  };
  return LEDGER_COLUMNS.map((c) => values[c.key]);
}

/** The same row as text, for CSV: dates as YYYY-MM-DD (and HH:MM for an exact deadline). */
export function ledgerTextCells(r: LedgerRecord, seq: number): string[] {
  return ledgerCells(r, seq).map(cellAsText);
}

/** A ledger cell as the text CSV writes for it (and the import reads back). */
export function cellAsText(cell: LedgerCell): string {
  if (typeof cell === 'string') return cell;
  if (typeof cell === 'number') return String(cell);
  const iso = cell.toISOString();
  const time = iso.slice(11, 16);
  return time === '00:00' ? iso.slice(0, 10) : `${iso.slice(0, 10)} ${time}`;
}

/** 'YYYY-MM-DD' (+ 'HH:MM') as a Date whose UTC fields are that wall-clock time. */
function wallClock(date: string, time: string | null): Date {
  return new Date(`${date}T${time ?? '00:00'}:00.000Z`);
}

/** Headers compare without spaces, a trailing required-marker (*) or a note in brackets. */
export function normaliseHeader(text: string): string {
  return text
    .replace(/\s+/gu, '')
    .replace(/[（(][^）)]*[）)]$/u, '')
    .replace(/[*＊]+$/u, '')
    .replace(/^[*＊]+/u, '');
}

const HEADER_INDEX: ReadonlyMap<string, LedgerColumn> = new Map(
  (LEDGER_COLUMNS as readonly LedgerColumn[]).flatMap((c) =>
    [c.header, ...(c.aliases ?? [])].map((h) => [normaliseHeader(h), c] as const),
  ),
);

/** The ledger column a header cell names, or undefined for a column the import ignores. */
export function columnOfHeader(text: string): LedgerColumn | undefined {
  return HEADER_INDEX.get(normaliseHeader(text));
}

// --- reading the zh labels back --------------------------------------------------------------

const reverse = <K extends string>(labels: Readonly<Record<K, string>>, codes: readonly K[]) =>
  new Map<string, K>([
    ...codes.map((c) => [c, c] as const),
    ...codes.map((c) => [labels[c], c] as const),
  ]);

const SEVERITY_BY_TEXT = reverse(SEVERITY_LABELS, PROBLEM_SEVERITIES);
const MODE_BY_TEXT = reverse(MODE_LABELS, TASK_MODES);
const SOURCE_BY_TEXT = new Map<string, ProblemSource>([
  ...reverse(PROBLEM_SOURCE_LABELS, PROBLEM_SOURCES),
  // 民主生活会/组织生活会查摆 is one source; ledgers name either meeting.
  ['民主生活会查摆', 'life_meeting'],
  ['组织生活会查摆', 'life_meeting'],
]);

export const severityOfText = (text: string): ProblemSeverity | undefined =>
  SEVERITY_BY_TEXT.get(text.trim().toLowerCase()) ?? SEVERITY_BY_TEXT.get(text.trim());
export const modeOfText = (text: string): TaskMode | undefined =>
  MODE_BY_TEXT.get(text.trim().toLowerCase()) ?? MODE_BY_TEXT.get(text.trim());
export const sourceOfText = (text: string): ProblemSource | undefined =>
  SOURCE_BY_TEXT.get(text.trim().toLowerCase()) ?? SOURCE_BY_TEXT.get(text.trim());

export const SEVERITY_CHOICES = PROBLEM_SEVERITIES.map((s) => SEVERITY_LABELS[s]).join('、');
export const MODE_CHOICES = TASK_MODES.map((m) => MODE_LABELS[m]).join('、');
export const SOURCE_CHOICES = PROBLEM_SOURCES.map((s) => PROBLEM_SOURCE_LABELS[s]).join('、');
