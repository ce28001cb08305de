import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { localDateOf, percent } from '#duban/domain';
import { ApiClient } from '../support/api-client';
import { readDocx } from '../support/docx-files';
import { EngineDriver } from '../support/engine-driver';
import { binaryParser } from '../support/ledger-files';
import { createNamedPerson, type NamedPerson } from '../support/named-person';
import { startTestApp, TestApp } from '../support/test-app';

type Person = NamedPerson;

const HOUR = 3600_000;
const DAY = 24 * HOUR;
const DOCX = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';
const TITLE = '关于2026年第四季度整改督办情况的通报';

/** A ladder in hours, so the test walks it by moving the clock. */
const HOURLY_POLICY = {
  remindBefore: ['PT2H'],
  steps: [
    { level: 1, name: '催办', after: 'PT0S', notify: ['responsible', 'leader'] },
    { level: 2, name: '督办', after: 'PT1H', notify: ['secretary', 'superior'] },
    { level: 3, name: '通报', after: 'PT2H', notify: ['secretary', 'superior', 'leader'] },
    { level: 4, name: '问责', after: 'PT3H', notify: ['discipline', 'secretary'] },
  ],
};

interface Tally {
  orgName: string;
  total: number;
  byState: { closed: number };
  dueInQuarter: number;
  closedOnTime: number;
  onTimeRate: number | null;
  overdue: number;
}

/** The words the 通报 gives a tally in; the figures are the summary's. */
const figures = (t: Tally) =>
  `督办整改措施${t.total}项，已销号${t.byState.closed}项；` +
  (t.dueInQuarter === 0
    ? '本季度无到期整改措施'
    : `本季度到期${t.dueInQuarter}项，按期销号${t.closedOnTime}项，按期完成率${percent(t.onTimeRate ?? 0)}`) +
  `；逾期未完成${t.overdue}项`;

/**
 * 某某县委 (committee)
 * ├── 第一党总支 ── 第一支部 (A1)   T1 overdue to 通报 (level 3); T2 closed on time
 * ├── 第二党总支 ── 第一支部 (B1)   T4 reached 督办, closed late
 * └── 第三党总支 ── 第三支部 (C1)   T6 closed on time (好的做法)
 * The clock starts at 2026-11-02 09:00 Beijing time (2026Q4); the documents are made 3.5 h later.
 */
