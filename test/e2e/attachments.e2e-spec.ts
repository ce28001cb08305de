import { createHash, randomUUID } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { crc32, deflateSync } from 'node:zlib';
import type { Response } from 'supertest';
import { AttachmentStore, EvidenceService } from '#duban/evidence';
import { ActorService } from '#duban/identity';
import { ApiClient } from '../support/api-client';
import { startTestApp, TestApp } from '../support/test-app';
import { waitFor } from '../support/wait';
import { minimalDocx } from '../support/zip';

const MAX_BYTES = 65536;
const DOCX = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';

/** A one-page PDF with a correct cross-reference table. */
function minimalPdf(text: string): Buffer {
  const content = `BT /F1 12 Tf 20 50 Td (${text}) Tj ET`;
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 100] /Contents 4 0 R ' +
      '/Resources << /Font << /F1 5 0 R >> >> >>',
    `<< /Length ${content.length} >>\nstream\n${content}\nendstream`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ];
  let pdf = '%PDF-1.4\n%\xe2\xe3\xcf\xd3\n';
  const offsets: number[] = [];
  objects.forEach((body, i) => {
    offsets.push(pdf.length);
    pdf += `${i + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xref = pdf.length;
  pdf += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const offset of offsets) pdf += `${String(offset).padStart(10, '0')} 00000 n \n`;
  pdf += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(pdf, 'latin1');
}

/** A 1×1 red PNG. */
function minimalPng(): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const header = Buffer.from([0, 0, 0, 1, 0, 0, 0, 1, 8, 6, 0, 0, 0]);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(Buffer.from([0, 255, 0, 0, 255]))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** A DOS/Windows executable's opening bytes. */
function fakeExecutable(): Buffer {
  const exe = Buffer.alloc(512);
  exe.write('MZ', 0, 'latin1');
  exe.writeUInt32LE(0x80, 0x3c);
  exe.write('This program cannot be run in DOS mode.', 0x4e, 'latin1');
  exe.write('PE\0\0', 0x80, 'latin1');
  return exe;
}

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** Every file under `dir`, as paths relative to it. */
async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)))
    .sort();
}

/** supertest collects a binary body as a Buffer only when told how. */
function binary(res: Response, callback: (err: Error | null, body: Buffer) => void): void {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => callback(null, Buffer.concat(chunks)));
}

/**
 * 县委 (committee, raises the problem)
 * └── 第一党总支 (general_branch)
 *     ├── 第一支部 (branch: responsible for the task)  ← uploader (member), secretary A
 *     └── 第二支部 (branch)                              ← member B
 */
describe('evidence attachments (佐证材料)', () => {
  let t: TestApp;
  let api: ApiClient;
  let admin: string;
  let county: { id: string };
  let branchA: { id: string };
  let uploader: { id: string; token: string };
  let secretaryA: { id: string; token: string };
  let countySecretary: { id: string; token: string };
  let memberB: { id: string; token: string };

  const upload = (token: string, bytes: Buffer, filename: string, contentType?: string) =>
    t
      .http()
      .post('/api/v1/attachments')
      .auth(token, { type: 'bearer' })
      .attach('file', bytes, { filename, contentType: contentType ?? 'application/octet-stream' });

  const download = (token: string, id: string) =>
    t
      .http()
      .get(`/api/v1/attachments/${id}`)
      .auth(token, { type: 'bearer' })
      .buffer(true)
      .parse(binary);

  /** What is left in the api's temporary upload directory. */
  const leftovers = () => filesUnder(t.app.get(AttachmentStore).tempDir);

  async function attachmentCount(): Promise<number> {
    const rows: { n: string }[] = await t.db.query('SELECT count(*) AS n FROM attachments');
    return Number(rows[0].n);
  }

  /** A problem raised by the county with one task for branch A, straight into the database. */
  async function createTask(): Promise<string> {
    const problemId = randomUUID();
    const taskId = randomUUID();
    const now = t.clock.now();
    await t.db.query(
      `INSERT INTO problems (id, title, description, category, severity, source, org_id, org_path,
                             raised_by_org_id, raised_by, task_count, open_task_count, created_at)
       SELECT $1, '台账资料不全', '支部会议记录缺失', 'organisational_life', 'general', '巡察',
              o.id, o.path, $3, $4, 1, 1, $5
         FROM orgs o WHERE o.id = $2`,
      [problemId, branchA.id, county.id, countySecretary.id, now],
    );
    await t.db.query(
      `INSERT INTO tasks (id, problem_id, measure, raising_org_id, raising_org_path,
                          responsible_org_id, responsible_org_path, responsible_user_id, mode,
                          due_at, state, created_at, updated_at)
       SELECT $1, $2, '补齐会议记录', raising.id, raising.path, responsible.id, responsible.path,
              $5, 'deadline', $6, 'in_progress', $7, $7
         FROM orgs raising, orgs responsible WHERE raising.id = $3 AND responsible.id = $4`,
      [
        taskId,
        problemId,
        county.id,
        branchA.id,
        uploader.id,
        new Date(now.getTime() + 30 * 86400_000),
        now,
      ],
    );
    return taskId;
  }

  beforeAll(async () => {
    // The default store: the database (DUBAN_ATTACHMENTS_URL unset).
    t = await startTestApp({ DUBAN_ATTACHMENT_MAX_BYTES: String(MAX_BYTES) });
    api = new ApiClient(t);
    admin = await api.adminToken();
    county = await api.createOrg(admin, { name: '某某县委', kind: 'committee' });
    const general = await api.createOrg(admin, {
      name: '第一党总支',
      kind: 'general_branch',
      parentId: county.id,
    });
    branchA = await api.createOrg(admin, {
      name: '第一支部',
      kind: 'branch',
      parentId: general.id,
    });
    const branchB = await api.createOrg(admin, {
      name: '第二支部',
      kind: 'branch',
      parentId: general.id,
    });
    uploader = await api.createPerson(admin, [{ orgId: branchA.id, role: 'member' }], 'uploader');
    secretaryA = await api.createPerson(admin, [{ orgId: branchA.id, role: 'secretary' }], 'sec-a');
    countySecretary = await api.createPerson(
      admin,
      [{ orgId: county.id, role: 'secretary' }],
      'county-sec',
    );
    memberB = await api.createPerson(admin, [{ orgId: branchB.id, role: 'member' }], 'member-b');
  });

  afterAll(async () => {
    await t?.close();
  });

  it('stores a PDF and gives back the same bytes with their digest and a download name', async () => {
    const pdf = minimalPdf('rectified');
    const res = await upload(uploader.token, pdf, 'report.pdf', 'application/pdf').expect(201);
    expect(res.body).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      sha256: sha256(pdf),
      size: pdf.length,
      contentType: 'application/pdf',
      fileName: 'report.pdf',
      uploadedBy: uploader.id,
      uploadedAt: t.clock.now().toISOString(),
    });

    const got = await download(uploader.token, res.body.id).expect(200);
    expect(Buffer.compare(got.body as Buffer, pdf)).toBe(0);
    expect(got.headers['content-type']).toBe('application/pdf');
    expect(got.headers['content-length']).toBe(String(pdf.length));
    expect(got.headers['x-content-sha256']).toBe(sha256(pdf));
    expect(got.headers['content-disposition']).toContain("filename*=UTF-8''report.pdf");
    expect(got.headers['content-disposition']).toMatch(/^attachment;/);

    const meta = await t
      .http()
      .get(`/api/v1/attachments/${res.body.id}/meta`)
      .auth(uploader.token, { type: 'bearer' })
      .expect(200);
    expect(meta.body).toEqual(res.body);
  });

  it('detects PNG and docx from their bytes, whatever the client claims', async () => {
    const png = minimalPng();
    const image = await upload(uploader.token, png, 'photo.jpg', 'image/jpeg').expect(201);
    expect(image.body).toMatchObject({ contentType: 'image/png', sha256: sha256(png) });

    const docx = minimalDocx();
    const doc = await upload(uploader.token, docx, 'measures.docx').expect(201);
    expect(doc.body).toMatchObject({ contentType: DOCX, size: docx.length });
    const got = await download(uploader.token, doc.body.id).expect(200);
    expect(got.headers['content-type']).toBe(DOCX);
    expect(Buffer.compare(got.body as Buffer, docx)).toBe(0);
  });

  it('keeps a Chinese file name intact, in the metadata and in the download', async () => {
    const name = '整改报告（第一批）.pdf';
    const res = await upload(uploader.token, minimalPdf('chinese'), name).expect(201);
    expect(res.body.fileName).toBe(name);
    const got = await download(uploader.token, res.body.id).expect(200);
    const encoded = /filename\*=UTF-8''([^;]+)/.exec(got.headers['content-disposition'])?.[1];
    expect(decodeURIComponent(encoded ?? '')).toBe(name);
  });

  it('stores the same content once in the database, however often and by whom it is uploaded', async () => {
    const text = Buffer.from('第三季度整改台账：全部完成。\n');
    const first = await upload(uploader.token, text, 'a.txt').expect(201);
    const second = await upload(secretaryA.token, text, 'b.txt').expect(201);
    expect(second.body.id).not.toBe(first.body.id);
    expect(second.body.sha256).toBe(first.body.sha256);
    expect(first.body.contentType).toBe('text/plain; charset=utf-8');

    const sha = sha256(text);
    expect(await t.db.query('SELECT sha256, size FROM blobs WHERE sha256 = $1', [sha])).toEqual([
      { sha256: sha, size: String(text.length) },
    ]);
    const chunks: { data: Buffer }[] = await t.db.query(
      'SELECT data FROM blob_chunks WHERE sha256 = $1 ORDER BY seq',
      [sha],
    );
    expect(Buffer.concat(chunks.map((c) => c.data))).toEqual(text);
    expect(await leftovers()).toEqual([]);
    // each upload keeps its own uploader and name
    const meta = await t
      .http()
      .get(`/api/v1/attachments/${second.body.id}/meta`)
      .auth(secretaryA.token, { type: 'bearer' })
      .expect(200);
    expect(meta.body).toMatchObject({ fileName: 'b.txt', uploadedBy: secretaryA.id });
  });

  it('refuses an executable named .pdf with 415, listing the accepted kinds', async () => {
    const before = await attachmentCount();
    const res = await upload(uploader.token, fakeExecutable(), '整改报告.pdf', 'application/pdf');
    expect(res.status).toBe(415);
    expect(res.body.message).toMatch(/^文件内容不是可接受的佐证材料类型/);
    expect(res.body.message).toMatch(/PDF, PNG, JPEG/);
    expect(await attachmentCount()).toBe(before);
    expect(await leftovers()).toEqual([]);
  });

  it('refuses a file over DUBAN_ATTACHMENT_MAX_BYTES with 413 naming the limit', async () => {
    const pdf = minimalPdf('big');
    const atLimit = Buffer.concat([pdf, Buffer.alloc(MAX_BYTES - pdf.length, 0x0a)]);
    await upload(uploader.token, atLimit, 'exactly-the-limit.pdf').expect(201);

    const before = await attachmentCount();
    const res = await upload(uploader.token, Buffer.concat([atLimit, Buffer.from('\n')]), 'x.pdf');
    expect(res.status).toBe(413);
    expect(res.body.message).toBe('文件超过 64 KiB 的上限');
    expect(await attachmentCount()).toBe(before);
    expect(await leftovers()).toEqual([]);
  });

  it('answers 400 naming file when there is no file, an empty one, or one in another field', async () => {
    const none = await t
      .http()
      .post('/api/v1/attachments')
      .auth(uploader.token, { type: 'bearer' })
      .send({})
      .expect(400);
    expect(none.body.message).toMatch(/^请上传文件/);
    expect(none.body.errors).toEqual([
      { field: 'file', code: 'validation_failed', message: none.body.message },
    ]);

    const empty = await upload(uploader.token, Buffer.alloc(0), 'empty.pdf').expect(400);
    expect(empty.body.message).toMatch(/^文件是空的/);

    const elsewhere = await t
      .http()
      .post('/api/v1/attachments')
      .auth(uploader.token, { type: 'bearer' })
      .attach('document', minimalPdf('x'), 'x.pdf')
      .expect(400);
    expect(elsewhere.body.message).toMatch(/^请只上传一个文件/);

    const truncated = await t
      .http()
      .post('/api/v1/attachments')
      .auth(uploader.token, { type: 'bearer' })
      .set('Content-Type', 'multipart/form-data; boundary=xyz')
      .send(
        '--xyz\r\nContent-Disposition: form-data; name="file"; filename="a.pdf"\r\n\r\n%PDF-1.4',
      )
      .expect(400);
    expect(truncated.body.message).toMatch(/^上传的内容格式不正确/);
    // The half-received file is removed as multer aborts, which may finish after the answer.
    await waitFor('the temporary file to be removed', async () =>
      (await leftovers()).length === 0 ? true : undefined,
    );

    await t.http().post('/api/v1/attachments').attach('file', minimalPdf('x'), 'x.pdf').expect(401);
  });

  it('answers 400 for an id that is not a UUID and 404 for an unknown one', async () => {
    const bad = await download(uploader.token, 'not-a-uuid').expect(400);
    expect(bad.body.toString()).toMatch(/编号格式不正确，须为 UUID/);
    await t
      .http()
      .get(`/api/v1/attachments/${randomUUID()}/meta`)
      .auth(uploader.token, { type: 'bearer' })
      .expect(404);
  });

  it('shows an unlinked attachment to nobody but its uploader, not even the secretary', async () => {
    const res = await upload(uploader.token, minimalPdf('private'), 'draft.pdf').expect(201);
    for (const other of [secretaryA, countySecretary, memberB]) {
      await download(other.token, res.body.id).expect(404);
      const meta = await t
        .http()
        .get(`/api/v1/attachments/${res.body.id}/meta`)
        .auth(other.token, { type: 'bearer' })
        .expect(404);
      expect(meta.body.message).toBe('附件不存在或不在你的范围内');
    }
  });

  it('once linked to a task, shows it to the responsible and raising orgs but not to a sibling branch', async () => {
    const pdf = minimalPdf('evidence');
    const res = await upload(uploader.token, pdf, '会议记录.pdf').expect(201);
    const id: string = res.body.id;
    const taskId = await createTask();
    const evidence = t.app.get(EvidenceService);

    await t.db.transaction(async (m) => {
      await evidence.assertUsable(m, uploader.id, [id, id.toUpperCase()], taskId);
      await evidence.link(m, taskId, [id, id], uploader.id, 'submission', t.clock.now());
    });

    for (const viewer of [uploader, secretaryA, countySecretary]) {
      const got = await download(viewer.token, id).expect(200);
      expect(Buffer.compare(got.body as Buffer, pdf)).toBe(0);
    }
    await download(memberB.token, id).expect(404);

    const actor = async (id: string) => {
      const loaded = await t.app.get(ActorService).load(id);
      if (!loaded) throw new Error(`no actor ${id}`);
      return loaded;
    };
    const listed = await evidence.forTask(await actor(secretaryA.id), taskId);
    expect(listed).toEqual([
      expect.objectContaining({
        id,
        fileName: '会议记录.pdf',
        purpose: 'submission',
        linkedBy: uploader.id,
        linkedAt: t.clock.now().toISOString(),
      }),
    ]);
    await expect(evidence.forTask(await actor(memberB.id), taskId)).rejects.toMatchObject({
      kind: 'not_found',
    });

    // linking again (e.g. the same file cited in a later report) changes nothing
    await t.db.transaction((m) =>
      evidence.link(m, taskId, [id], secretaryA.id, 'progress', t.clock.now()),
    );
    const admin = { ...(await actor(uploader.id)), systemAdmin: true };
    expect(await evidence.forTask(admin, taskId)).toEqual(listed);
  });

  it('lets a command use only its actor’s uploads or files already linked to the same task', async () => {
    const evidence = t.app.get(EvidenceService);
    const mine = (await upload(uploader.token, minimalPdf('mine'), 'mine.pdf').expect(201)).body.id;
    const taskId = await createTask();
    const otherTask = await createTask();
    await t.db.transaction((m) =>
      evidence.link(m, taskId, [mine], uploader.id, 'progress', t.clock.now()),
    );
    const unknown = randomUUID();

    await t.db.transaction(async (m) => {
      await expect(evidence.assertUsable(m, uploader.id, [mine])).resolves.toBeUndefined();
      // the secretary may cite it for the task it is linked to, not for another one
      await expect(
        evidence.assertUsable(m, secretaryA.id, [mine], taskId),
      ).resolves.toBeUndefined();
      await expect(
        evidence.assertUsable(m, secretaryA.id, [mine], otherTask),
      ).rejects.toMatchObject({
        kind: 'invalid',
        field: 'attachmentIds',
        message: expect.stringContaining(mine),
      });
      await expect(evidence.assertUsable(m, uploader.id, [mine, unknown])).rejects.toMatchObject({
        field: 'attachmentIds',
        message: expect.stringContaining(unknown),
      });
      await expect(evidence.assertUsable(m, uploader.id, ['42'])).rejects.toMatchObject({
        field: 'attachmentIds',
        message: expect.stringContaining('"42" is not a UUID'),
      });
      const many = Array.from({ length: 21 }, () => randomUUID());
      await expect(evidence.assertUsable(m, uploader.id, many)).rejects.toMatchObject({
        message: expect.stringContaining('at most 20'),
      });
      await expect(
        evidence.assertUsable(
          m,
          uploader.id,
          Array.from({ length: 25 }, () => mine),
        ),
      ).resolves.toBeUndefined();
    });
  });

  it('describes the upload as multipart/form-data in the OpenAPI document', async () => {
    const doc = await t.http().get('/api/docs-json').expect(200);
    const post = doc.body.paths['/api/v1/attachments'].post;
    const ref: string = post.requestBody.content['multipart/form-data'].schema.$ref;
    const schema = doc.body.components.schemas[ref.split('/').pop() as string];
    expect(schema.properties.file).toMatchObject({ type: 'string', format: 'binary' });
    expect(schema.required).toEqual(['file']);
    expect(Object.keys(post.responses)).toEqual(
      expect.arrayContaining(['201', '400', '413', '415']),
    );
    expect(doc.body.paths['/api/v1/attachments/{id}'].get.responses['404']).toBeDefined();
  });
});
