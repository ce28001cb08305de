import type { Actor } from '../access/roles';
import {
  buildCircularText,
  chineseDate,
  type CircularFacts,
  type CircularTally,
  circularPlainText,
  mayIssueCircular,
  ordinal,
  percent,
  quarterName,
  unitLabels,
  unitsOnTime,
} from './circular-text';

const tally = (orgName: string, over: Partial<CircularTally> = {}): CircularTally => ({
  orgName,
  total: 0,
  closed: 0,
  dueInQuarter: 0,
  closedOnTime: 0,
  onTimeRate: null,
  overdue: 0,
  escalations: [],
  recurringProblems: 0,
  ...over,
});

const facts = (over: Partial<CircularFacts> = {}): CircularFacts => ({
  orgName: '某某县委',
  quarter: '2026Q4',
  issuedOn: '2026-12-01',
  addressees: ['第一党总支', '第二党总支'],
  totals: tally('某某县委', {
    total: 6,
    closed: 2,
    dueInQuarter: 3,
    closedOnTime: 1,
    onTimeRate: 0.3333,
    overdue: 1,
    escalations: [
      { level: 2, tasks: 1 },
      { level: 3, tasks: 1 },
    ],
    recurringProblems: 1,
  }),
  children: [
    tally('第一党总支', {
      total: 4,
      closed: 1,
      dueInQuarter: 2,
      closedOnTime: 1,
      onTimeRate: 0.5,
      overdue: 1,
    }),
    tally('第二党总支', { total: 1, closed: 1, dueInQuarter: 1, closedOnTime: 1, onTimeRate: 1 }),
    tally('第三党总支'),
  ],
  issues: [
    {
      unit: '第一党总支/第一支部',
      problemTitle: '“三会一课”不规范',
      measure: '补齐会议记录',
      dueDate: '2026-11-02',
      level: 3,
      levelName: '通报',
      closed: false,
      responsibleName: '张三',
      leaderName: '赵分管',
      talksDue: 1,
      talksHeld: 0,
    },
  ],
  worstOnTime: [
    { orgName: '第一党总支/第一支部', dueInQuarter: 2, closedOnTime: 1, onTimeRate: 0.5 },
  ],
  ...over,
});

describe('the words of a 通报', () => {
  it('names quarters, dates, rates and ordinals as a notice writes them', () => {
    expect(quarterName('2026Q4')).toBe('2026年第四季度');
    expect(quarterName('2027Q1')).toBe('2027年第一季度');
    expect(() => quarterName('2026Q5')).toThrow();
    expect(chineseDate('2026-12-01')).toBe('2026年12月1日');
    expect(chineseDate('2027-01-31')).toBe('2027年1月31日');
    expect(percent(0.3333)).toBe('33.3%');
    expect(percent(1)).toBe('100%');
    expect(percent(0)).toBe('0%');
    expect(ordinal(1)).toBe('（一）');
    expect(ordinal(10)).toBe('（十）');
    expect(ordinal(12)).toBe('（十二）');
    expect(ordinal(20)).toBe('（二十）');
  });

  it('writes a repeated unit name with its parent, a unique one alone', () => {
    const labels = unitLabels([
      { id: 'a', name: '第一支部', parentName: '第一党总支' },
      { id: 'b', name: '第一支部', parentName: '第二党总支' },
      { id: 'c', name: '第二支部', parentName: '第一党总支' },
    ]);
    expect([...labels.values()]).toEqual([
      '第一党总支/第一支部',
      '第二党总支/第一支部',
      '第二支部',
    ]);
  });
});

