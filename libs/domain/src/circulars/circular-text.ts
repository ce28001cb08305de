import { Actor, ALLOW, Decision, deny, OrgRef, Role } from '../access/roles';
import { holdsRoleIn } from '../lifecycle/permissions';

/**
 * 通报 as a document: what each part of the quarterly circulated notice says, as text. Pure:
 * the facts come from the quarter summary and the circular list (the same queries as the JSON
 * reports), the layout (fonts, margins, page numbers) is the renderer's business.
 */

/** The roles that issue (印发) an org's 通报: 书记, 副书记 and the org's administrator. */
export const CIRCULAR_ISSUING_ROLES: readonly Role[] = ['secretary', 'deputy', 'admin'];

/** Issuing the 通报 of an org: its secretary, deputy or administrator, or the system admin. */
export function mayIssueCircular(actor: Actor, org: OrgRef): Decision {
  return actor.systemAdmin || holdsRoleIn(actor, org, CIRCULAR_ISSUING_ROLES)
    ? ALLOW
    : deny('无权印发通报：需要在该组织担任书记、副书记或管理员');
}

/** The tally of one unit (or the whole subtree) in the quarter, as the summary gives it. */
export interface CircularTally {
  orgName: string;
  total: number;
  closed: number;
  dueInQuarter: number;
  closedOnTime: number;
  /** 0..1, null when nothing was due. */
  onTimeRate: number | null;
  overdue: number;
  escalations: readonly { level: number; tasks: number }[];
  recurringProblems: number;
}

/** A measure named in 存在问题: it reached the 通报 step of the ladder in the quarter. */
export interface CircularIssue {
  /** The responsible unit as shown (disambiguated with its parent when names repeat). */
  unit: string;
  problemTitle: string;
  measure: string;
  /** YYYY-MM-DD in the unit's zone, null for a standing measure. */
  dueDate: string | null;
  level: number;
  levelName: string | null;
  closed: boolean;
  responsibleName: string;
  leaderName: string | null;
  /** 约谈 made due by the 通报 step, and 约谈 recorded as held. */
  talksDue: number;
  talksHeld: number;
}

export interface CircularFacts {
  /** The issuing org (落款). */
  orgName: string;
  /** e.g. 2026Q4 */
  quarter: string;
  /** The date of issue in the org's zone, YYYY-MM-DD. */
  issuedOn: string;
  /** 主送: the child orgs, by name. */
  addressees: readonly string[];
  totals: CircularTally;
  /** Each child org with its subtree (the summary's children). */
  children: readonly CircularTally[];
  issues: readonly CircularIssue[];
  /** Responsible units least on time (the circular's worstOnTime). */
  worstOnTime: readonly {
    orgName: string;
    dueInQuarter: number;
    closedOnTime: number;
    onTimeRate: number;
  }[];
}

/** A paragraph of the body; `lead` is a run-in 二级标题 (楷体) such as “（一）第一支部。”. */
export interface CircularParagraph {
  lead?: string;
  text: string;
}

export interface CircularSection {
  /** 一级标题 (黑体), e.g. “一、总体情况”. */
  heading: string;
  paragraphs: CircularParagraph[];
}

export interface CircularText {
  title: string;
  /** 发文字号 placeholder, e.g. 〔2026〕X号: the number is given by the office when it files it. */
  docNumber: string;
  /** 主送机关 line, ending with a full-width colon; empty when the org has no child orgs. */
  addressees: string;
  sections: CircularSection[];
  /** 落款: the issuing org. */
  signature: string;
  /** 成文日期, e.g. 2026年12月1日. */
  date: string;
}

const QUARTER_NAMES = ['一', '二', '三', '四'];
const ORDINALS = ['一', '二', '三', '四', '五', '六', '七', '八', '九', '十'];
/** The default ladder's names, for a level the summary counts by number only. */
const DEFAULT_LEVEL_NAMES: Record<number, string> = { 1: '催办', 2: '督办', 3: '通报', 4: '问责' };

/** 2026Q4 → 2026年第四季度. */
export function quarterName(label: string): string {
  const m = /^(\d{4})Q([1-4])$/.exec(label);
  if (!m) throw new Error(`quarter label ${label} is malformed`);
  return `${m[1]}年第${QUARTER_NAMES[Number(m[2]) - 1]}季度`;
}

