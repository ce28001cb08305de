import { type EscalationPolicy, type ProblemSeverity, quarterOf } from '#duban/domain';
import type { DemoProblemSpec, DemoWorld, StoryStep } from './demo-world';

const QUARTER_NAMES = ['一', '二', '三', '四'];

/**
 * The story of 示范县委 over about a hundred days, told through the real use cases. Each measure
 * ends somewhere else on the map, so that at the end (the real "now") the lists show every
 * state, every light and every rung of the ladder:
 *
 * | measure | where it ends                                                   |
 * | ------- | --------------------------------------------------------------- |
 * | T1a T2a T6b T8a T10a | 已销号 closed, on time (green, level 0)                       |
 * | T1b     | closed after a failed verification (退回重改) and a second round   |
 * | T2b     | closed, reopened by 回头看, then found 表面整改 (yellow)            |
 * | T3a     | submitted (待验收), green                                          |
 * | T3b     | standing measure found lagging (yellow)                            |
 * | T4a     | extension approved, new deadline near (blue)                       |
 * | T4b     | overdue to 问责 (level 4), case open with discipline inspection    |
 * | T5a     | verified (待销号), green                                           |
 * | T5b     | just overdue: 催办 (red, level 1)                                  |
 * | T6a     | extension rejected, then overdue: 督办 (red, level 2)              |
 * | T7a     | overdue to 问责, case decided 容错免责 with a reason (level 4)     |
 * | T9a     | never accepted (未签收), 通报 (red, level 3)                        |
 * | T10b    | standing measure reported every quarter (green)                    |
 * | T11a    | just assigned by a general branch (已交办), green                   |
 * | T12a    | recurring problem 屡改屡犯, overdue to 通报 (red, level 3)          |
 */