describe('通报 as a document: rendered, issued, archived unchanged, sent to the orgs it names', () => {
  let t: TestApp;
  let api: ApiClient;
  let engine: EngineDriver;
  let county: { id: string };
  let generals: { id: string }[];
  let a1: { id: string };
  let b1: { id: string };
  let c1: { id: string };
  let secretary: Person;
  let deputy: Person;
  let supervisor: Person;
  let general1Secretary: Person;
  let a1Member: Person;
  let b1Member: Person;
  let c1Member: Person;
  let outsider: Person;
  let leader: Person;
  let t1: string;

  const as = (p: Person) => ({
    get: (url: string) => t.http().get(url).auth(p.token, { type: 'bearer' }),
    post: (url: string, body: object = {}) =>
      t.http().post(url).auth(p.token, { type: 'bearer' }).send(body),
    put: (url: string, body: object = {}) =>
      t.http().put(url).auth(p.token, { type: 'bearer' }).send(body),
  });
  const download = (p: Person, url: string) => as(p).get(url).buffer(true).parse(binaryParser);
  const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

  async function raise(
    title: string,
    orgId: string,
    measure: string,
    person: Person,
    dueInMs: number,
  ): Promise<string> {
    const res = await as(supervisor).post('/api/v1/problems', {
      title,
      description: `${title}：督查中发现。`,
      category: 'organisational_life',
      severity: 'serious',
      source: 'quarterly_check',
      orgId,
      raisedByOrgId: county.id,
      tasks: [
        {
          measure,
          responsibleOrgId: orgId,
          responsibleUserId: person.id,
          leaderUserId: leader.id,
          mode: 'deadline',
          dueAt: new Date(t.clock.now().getTime() + dueInMs).toISOString(),
        },
      ],
    });
    expect(res.status).toBe(201);
    return res.body.tasks[0].id;
  }

  async function closeTask(taskId: string, doer: Person): Promise<void> {
    const url = `/api/v1/tasks/${taskId}`;
    await as(doer).post(`${url}/accept`).expect(200);
    await as(doer).post(`${url}/submit`, { summary: '整改完成' }).expect(200);
    await as(supervisor).post(`${url}/verify`, { passed: true }).expect(200);
    await as(secretary).post(`${url}/close`, { comment: '同意销号' }).expect(200);
  }

  beforeAll(async () => {
    t = await startTestApp({ DUBAN_TOKEN_TTL_SECONDS: String(7 * 86400) });
    api = new ApiClient(t);
    engine = new EngineDriver(t);
    const admin = await api.adminToken();
    county = await api.createOrg(admin, { name: '某某县委', kind: 'committee' });
    generals = [];
    for (const name of ['第一党总支', '第二党总支', '第三党总支']) {
      generals.push(
        await api.createOrg(admin, { name, kind: 'general_branch', parentId: county.id }),
      );
    }
    a1 = await api.createOrg(admin, { name: '第一支部', kind: 'branch', parentId: generals[0].id });
    b1 = await api.createOrg(admin, { name: '第一支部', kind: 'branch', parentId: generals[1].id });
    c1 = await api.createOrg(admin, { name: '第三支部', kind: 'branch', parentId: generals[2].id });
    const elsewhere = await api.createOrg(admin, { name: '另一县委', kind: 'committee' });
    const person = (orgId: string, role: string, username: string, name: string) =>
      createNamedPerson(t, admin, [{ orgId, role }], username, name);
    secretary = await person(county.id, 'secretary', 'county-secretary', '县委书记');
    deputy = await person(county.id, 'deputy', 'county-deputy', '县委副书记');
    supervisor = await person(county.id, 'supervisor', 'supervisor', '督查员');
    general1Secretary = await person(generals[0].id, 'secretary', 'g1-secretary', '总支书记');
    a1Member = await person(a1.id, 'member', 'zhangsan', '张三');
    b1Member = await person(b1.id, 'member', 'wangwu', '王五');
    c1Member = await person(c1.id, 'member', 'zhaoliu', '赵六');
    outsider = await person(elsewhere.id, 'secretary', 'outsider', '外县书记');
    leader = await person(county.id, 'member', 'zhao', '赵分管');
    await as(secretary)
      .put(`/api/v1/orgs/${county.id}/escalation-policy`, HOURLY_POLICY)
      .expect(200);
    await engine.sweep(); // the quarter's start-of-quarter run, out of the way

    t1 = await raise('第一支部“三会一课”不规范', a1.id, '补齐会议记录', a1Member, HOUR);
    const t2 = await raise('第一支部班子作风不实', a1.id, '开展专题组织生活会', a1Member, 10 * DAY);
    const t4 = await raise(
      '第二党总支第一支部阵地不达标',
      b1.id,
      '恢复党员活动室',
      b1Member,
      2 * HOUR,
    );
    const t6 = await raise('第三支部台账不全', c1.id, '补建党员档案', c1Member, 3 * HOUR);
    await closeTask(t2, a1Member);
    await closeTask(t6, c1Member);
    t.clock.advance(3.5 * HOUR);
    await engine.sweep();
    await closeTask(t4, b1Member); // late
  });
  afterAll(() => t.close());

  const summaryOf = async () =>
    (
      await as(secretary)
        .get(`/api/v1/reports/summary?orgId=${county.id}&quarter=2026Q4`)
        .expect(200)
    ).body as { totals: Tally; children: (Tally & { orgId: string })[] };

  /** Checks a 通报 against the summary of the same org and quarter; returns its paragraphs. */
  async function expectCircular(bytes: Buffer): Promise<string[]> {
    const { paragraphs } = readDocx(bytes);
    const s = await summaryOf();
    const at = (text: string) => {
      const i = paragraphs.indexOf(text);
      expect({ paragraph: text, found: i >= 0 }).toEqual({ paragraph: text, found: true });
      return i;
    };
    expect(paragraphs.slice(0, 3)).toEqual([
      '〔2026〕X号',
      TITLE,
      `${s.children.map((c) => c.orgName).join('、')}：`,
    ]);
    const headings = ['一、总体情况', '二、好的做法', '三、存在问题', '四、下一步要求'].map(at);
    expect([...headings].sort((x, y) => x - y)).toEqual(headings);
    // 总体情况: the summary's figures, for the subtree and each child org.
    expect(paragraphs[headings[0] + 1]).toContain(
      `2026年第四季度，某某县委及所属各级党组织共${figures(s.totals)}。`,
    );
    s.children.forEach((c, i) => {
      expect(paragraphs[headings[0] + 2 + i]).toBe(
        `（${['一', '二', '三'][i]}）${c.orgName}。${figures(c)}。`,
      );
    });
    // 好的做法: only the unit that closed everything due on time.
    expect(paragraphs[headings[1] + 1]).toMatch(/^第三党总支认真落实整改主体责任/);
    // 存在问题: T1 by its unit (named with its parent: there are two 第一支部), level and talk.
    const problems = paragraphs.slice(headings[2] + 1, headings[3]).join('\n');
    expect(problems).toContain('（一）第一党总支/第一支部。逾期升级1项。');
    expect(problems).toContain(
      '1. “第一支部‘三会一课’不规范”的整改措施“补齐会议记录”，整改时限2026年11月2日，' +
        '逾期未完成，已升级至通报（第3级）；责任人张三，分管领导赵分管。应约谈分管领导，尚无约谈记录。',
    );
    expect(problems).not.toContain('恢复党员活动室'); // 督办 only: not named
    expect(paragraphs.slice(-2)).toEqual(['某某县委', '2026年11月2日']);
    return paragraphs;
  }

  it('GET /reports/circular?format=docx: a Word document whose numbers equal the summary’s', async () => {
    const json = await as(deputy)
      .get(`/api/v1/reports/circular?orgId=${county.id}&quarter=2026Q4`)
      .expect(200);
    expect(json.headers['content-type']).toMatch(/^application\/json/);
    expect(json.body.entries.map((e: { taskId: string }) => e.taskId)).toEqual([t1]);

    const res = await download(
      deputy,
      `/api/v1/reports/circular?orgId=${county.id}&quarter=2026Q4&format=docx`,
    );
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe(DOCX);
    expect(res.headers['content-disposition']).toContain(
      `filename*=UTF-8''${encodeURIComponent(`${TITLE}-某某县委.docx`)}`,
    );
    await expectCircular(res.body as Buffer);

    const bad = await as(deputy).get(`/api/v1/reports/circular?orgId=${county.id}&format=pdf`);
    expect(bad.status).toBe(400);
    expect(bad.body.message).toContain('格式');
    expect(
      (await download(outsider, `/api/v1/reports/circular?orgId=${county.id}&format=docx`)).status,
    ).toBe(404);
  });

  describe('POST /circulars', () => {
    let issued: { id: string; quarter: string; sha256: string; issuedAt: string };
    let archived: Buffer;

    it('is for the org’s secretary, deputy or administrator only', async () => {
      const body = { orgId: county.id, quarter: '2026Q4' };
      const refused = await as(supervisor).post('/api/v1/circulars', body);
      expect(refused.status).toBe(403);
      expect(refused.body.message).toContain('无权印发通报');
      // A secretary below the org does not see it to issue for it.
      expect((await as(general1Secretary).post('/api/v1/circulars', body)).status).toBe(404);
      expect((await as(outsider).post('/api/v1/circulars', body)).status).toBe(404);
      const bad = await as(secretary).post('/api/v1/circulars', {
        orgId: county.id,
        quarter: 'Q4',
      });
      expect(bad.status).toBe(400);
      expect(bad.body.message).toMatch(/^季度/);
    });

    it('issues it once: the archived bytes are a 通报 whose sha256 the audit record holds', async () => {
      const res = await as(secretary)
        .post('/api/v1/circulars', { orgId: county.id, quarter: '2026Q4' })
        .expect(201);
      issued = res.body;
      expect(Object.keys(issued).sort()).toEqual(['id', 'issuedAt', 'quarter', 'sha256']);
      expect(issued).toMatchObject({ quarter: '2026Q4', issuedAt: t.clock.now().toISOString() });

      const doc = await download(secretary, `/api/v1/circulars/${issued.id}/document`);
      expect(doc.status).toBe(200);
      expect(doc.headers['content-type']).toBe(DOCX);
      archived = doc.body as Buffer;
      expect(sha256(archived)).toBe(issued.sha256);
      expect(doc.headers['x-content-sha256']).toBe(issued.sha256);
      await expectCircular(archived);

      const events: { type: string; actor_id: string; data: Record<string, unknown> }[] =
        await t.db.query(
          `SELECT type, actor_id, data FROM audit_events WHERE stream_id = $1 ORDER BY seq`,
          [issued.id],
        );
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({ type: 'issued', actor_id: secretary.id });
      expect(events[0].data).toMatchObject({
        orgId: county.id,
        quarter: '2026Q4',
        sha256: sha256(archived),
        byteSize: archived.length,
      });

      expect([...(events[0].data.addresseeOrgIds as string[])].sort()).toEqual(
        generals.map((g) => g.id).sort(),
      );

      const again = await as(deputy).post('/api/v1/circulars', {
        orgId: county.id,
        quarter: '2026Q4',
      });
      expect(again.status).toBe(409);
      expect(again.body.code).toBe('circular_exists');
      expect(again.body.message).toContain(issued.id);
    });

    it('keeps the archived bytes while the live draft moves on', async () => {
      await closeTask(t1, a1Member);
      const doc = await download(general1Secretary, `/api/v1/circulars/${issued.id}/document`);
      expect(doc.status).toBe(200);
      expect(Buffer.compare(doc.body as Buffer, archived)).toBe(0);
      const draft = readDocx(
        (
          await download(
            secretary,
            `/api/v1/reports/circular?orgId=${county.id}&quarter=2026Q4&format=docx`,
          )
        ).body as Buffer,
      ).paragraphs.join('\n');
      expect(draft).toContain('逾期后已销号');
      expect(readDocx(archived).paragraphs.join('\n')).not.toContain('逾期后已销号');
      const stored: { n: number }[] = await t.db.query(
        `SELECT count(*)::int AS n FROM circulars WHERE id = $1 AND sha256 = $2`,
        [issued.id, issued.sha256],
      );
      expect(stored[0].n).toBe(1);
    });

    it('sends it to the secretaries of the orgs it names, with a link to the document', async () => {
      const inbox = (await as(general1Secretary).get('/api/v1/notifications').expect(200)).body
        .items as { kind: string; title: string; data: Record<string, unknown> }[];
      const notices = inbox.filter((n) => n.kind === 'circular_issued');
      expect(notices).toHaveLength(1);
      expect(notices[0].title).toBe(`【通报】某某县委印发《${TITLE}》`);
      expect(notices[0].data).toMatchObject({
        circularId: issued.id,
        documentUrl: `/api/v1/circulars/${issued.id}/document`,
      });
      const memberInbox = (await as(a1Member).get('/api/v1/notifications').expect(200)).body
        .items as { kind: string }[];
      expect(memberInbox.filter((n) => n.kind === 'circular_issued')).toHaveLength(0);
    });

    it('is read by the issuing org’s subtree and the orgs above it, by nobody else', async () => {
      for (const p of [deputy, general1Secretary, a1Member, b1Member]) {
        expect((await download(p, `/api/v1/circulars/${issued.id}/document`)).status).toBe(200);
      }
      const hidden = await download(outsider, `/api/v1/circulars/${issued.id}/document`);
      expect(hidden.status).toBe(404);
      expect(hidden.body.toString('utf8')).toContain('circular_not_found');

      const mine = await as(general1Secretary)
        .get(`/api/v1/circulars?orgId=${generals[0].id}`)
        .expect(200);
      expect(mine.body).toMatchObject({ total: 1, page: 1 });
      expect(mine.body.items[0]).toMatchObject({
        id: issued.id,
        orgId: county.id,
        orgName: '某某县委',
        quarter: '2026Q4',
        title: TITLE,
        sha256: issued.sha256,
        byteSize: archived.length,
        issuedBy: secretary.id,
      });
      expect((await as(outsider).get('/api/v1/circulars').expect(200)).body.total).toBe(0);
      expect((await as(secretary).get(`/api/v1/circulars/${issued.id}`).expect(200)).body).toEqual(
        mine.body.items[0],
      );
    });

    it('counts the 约谈 held once one is recorded (POST /tasks/{id}/talks)', async () => {
      const draftText = async () =>
        readDocx(
          (
            await download(
              secretary,
              `/api/v1/reports/circular?orgId=${county.id}&quarter=2026Q4&format=docx`,
            )
          ).body as Buffer,
        ).paragraphs.join('\n');
      expect(await draftText()).toContain('应约谈分管领导，尚无约谈记录。');
      await as(secretary)
        .post(`/api/v1/tasks/${t1}/talks`, {
          heldOn: localDateOf(t.clock.now(), 'Asia/Shanghai'),
          participantUserIds: [leader.id],
          notes: '约谈分管领导，要求按期补齐会议记录',
        })
        .expect(201);
      expect(await draftText()).toContain('已约谈分管领导1次。');
    });

    it('is described in the OpenAPI document with the names of API.md', async () => {
      const doc = (await t.http().get('/api/docs-json').expect(200)).body;
      expect(doc.paths['/api/v1/circulars'].post.responses['201']).toBeDefined();
      expect(doc.paths['/api/v1/circulars'].post.responses['409']).toBeDefined();
      expect(doc.paths['/api/v1/circulars'].get).toBeDefined();
      expect(
        Object.keys(doc.paths['/api/v1/circulars/{id}/document'].get.responses['200'].content),
      ).toEqual([DOCX]);
      const issuedSchema = doc.components.schemas.IssuedCircularResponse;
      expect(Object.keys(issuedSchema.properties).sort()).toEqual([
        'id',
        'issuedAt',
        'quarter',
        'sha256',
      ]);
      const request = doc.components.schemas.IssueCircularRequest;
      expect(request.required.sort()).toEqual(['orgId', 'quarter']);
      const format = doc.paths['/api/v1/reports/circular'].get.parameters.find(
        (p: { name: string }) => p.name === 'format',
      );
      expect(format.schema.enum).toEqual(['json', 'docx']);
    });

    it('opens in LibreOffice, when it is installed, with the same text', () => {
      let soffice: string | null;
      try {
        soffice = execFileSync('sh', ['-c', 'command -v soffice || command -v libreoffice'], {
          encoding: 'utf8',
        }).trim();
      } catch {
        soffice = null;
      }
      if (!soffice) {
        console.warn(
          '\n*** SKIPPED: LibreOffice (soffice) is not installed; the 通报 was not converted ' +
            'to text by an office suite. Install libreoffice-writer to run this check. ***\n',
        );
        return;
      }
      const dir = mkdtempSync(join(tmpdir(), 'duban-circular-'));
      try {
        writeFileSync(join(dir, 'circular.docx'), archived);
        execFileSync(
          soffice,
          [
            `-env:UserInstallation=file://${dir}/profile`,
            '--headless',
            '--convert-to',
            'txt:Text (encoded):UTF8',
            '--outdir',
            dir,
            join(dir, 'circular.docx'),
          ],
          { timeout: 120_000, stdio: 'ignore' },
        );
        const text = readFileSync(join(dir, 'circular.txt'), 'utf8');
        for (const p of readDocx(archived).paragraphs) expect(text).toContain(p);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
});