/** 2026-12-01 → 2026年12月1日 (成文日期: Arabic numerals, no leading zeros). */
export function chineseDate(localDate: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(localDate);
  if (!m) throw new Error(`date ${localDate} is not YYYY-MM-DD`);
  return `${m[1]}年${Number(m[2])}月${Number(m[3])}日`;
}

/** 0..1 → “66.7%” (one decimal, trailing .0 dropped). */
export function percent(rate: number): string {
  return `${Math.round(rate * 1000) / 10}%`;
}

/** （一）, （二）… for 二级标题; 1-based. */
export function ordinal(n: number): string {
  if (n <= 10) return `（${ORDINALS[n - 1]}）`;
  const tens = Math.floor(n / 10);
  const units = n % 10;
  return `（${tens === 1 ? '' : ORDINALS[tens - 1]}十${units === 0 ? '' : ORDINALS[units - 1]}）`;
}

/**
 * Units whose names repeat are shown with their parent (第一党总支/第一支部), as the ledger
 * writes them; the others by their own name.
 */
export function unitLabels(
  units: readonly { id: string; name: string; parentName: string | null }[],
): Map<string, string> {
  const count = new Map<string, number>();
  for (const u of units) count.set(u.name, (count.get(u.name) ?? 0) + 1);
  return new Map(
    units.map((u) => [
      u.id,
      (count.get(u.name) ?? 0) > 1 && u.parentName ? `${u.parentName}/${u.name}` : u.name,
    ]),
  );
}

/** “2026年第四季度整改督办情况的通报”, titled as a notice is: 关于…的通报. */
export function circularTitle(quarter: string): string {
  return `关于${quarterName(quarter)}整改督办情况的通报`;
}

function levelName(level: number): string {
  return DEFAULT_LEVEL_NAMES[level] ?? `第${level}级`;
}

/** The figures of a tally as one sentence; the same words for the subtree and each unit. */
export function tallySentence(t: CircularTally): string {
  const due =
    t.dueInQuarter === 0
      ? '本季度无到期整改措施'
      : `本季度到期${t.dueInQuarter}项，按期销号${t.closedOnTime}项，按期完成率${percent(t.onTimeRate ?? 0)}`;
  return `督办整改措施${t.total}项，已销号${t.closed}项；${due}；逾期未完成${t.overdue}项`;
}

function overview(f: CircularFacts): CircularParagraph[] {
  const t = f.totals;
  const paragraphs: CircularParagraph[] = [
    {
      text:
        `${quarterName(f.quarter)}，${f.orgName}及所属各级党组织共${tallySentence(t)}。` +
        (t.escalations.length > 0
          ? `本季度逾期升级${t.escalations
              .map((e) => `${levelName(e.level)}${e.tasks}项`)
              .join('、')}。`
          : '本季度无逾期升级的整改措施。') +
        (t.recurringProblems > 0
          ? `屡改屡犯问题${t.recurringProblems}个。`
          : '未发现屡改屡犯问题。'),
    },
  ];
  f.children.forEach((c, i) => {
    paragraphs.push({ lead: `${ordinal(i + 1)}${c.orgName}。`, text: `${tallySentence(c)}。` });
  });
  return paragraphs;
}

/** 好的做法: child units whose measures due in the quarter were all closed on time. */
export function unitsOnTime(children: readonly CircularTally[]): CircularTally[] {
  return children.filter(
    (c) => c.dueInQuarter > 0 && c.closedOnTime === c.dueInQuarter && c.overdue === 0,
  );
}

function goodPractice(f: CircularFacts): CircularParagraph[] {
  const good = unitsOnTime(f.children);
  if (good.length === 0) {
    return [{ text: '本季度暂无到期整改措施全部按期销号的单位。' }];
  }
  return [
    {
      text:
        `${good.map((c) => c.orgName).join('、')}认真落实整改主体责任，` +
        '本季度到期的整改措施全部按期销号，且无逾期未完成事项，予以通报表扬。',
    },
    ...good.map((c) => ({
      text: `${c.orgName}：本季度到期${c.dueInQuarter}项，按期销号${c.closedOnTime}项。`,
    })),
  ];
}

function talkSentence(i: CircularIssue): string {
  if (i.talksHeld > 0) return `已约谈分管领导${i.talksHeld}次。`;
  if (i.talksDue > 0) return '应约谈分管领导，尚无约谈记录。';
  return '';
}

