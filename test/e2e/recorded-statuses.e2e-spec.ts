import { startTestApp, TestApp } from '../support/test-app';
import { readRecordedStatuses, recordFile, templateMatcher } from '../support/status-recorder';

const METHODS = ['get', 'put', 'post', 'delete', 'patch'];

/**
 * With DUBAN_RECORD_STATUSES=<file> set for the run, every test file's in-process api appends the
 * statuses it sends; this file asserts that each one recorded so far (by the files that ran
 * before it) is documented for its operation in the OpenAPI document. Requests outside the
 * document (web assets, /api/docs, unknown paths, a method the path does not have: 405) and
 * HEAD/OPTIONS are not operations and are left out.
 */
describe('every status the e2e run provoked is documented for its operation', () => {
  const file = recordFile();
  let t: TestApp;
  let paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;

  beforeAll(async () => {
    t = await startTestApp();
    paths = (await t.http().get('/api/docs-json').expect(200)).body.paths;
  });
  afterAll(() => t.close());

  (file ? it : it.skip)('recorded statuses are all in the document', () => {
    const templateOf = templateMatcher(Object.keys(paths));
    const undocumented = new Set<string>();
    let checked = 0;
    for (const r of readRecordedStatuses(file!)) {
      if (!METHODS.includes(r.method)) continue;
      const template = templateOf(r.path);
      const operation = template ? paths[template][r.method] : undefined;
      if (!operation) continue;
      checked++;
      if (!operation.responses[String(r.status)])
        undocumented.add(`${r.method} ${template} ${r.status}`);
    }
    if (checked === 0) console.warn(`*** no recorded status in ${file} yet: nothing checked ***`);
    expect([...undocumented].sort()).toEqual([]);
  });
});