export function buildStory(
  w: DemoWorld,
  policyFor: (severity: ProblemSeverity) => EscalationPolicy,
): StoryStep[] {
  const t = w.time;
  const steps: StoryStep[] = [];
  const at = (day: number, hour: number, label: string, run: () => Promise<void>, task?: string) =>
    steps.push({ at: t.at(day, hour), label: `第${day}天 ${label}`, task, run });

  const start = quarterOf(t.at(0, 9), t.timeZone);
  const quarterly = `${start.year}年第${QUARTER_NAMES[start.quarter - 1]}季度党建督查`;
  const inspection = '县委第二巡察组巡察反馈问题整改';
  const burden = `${quarterOf(t.at(40, 9), t.timeZone).year}年基层减负专项督查`;

  const general = policyFor('general');
  const serious = policyFor('serious');
  // Deadlines that must reach a given light or ladder level at the end are computed from the
  // working-day calendar and the policy; the others are plain story days.
  const due = {
    t1a: t.date(7),
    t1b: t.date(40),
    t2a: t.date(10),
    t2b: t.date(20),
    t2bAgain: t.greenDue(15),
    t3a: t.greenDue(20),
    t4a: t.date(58),
    t4aExtended: t.blueDue(),
    t4b: t.dueForLevel(4, serious, { notBeforeDay: 40, stepBy: t.at(97, 0), pick: 'latest' }),
    t5a: t.greenDue(25),
    t5b: t.dueForLevel(1, general, { notBeforeDay: 70, pick: 'middle' }),
    t6a: t.dueForLevel(2, general, { notBeforeDay: 60, pick: 'middle' }),
    t6b: t.date(38),
    t7a: t.dueForLevel(4, general, { notBeforeDay: 40, stepBy: t.at(94, 0), pick: 'latest' }),
    t8a: t.date(48),
    t9a: t.dueForLevel(3, serious, { notBeforeDay: 40, pick: 'middle' }),
    t10a: t.date(57),
    t11a: t.greenDue(30),
    t12a: t.dueForLevel(3, serious, { notBeforeDay: 72, pick: 'middle' }),
  };

  // --- 第0天: the quarter's Party-building check (季度督查) reports its findings ---------------
  const p1: DemoProblemSpec = {
    key: 'P1',
    title: '城关镇第一村党支部“三会一课”落实不到位',
    description:
      '督查组查阅会议记录发现：本年度支部委员会仅召开2次、党员大会1次，党课由支部书记照读文件代替；' +
      '多次会议记录系事后集中补记，签到表笔迹雷同。',
    category: 'organisational_life',
    severity: 'serious',
    source: 'quarterly_check',
    campaign: quarterly,
    org: 'village1',
    raisedBy: 'county',
    tasks: [
      {
        key: 'T1a',
        measure: '制定本年度“三会一课”计划，经支部委员会讨论后在村党群服务中心公开栏公示',
        org: 'village1',
        person: 'member3',
        leader: 'leader2',
        mode: 'immediate',
        dueDate: due.t1a,
      },
      {
        key: 'T1b',
        measure:
          '按月召开支部委员会、按季度召开党员大会，支部书记讲授一次专题党课；会议记录当场形成，参会党员本人签到',
        org: 'village1',
        person: 'branch3',
        leader: 'leader2',
        mode: 'deadline',
        dueDate: due.t1b,
      },
    ],
  };
  const p2: DemoProblemSpec = {
    key: 'P2',
    title: '县委办公室党支部台账繁多、以留痕论工作',
    description:
      '支部建有各类工作台账23本，同一次主题党日活动在3本台账中重复登记；要求党员每天在工作群上传学习截图“打卡”，' +
      '年终以材料厚薄评价党员表现。',
    category: 'work_style',
    severity: 'general',
    source: 'quarterly_check',
    campaign: quarterly,
    org: 'office',
    raisedBy: 'county',
    tasks: [
      {
        key: 'T2a',
        measure: '清理合并各类工作台账，保留不超过5本，同一事项只登记一次',
        org: 'office',
        person: 'member1',
        leader: 'leader',
        mode: 'immediate',
        dueDate: due.t2a,
      },
      {
        key: 'T2b',
        measure: '取消工作群截图打卡，不以留痕多少评价党员，改为按实际工作成效评议',
        org: 'office',
        person: 'branch1',
        leader: 'leader',
        mode: 'deadline',
        dueDate: due.t2b,
      },
    ],
  };
  const p3: DemoProblemSpec = {
    key: 'P3',
    title: '县第一中学党支部党员教育管理松散',
    description:
      '3名党员连续6个月未参加组织生活，支部未开展谈心谈话；2名外出流动党员与支部失去联系，党费收缴登记不全。',
    category: 'member_education',
    severity: 'general',
    source: 'quarterly_check',
    campaign: quarterly,
    org: 'school',
    raisedBy: 'county',
    tasks: [
      {
        key: 'T3a',
        measure:
          '支部书记与连续6个月未参加组织生活的3名党员逐一谈心谈话，形成谈话记录，需要处置的按程序处置',
        org: 'school',
        person: 'branch5',
        leader: 'leader',
        mode: 'deadline',
        dueDate: due.t3a,
      },
      {
        key: 'T3b',
        measure: '建立流动党员台账，每月通过电话或微信与外出党员联系一次，按时收缴党费',
        org: 'school',
        person: 'member5',
        leader: 'leader',
        mode: 'standing',
      },
    ],
  };
  at(0, 9, '督查室立项：季度督查发现的3个问题', async () => {
    await w.raise('supervisor', p1);
    await w.raise('supervisor', p2);
    await w.raise('supervisor', p3);
  });

  // P1: T1a on time; T1b fails its first verification (退回重改), passes the second.
  at(1, 9, 'T1a 签收', () => w.accept('T1a', 'member3', '收到，今天召开支委会研究。'), 'T1a');
  at(
    3,
    16,
    'T1a 申请销号',
    () =>
      w.submit(
        'T1a',
        'member3',
        '本年度“三会一课”计划已经支部委员会讨论通过，并在村党群服务中心公开栏公示，附公示照片。',
      ),
    'T1a',
  );
  at(
    5,
    10,
    'T1a 验收通过',
    () => w.verify('T1a', 'supervisor', true, '现场查看公开栏，计划已公示，内容完整。'),
    'T1a',
  );
  at(6, 15, 'T1a 销号', () => w.close('T1a', 'secretary', '同意销号。'), 'T1a');

  at(2, 10, 'T1b 签收', () => w.accept('T1b', 'branch3', '支部书记亲自抓，按月落实。'), 'T1b');
  at(
    15,
    17,
    'T1b 进展',
    () =>
      w.progress(
        'T1b',
        'branch3',
        '已召开支部委员会1次、党员大会1次，会议记录当场形成，由参会党员本人签到。',
        40,
      ),
    'T1b',
  );
  at(
    30,
    16,
    'T1b 申请销号',
    () =>
      w.submit(
        'T1b',
        'branch3',
        '已按月召开支委会、按季度召开党员大会，支部书记讲授专题党课1次，附会议记录。',
      ),
    'T1b',
  );
  at(
    32,
    10,
    'T1b 验收未通过（退回重改）',
    () =>
      w.verify(
        'T1b',
        'supervisor',
        false,
        '抽查支委会记录，仍无参会党员签到和现场照片；专题党课讲稿与上级文件原文高度雷同。退回重改。',
      ),
    'T1b',
  );
  at(
    34,
    17,
    'T1b 进展',
    () =>
      w.progress(
        'T1b',
        'branch3',
        '重新讲授专题党课，结合本村集体经济发展讲实情、讲问题；签到改为党员本人现场签字。',
        80,
      ),
    'T1b',
  );
  at(
    37,
    16,
    'T1b 再次申请销号',
    () =>
      w.submit(
        'T1b',
        'branch3',
        '补充签到表原件扫描件、现场照片和新的党课讲稿；此后每次会议当场形成记录。',
      ),
    'T1b',
  );
  at(
    38,
    10,
    'T1b 复查通过',
    () => w.verify('T1b', 'inspector', true, '复查会议记录和签到表，问题已整改。'),
    'T1b',
  );
  at(
    39,
    15,
    'T1b 销号',
    () => w.close('T1b', 'secretary', '同意销号。该支部列入回头看名单。'),
    'T1b',
  );

  // P2: both closed on time; T2b is reopened by a later review (回头看) and found superficial.
  at(1, 10, 'T2a 签收', () => w.accept('T2a', 'member1'), 'T2a');
  at(
    6,
    16,
    'T2a 申请销号',
    () =>
      w.submit(
        'T2a',
        'member1',
        '台账由23本合并为4本，重复登记事项已清理，台账目录报县直机关党总支备案。',
      ),
    'T2a',
  );
  at(
    7,
    10,
    'T2a 验收通过',
    () => w.verify('T2a', 'inspector', true, '抽查4本台账，未发现重复登记。'),
    'T2a',
  );
  at(8, 11, 'T2a 销号', () => w.close('T2a', 'deputy'), 'T2a');

  at(1, 11, 'T2b 签收', () => w.accept('T2b', 'branch1'), 'T2b');
  at(
    9,
    16,
    'T2b 申请销号',
    () =>
      w.submit(
        'T2b',
        'branch1',
        '已在支部工作群发布通知，取消每日截图打卡；党员评议办法改为按工作实绩评议。',
      ),
    'T2b',
  );
  at(11, 10, 'T2b 验收通过', () => w.verify('T2b', 'supervisor', true), 'T2b');
  at(12, 9, 'T2b 销号', () => w.close('T2b', 'secretary'), 'T2b');
  at(
    70,
    10,
    'T2b 回头看：重新打开',
    () =>
      w.reopen(
        'T2b',
        'supervisor',
        '回头看发现：支部把“每日打卡”改成要求党员每周在工作群上传学习截图，变相打卡问题依然存在。',
        due.t2bAgain,
      ),
    'T2b',
  );
  at(
    75,
    17,
    'T2b 进展',
    () => w.progress('T2b', 'branch1', '已在工作群再次明确：不得要求党员上传学习截图。', 50),
    'T2b',
  );
  at(
    88,
    10,
    'T2b 督查：表面整改',
    () =>
      w.check(
        'T2b',
        'inspector',
        'superficial',
        '工作群中仍有党员按周上传学习截图，支部只改了说法、没改做法，属于表面整改。',
      ),
    'T2b',
  );

  // P3: T3a reported every quarter and submitted; the standing T3b lags.
  at(2, 11, 'T3a 签收', () => w.accept('T3a', 'branch5'), 'T3a');
  at(
    30,
    17,
    'T3a 进展',
    () => w.progress('T3a', 'branch5', '已与1名党员谈心谈话，形成谈话记录。', 30),
    'T3a',
  );
  at(
    88,
    17,
    'T3a 进展',
    () =>
      w.progress(
        'T3a',
        'branch5',
        '已与2名党员谈心谈话；另1名党员在外地住院，约定出院后面谈。',
        70,
      ),
    'T3a',
  );
  at(
    96,
    16,
    'T3a 申请销号',
    () =>
      w.submit(
        'T3a',
        'branch5',
        '已与3名党员逐一谈心谈话并形成记录；其中1名党员经教育仍长期不参加组织生活，已按程序提出处置意见。',
      ),
    'T3a',
  );
  at(3, 9, 'T3b 签收', () => w.accept('T3b', 'member5'), 'T3b');
  at(
    20,
    17,
    'T3b 进展',
    () => w.progress('T3b', 'member5', '已建立流动党员台账，本月与2名外出党员取得联系。'),
    'T3b',
  );
  at(
    85,
    10,
    'T3b 督查：进度滞后',
    () =>
      w.check(
        'T3b',
        'supervisor',
        'lagging',
        '流动党员台账已两个月未更新，2名外出党员本季度仍未联系，党费未收缴。',
      ),
    'T3b',
  );

  // --- 第18天: the county's inspection tour (巡察) feeds back its findings -----------------
  const p4: DemoProblemSpec = {
    key: 'P4',
    title: '城关镇第二村党群服务中心阵地弱化、党建经费使用不规范',
    description:
      '村党群服务中心二楼党员活动室长期堆放杂物，党员电教设备损坏一年多未修；本年度党建工作经费中有1.2万元用于村务招待，' +
      '未经支部委员会研究。',
    category: 'facilities_and_funding',
    severity: 'serious',
    source: 'inspection_tour',
    campaign: inspection,
    org: 'village2',
    raisedBy: 'county',
    tasks: [
      {
        key: 'T4a',
        measure: '清理党员活动室，修复或更新党员电教设备，恢复党员活动室功能',
        org: 'village2',
        person: 'member4',
        leader: 'leader2',
        mode: 'deadline',
        dueDate: due.t4a,
      },
      {
        key: 'T4b',
        measure: '追回挪用的党建工作经费，建立党建经费专账，今后每笔支出须经支部委员会集体研究',
        org: 'village2',
        person: 'branch4',
        leader: 'leader2',
        mode: 'deadline',
        dueDate: due.t4b,
      },
    ],
  };
  const p6: DemoProblemSpec = {
    key: 'P6',
    title: '县财政局机关党支部书记抓党建“一手硬、一手软”',
    description:
      '支部书记本年度未专题研究党建工作，述职报告中党建内容只有两段套话；党务工作由一名兼职干部临时应付，支委分工不明确。',
    category: 'secretary_and_cadres',
    severity: 'general',
    source: 'inspection_tour',
    campaign: inspection,
    org: 'finance',
    raisedBy: 'county',
    tasks: [
      {
        key: 'T6a',
        measure: '支部书记向县直机关党总支专题报告抓党建工作情况，制定个人抓党建责任清单并公示',
        org: 'finance',
        person: 'branch2',
        leader: 'leader',
        mode: 'deadline',
        dueDate: due.t6a,
      },
      {
        key: 'T6b',
        measure: '调整支委分工，明确一名支委专门负责党务工作',
        org: 'finance',
        person: 'member2',
        leader: 'leader',
        mode: 'deadline',
        dueDate: due.t6b,
      },
    ],
  };
  const p7: DemoProblemSpec = {
    key: 'P7',
    title: '县财政局机关党支部党建考核与业务考核“两张皮”',
    description:
      '支部对党员的年度考核只看业务指标，党建考核结果既不反馈本人，也不与评先评优挂钩，考核问责机制形同虚设。',
    category: 'assessment_and_accountability',
    severity: 'general',
    source: 'inspection_tour',
    campaign: inspection,
    org: 'finance',
    raisedBy: 'county',
    tasks: [
      {
        key: 'T7a',
        measure: '修订党员年度考核办法，将党建考核结果录入县干部考核管理系统，作为评先评优的依据',
        org: 'finance',
        person: 'member2',
        leader: 'leader',
        mode: 'deadline',
        dueDate: due.t7a,
      },
    ],
  };
  const p8: DemoProblemSpec = {
    key: 'P8',
    title: '县委办公室党支部“第一议题”学习流于形式',
    description:
      '支部会议“第一议题”学习以播放视频、领读原文为主，很少结合县委办公室工作研究贯彻措施，学习记录千篇一律。',
    category: 'political_function',
    severity: 'general',
    source: 'inspection_tour',
    campaign: inspection,
    org: 'office',
    raisedBy: 'county',
    tasks: [
      {
        key: 'T8a',
        measure:
          '完善“第一议题”学习制度，每次学习后明确1至2项贯彻落实措施，并在下次会议上通报落实情况',
        org: 'office',
        person: 'branch1',
        leader: 'leader',
        mode: 'deadline',
        dueDate: due.t8a,
      },
    ],
  };
  const p9: DemoProblemSpec = {
    key: 'P9',
    title: '第一村第一党小组长期不开展活动，党小组设置形同虚设',
    description:
      '第一党小组12名党员中有7人常年在外务工，党小组半年多未开展活动，部分党员不知道自己属于哪个党小组。',
    category: 'organisation_system',
    severity: 'serious',
    source: 'inspection_tour',
    campaign: inspection,
    org: 'group1',
    raisedBy: 'county',
    tasks: [
      {
        key: 'T9a',
        measure: '按居住地和务工地重新划分党小组，明确党小组长职责，每月至少开展一次党小组活动',
        org: 'group1',
        person: 'group1',
        leader: 'leader2',
        mode: 'deadline',
        dueDate: due.t9a,
      },
    ],
  };
  at(18, 9, '县委副书记立项：巡察反馈的5个问题', async () => {
    for (const p of [p4, p6, p7, p8, p9]) await w.raise('deputy', p);
  });

  // P4: T4a asks for an extension in time and gets it; T4b never moves and reaches 问责.
  at(19, 10, 'T4a 签收', () => w.accept('T4a', 'member4'), 'T4a');
  at(
    30,
    17,
    'T4a 进展',
    () => w.progress('T4a', 'member4', '活动室杂物已清理，电教设备采购申请已报镇财政所。', 30),
    'T4a',
  );
  at(
    50,
    10,
    'T4a 申请延期',
    () =>
      w.requestExtension('T4a', 'member4', {
        newDueDate: due.t4aExtended,
        reason:
          '党员电教设备须通过县级政府采购平台采购，供货周期较长，无法在原定期限内完成安装调试。',
        progress: '活动室已清理完毕，设备采购已在县级政府采购平台挂网。',
      }),
    'T4a',
  );
  at(
    51,
    15,
    'T4a 批准延期',
    () => w.decideExtension('T4a', 'deputy', true, '同意延期，请按新期限完成，不再延期。'),
    'T4a',
  );
  at(
    90,
    17,
    'T4a 进展',
    () => w.progress('T4a', 'member4', '设备已到货，正在安装调试。', 80),
    'T4a',
  );
  at(20, 9, 'T4b 签收', () => w.accept('T4b', 'branch4', '收到。'), 'T4b');
  at(
    45,
    10,
    'T4b 督查：进度滞后',
    () =>
      w.check(
        'T4b',
        'supervisor',
        'lagging',
        '挪用经费尚未追回，专账未建立；村支书称“等年底一起处理”。',
      ),
    'T4b',
  );

  // P6: T6b closed quickly; T6a's extension is rejected and the deadline passes (督办).
  const t6aDay = t.dayOf(due.t6a);
  at(19, 11, 'T6a 签收', () => w.accept('T6a', 'branch2'), 'T6a');
  at(
    40,
    17,
    'T6a 进展',
    () => w.progress('T6a', 'branch2', '已起草抓党建工作情况报告提纲。', 20),
    'T6a',
  );
  at(
    t6aDay - 5,
    10,
    'T6a 申请延期',
    () =>
      w.requestExtension('T6a', 'branch2', {
        newDueDate: t.date(t6aDay + 30),
        reason: '近期忙于年度预算编制，专题报告需要推迟。',
        progress: '报告提纲已起草，尚未提交支委会讨论。',
      }),
    'T6a',
  );
  at(
    t6aDay - 4,
    15,
    'T6a 驳回延期',
    () =>
      w.decideExtension(
        'T6a',
        'deputy',
        false,
        '预算编制任务重不能成为推迟履行党建第一责任的理由，请按原期限完成。',
      ),
    'T6a',
  );
  at(19, 12, 'T6b 签收', () => w.accept('T6b', 'member2'), 'T6b');
  at(
    25,
    16,
    'T6b 申请销号',
    () =>
      w.submit(
        'T6b',
        'member2',
        '支委会已调整分工，由组织委员专门负责党务工作，分工情况已报县直机关党总支备案。',
      ),
    'T6b',
  );
  at(26, 10, 'T6b 验收通过', () => w.verify('T6b', 'inspector', true), 'T6b');
  at(27, 11, 'T6b 销号', () => w.close('T6b', 'deputy'), 'T6b');

  // P7: the county's appraisal system is late, the ladder reaches 问责, the case is exempted.
  const t7aDay = t.dayOf(due.t7a);
  at(19, 14, 'T7a 签收', () => w.accept('T7a', 'member2'), 'T7a');
  at(
    30,
    17,
    'T7a 进展',
    () =>
      w.progress('T7a', 'member2', '党员年度考核办法已修订，待县干部考核管理系统开放后录入。', 40),
    'T7a',
  );
  at(
    t7aDay - 3,
    17,
    'T7a 进展',
    () =>
      w.progress(
        'T7a',
        'member2',
        '县干部考核管理系统升级改造推迟上线，考核结果暂无法录入，已先行纸质存档并报县委组织部。',
        60,
      ),
    'T7a',
  );
  at(
    95,
    10,
    'T7a 问责案件：容错免责',
    () =>
      w.decideCase(
        'T7a',
        'discipline',
        'exempted',
        '逾期系全县干部考核管理系统统一升级、推迟上线所致。支部已修订考核办法并纸质存档，积极推进、未谋私利，' +
          '依据“三个区分开来”予以容错免责；系统上线后10个工作日内完成录入。',
      ),
    'T7a',
  );

  // P8: on track, verified, closed.
  at(19, 15, 'T8a 签收', () => w.accept('T8a', 'branch1'), 'T8a');
  at(
    30,
    10,
    'T8a 督查：正常推进',
    () =>
      w.check(
        'T8a',
        'inspector',
        'on_track',
        '抽查两次支部会议记录，“第一议题”学习后均明确了落实措施。',
      ),
    'T8a',
  );
  at(
    40,
    16,
    'T8a 申请销号',
    () =>
      w.submit(
        'T8a',
        'branch1',
        '已修订“第一议题”学习制度，近两次学习均明确了落实措施，并在下次会议上通报了落实情况。',
      ),
    'T8a',
  );
  at(42, 10, 'T8a 验收通过', () => w.verify('T8a', 'supervisor', true), 'T8a');
  at(44, 15, 'T8a 销号', () => w.close('T8a', 'secretary'), 'T8a');
  // P9 (T9a) is never accepted: the ladder climbs on its own.

  // --- 第40天: special supervision on the burden of the grassroots (基层减负) ---------------
  const p5: DemoProblemSpec = {
    key: 'P5',
    title: '县实验小学党支部多头填报、重复报表',
    description:
      '学校党支部每月要向教育、组织、宣传等部门报送内容相近的党建报表7份，同一组数据反复填写，' +
      '部分报表还要求附活动照片不少于10张。',
    category: 'grassroots_burden',
    severity: 'general',
    source: 'special_supervision',
    campaign: burden,
    org: 'primary',
    raisedBy: 'county',
    tasks: [
      {
        key: 'T5a',
        measure: '县教育系统党总支统一报表口径，将7份报表合并为1份季度报表，取消照片数量要求',
        org: 'education',
        person: 'general3',
        leader: 'leader',
        mode: 'deadline',
        dueDate: due.t5a,
      },
      {
        key: 'T5b',
        measure: '清理本支部自行增设的各类登记表册，能合并的合并、能取消的取消',
        org: 'primary',
        person: 'member6',
        leader: 'leader',
        mode: 'deadline',
        dueDate: due.t5b,
      },
    ],
  };
  at(40, 9, '督查室立项：基层减负专项督查', () => w.raise('supervisor', p5));
  at(41, 10, 'T5a 签收', () => w.accept('T5a', 'general3'), 'T5a');
  at(
    50,
    17,
    'T5a 进展',
    () => w.progress('T5a', 'general3', '已梳理7份报表的全部指标，形成合并方案初稿。', 30),
    'T5a',
  );
  at(
    90,
    17,
    'T5a 进展',
    () => w.progress('T5a', 'general3', '合并后的季度报表已征求组织、宣传部门意见。', 70),
    'T5a',
  );
  at(
    94,
    16,
    'T5a 申请销号',
    () =>
      w.submit(
        'T5a',
        'general3',
        '经与组织、宣传部门会商，7份报表已合并为1份季度报表，取消照片数量要求，新报表已在教育系统试行。',
      ),
    'T5a',
  );
  at(
    97,
    10,
    'T5a 验收通过',
    () => w.verify('T5a', 'supervisor', true, '经核实，新报表已下发，学校反映填报负担明显减轻。'),
    'T5a',
  );
  at(41, 11, 'T5b 签收', () => w.accept('T5b', 'member6'), 'T5b');
  at(
    60,
    17,
    'T5b 进展',
    () => w.progress('T5b', 'member6', '已取消自行增设的登记表册3种，其余表册正在梳理。', 40),
    'T5b',
  );

  // --- 第50天: a report from the public (群众反映) -------------------------------------------
  const p10: DemoProblemSpec = {
    key: 'P10',
    title: '群众反映第一村低保评议结果未公示、村务公开栏长期不更新',
    description:
      '有群众通过12345热线反映：第一村本年度低保评议结果未张榜公示，村务公开栏内容半年多未更新，群众意见较大。',
    category: 'public_work',
    severity: 'general',
    source: 'public_report',
    org: 'village1',
    raisedBy: 'county',
    tasks: [
      {
        key: 'T10a',
        measure: '落实“四议两公开”，将低保评议结果在村务公开栏和村民微信群同步公示7天',
        org: 'village1',
        person: 'member3',
        leader: 'leader2',
        mode: 'immediate',
        dueDate: due.t10a,
      },
      {
        key: 'T10b',
        measure: '每月10日前更新村务公开栏，由村务监督委员会签字确认',
        org: 'village1',
        person: 'member3',
        leader: 'leader2',
        mode: 'standing',
      },
    ],
  };
  at(50, 9, '督查室立项：群众反映的问题', () => w.raise('supervisor', p10));
  at(50, 11, 'T10a 签收', () => w.accept('T10a', 'member3'), 'T10a');
  at(
    53,
    16,
    'T10a 申请销号',
    () =>
      w.submit(
        'T10a',
        'member3',
        '低保评议结果已在村务公开栏和村民微信群同步公示7天，公示期间无异议，附公示照片。',
      ),
    'T10a',
  );
  at(54, 10, 'T10a 验收通过', () => w.verify('T10a', 'inspector', true), 'T10a');
  at(55, 15, 'T10a 销号', () => w.close('T10a', 'deputy'), 'T10a');
  at(51, 10, 'T10b 签收', () => w.accept('T10b', 'member3'), 'T10b');
  at(
    56,
    17,
    'T10b 进展',
    () => w.progress('T10b', 'member3', '本月村务公开栏已更新，村务监督委员会签字确认。'),
    'T10b',
  );
  at(
    88,
    17,
    'T10b 进展',
    () => w.progress('T10b', 'member3', '本月村务公开栏已更新，村务监督委员会签字确认。'),
    'T10b',
  );

  // --- 第60天: a roving check finds the first village's meetings hollow again (屡改屡犯) ------
  const p12: DemoProblemSpec = {
    key: 'P12',
    title: '城关镇第一村党支部主题党日活动走过场',
    description:
      '巡回督查发现：本月主题党日以发放慰问品代替集中学习，签到表由村干部代签。该支部“三会一课”问题前不久刚刚整改销号，' +
      '同类问题再次出现。',
    category: 'organisational_life',
    severity: 'serious',
    source: 'roving_check',
    org: 'village1',
    raisedBy: 'county',
    tasks: [
      {
        key: 'T12a',
        measure: '支部书记在党员大会上作检查，重新组织主题党日集中学习，签到由党员本人当场签字',
        org: 'village1',
        person: 'branch3',
        leader: 'leader2',
        mode: 'deadline',
        dueDate: due.t12a,
      },
    ],
  };
  at(60, 9, '督查员立项：巡回督查（屡改屡犯）', () => w.raise('inspector', p12));
  at(61, 10, 'T12a 签收', () => w.accept('T12a', 'branch3', '诚恳接受批评，立即整改。'), 'T12a');
  at(
    70,
    17,
    'T12a 进展',
    () => w.progress('T12a', 'branch3', '支部书记已在党员大会上作检查。', 30),
    'T12a',
  );

  // --- 第93天: a general branch acts on its own organisational life meeting (组织生活会查摆) --
  const p11: DemoProblemSpec = {
    key: 'P11',
    title: '县实验小学党支部组织生活会批评与自我批评“辣味”不足',
    description:
      '支部组织生活会上，相互批评多是“工作太拼、注意身体”之类的表扬式批评，查摆出的问题没有形成整改清单。',
    category: 'organisational_life',
    severity: 'general',
    source: 'life_meeting',
    org: 'primary',
    raisedBy: 'education',
    tasks: [
      {
        key: 'T11a',
        measure:
          '针对组织生活会查摆的问题逐项列出整改清单，明确责任人和完成时限，并在支部党员大会上通报',
        org: 'primary',
        person: 'branch6',
        leader: 'general3',
        mode: 'deadline',
        dueDate: due.t11a,
      },
    ],
  };
  at(93, 9, '县教育系统党总支立项：组织生活会查摆的问题', () => w.raise('general3', p11));

  return steps;
}