/** “…” around a name; quotes inside it become single quotes (‘…’), as nested quotes are written. */
export function quoted(text: string): string {
  return `“${text.replace(/“/g, '‘').replace(/”/g, '’')}”`;
}

function issueSentence(i: CircularIssue, n: number): string {
  const due = i.dueDate ? `整改时限${chineseDate(i.dueDate)}` : '长期坚持';
  const state = i.closed ? '逾期后已销号' : '逾期未完成';
  const level = i.levelName ?? levelName(i.level);
  const leader = i.leaderName ? `，分管领导${i.leaderName}` : '';
  return (
    `${n}. ${quoted(i.problemTitle)}的整改措施${quoted(i.measure)}，${due}，${state}，` +
    `已升级至${level}（第${i.level}级）；责任人${i.responsibleName}${leader}。${talkSentence(i)}`
  );
}

function problems(f: CircularFacts): CircularParagraph[] {
  const paragraphs: CircularParagraph[] = [];
  if (f.issues.length === 0) {
    paragraphs.push({ text: '本季度无逾期升级至通报的整改措施。' });
  } else {
    const byUnit = new Map<string, CircularIssue[]>();
    for (const i of f.issues) byUnit.set(i.unit, [...(byUnit.get(i.unit) ?? []), i]);
    paragraphs.push({
      text:
        `本季度共有${f.issues.length}项整改措施逾期升级至通报，涉及${byUnit.size}个单位，` +
        '现予以通报。',
    });
    [...byUnit].forEach(([unit, issues], u) => {
      paragraphs.push({
        lead: `${ordinal(u + 1)}${unit}。`,
        text: `逾期升级${issues.length}项。`,
      });
      issues.forEach((i, n) => paragraphs.push({ text: issueSentence(i, n + 1) }));
    });
  }
  if (f.worstOnTime.length > 0) {
    paragraphs.push({
      text:
        '按期完成率较低的单位：' +
        f.worstOnTime
          .map(
            (w) =>
              `${w.orgName}（到期${w.dueInQuarter}项，按期销号${w.closedOnTime}项，${percent(w.onTimeRate)}）`,
          )
          .join('、') +
        '。',
    });
  }
  return paragraphs;
}

function requirements(f: CircularFacts): CircularParagraph[] {
  return [
    {
      lead: '（一）压紧压实整改责任。',
      text:
        '各级党组织书记要切实履行第一责任人职责，对本单位整改任务亲自部署、亲自督办，' +
        '分管领导要抓好分管领域整改落实，确保问题整改见底清零。',
    },
    {
      lead: '（二）限期完成逾期整改。',
      text:
        '本通报点名的逾期整改措施，责任单位要自通报印发之日起10个工作日内整改到位，' +
        `并将整改情况书面报送${f.orgName}。`,
    },
    {
      lead: '（三）举一反三建立长效机制。',
      text: '各单位要对照通报问题开展自查自纠，深挖问题根源，完善制度措施，防止问题反弹回潮。',
    },
    {
      lead: '（四）严肃追责问责。',
      text:
        '对整改不力、敷衍整改、屡改屡犯的，依规依纪严肃追责问责；' +
        '属于“三个区分开来”情形的，依规容错免责。',
    },
  ];
}

/** The whole 通报: title, 文号, 主送, the four parts, 落款 and date. */
export function buildCircularText(f: CircularFacts): CircularText {
  return {
    title: circularTitle(f.quarter),
    docNumber: `〔${f.issuedOn.slice(0, 4)}〕X号`,
    addressees: f.addressees.length > 0 ? `${f.addressees.join('、')}：` : '',
    sections: [
      { heading: '一、总体情况', paragraphs: overview(f) },
      { heading: '二、好的做法', paragraphs: goodPractice(f) },
      { heading: '三、存在问题', paragraphs: problems(f) },
      { heading: '四、下一步要求', paragraphs: requirements(f) },
    ],
    signature: f.orgName,
    date: chineseDate(f.issuedOn),
  };
}

/** The document as plain text, one paragraph a line (what a reader of the .docx sees). */
export function circularPlainText(c: CircularText): string {
  const lines = [c.docNumber, c.title, c.addressees];
  for (const s of c.sections) {
    lines.push(s.heading);
    for (const p of s.paragraphs) lines.push(`${p.lead ?? ''}${p.text}`);
  }
  lines.push(c.signature, c.date);
  return lines.filter((l) => l !== '').join('\n');
}