describe('buildCircularText', () => {
  it('has the title, 文号, 主送, the four parts, 落款 and date in order', () => {
    const c = buildCircularText(facts());
    expect(c.title).toBe('关于2026年第四季度整改督办情况的通报');
    expect(c.docNumber).toBe('〔2026〕X号');
    expect(c.addressees).toBe('第一党总支、第二党总支：');
    expect(c.sections.map((s) => s.heading)).toEqual([
      '一、总体情况',
      '二、好的做法',
      '三、存在问题',
      '四、下一步要求',
    ]);
    expect(c.signature).toBe('某某县委');
    expect(c.date).toBe('2026年12月1日');
  });

  it('gives the summary’s figures in 总体情况, for the subtree and each child', () => {
    const [overview] = buildCircularText(facts()).sections;
    expect(overview.paragraphs[0].text).toBe(
      '2026年第四季度，某某县委及所属各级党组织共督办整改措施6项，已销号2项；' +
        '本季度到期3项，按期销号1项，按期完成率33.3%；逾期未完成1项。' +
        '本季度逾期升级督办1项、通报1项。屡改屡犯问题1个。',
    );
    expect(overview.paragraphs.slice(1)).toEqual([
      {
        lead: '（一）第一党总支。',
        text: '督办整改措施4项，已销号1项；本季度到期2项，按期销号1项，按期完成率50%；逾期未完成1项。',
      },
      {
        lead: '（二）第二党总支。',
        text: '督办整改措施1项，已销号1项；本季度到期1项，按期销号1项，按期完成率100%；逾期未完成0项。',
      },
      {
        lead: '（三）第三党总支。',
        text: '督办整改措施0项，已销号0项；本季度无到期整改措施；逾期未完成0项。',
      },
    ]);
  });

  it('praises only the units that closed every measure due on time (好的做法)', () => {
    expect(unitsOnTime(facts().children).map((c) => c.orgName)).toEqual(['第二党总支']);
    const good = buildCircularText(facts()).sections[1];
    expect(good.paragraphs[0].text).toMatch(/^第二党总支认真落实整改主体责任/);
    const none = buildCircularText(facts({ children: [tally('第三党总支')] })).sections[1];
    expect(none.paragraphs).toEqual([{ text: '本季度暂无到期整改措施全部按期销号的单位。' }]);
  });

  it('lists the overdue measures by unit with their level and talks (存在问题)', () => {
    const problems = buildCircularText(facts()).sections[2];
    expect(problems.paragraphs.map((p) => `${p.lead ?? ''}${p.text}`)).toEqual([
      '本季度共有1项整改措施逾期升级至通报，涉及1个单位，现予以通报。',
      '（一）第一党总支/第一支部。逾期升级1项。',
      '1. “‘三会一课’不规范”的整改措施“补齐会议记录”，整改时限2026年11月2日，逾期未完成，' +
        '已升级至通报（第3级）；责任人张三，分管领导赵分管。应约谈分管领导，尚无约谈记录。',
      '按期完成率较低的单位：第一党总支/第一支部（到期2项，按期销号1项，50%）。',
    ]);
    const held = buildCircularText(
      facts({ issues: [{ ...facts().issues[0], talksHeld: 1, closed: true, leaderName: null }] }),
    ).sections[2];
    expect(held.paragraphs[2].text).toContain('逾期后已销号');
    expect(held.paragraphs[2].text).toContain('责任人张三。已约谈分管领导1次。');
    const quiet = buildCircularText(facts({ issues: [], worstOnTime: [] })).sections[2];
    expect(quiet.paragraphs).toEqual([{ text: '本季度无逾期升级至通报的整改措施。' }]);
  });

  it('asks the named units to report back to the issuing org (下一步要求)', () => {
    const next = buildCircularText(facts()).sections[3];
    expect(next.paragraphs.map((p) => p.lead)).toEqual([
      '（一）压紧压实整改责任。',
      '（二）限期完成逾期整改。',
      '（三）举一反三建立长效机制。',
      '（四）严肃追责问责。',
    ]);
    expect(next.paragraphs[1].text).toContain('书面报送某某县委');
  });

  it('leaves out the 主送 line of an org without child orgs', () => {
    const c = buildCircularText(facts({ addressees: [], children: [] }));
    expect(c.addressees).toBe('');
    expect(circularPlainText(c).split('\n').slice(0, 3)).toEqual([
      '〔2026〕X号',
      '关于2026年第四季度整改督办情况的通报',
      '一、总体情况',
    ]);
  });
});

describe('mayIssueCircular', () => {
  const org = { id: 'county', path: ['county'] };
  const actor = (role: string, orgId = 'county'): Actor => ({
    userId: 'u',
    systemAdmin: false,
    grants: [{ org: { id: orgId, path: [orgId] }, role: role as Actor['grants'][number]['role'] }],
  });

  it('lets the org’s secretary, deputy or administrator and the system admin issue', () => {
    for (const role of ['secretary', 'deputy', 'admin']) {
      expect(mayIssueCircular(actor(role), org).allowed).toBe(true);
    }
    expect(mayIssueCircular({ userId: 'root', systemAdmin: true, grants: [] }, org).allowed).toBe(
      true,
    );
  });

  it('refuses a supervisor, a member, and a secretary of another org', () => {
    expect(mayIssueCircular(actor('supervisor'), org)).toEqual({
      allowed: false,
      reason: '无权印发通报：需要在该组织担任书记、副书记或管理员',
    });
    expect(mayIssueCircular(actor('member'), org).allowed).toBe(false);
    expect(mayIssueCircular(actor('secretary', 'town'), org).allowed).toBe(false);
  });
});
