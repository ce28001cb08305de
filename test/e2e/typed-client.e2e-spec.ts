import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NestFactory } from '@nestjs/core';
import ts from 'typescript';
import { AppModule } from '../../apps/api/src/app.module';
import { buildOpenApiDocument } from '../../apps/api/src/openapi';
import { runLifecycle } from '../client/lifecycle';
import { ADMIN, startTestApp, TestApp } from '../support/test-app';

const ROOT = join(__dirname, '..', '..');
const SCRIPT = join(ROOT, 'test', 'client', 'lifecycle.ts');
/** Where the script imports the generated types from (written by `npm run build`). */
const GENERATED = join(ROOT, 'apps', 'web', 'src', 'generated', 'api.ts');

/** openapi-typescript's CLI, as `npm run openapi` runs it, on `document` (in a temp dir). */
function generateTypes(document: unknown): string {
  const dir = mkdtempSync(join(tmpdir(), 'duban-openapi-'));
  try {
    const input = join(dir, 'openapi.json');
    writeFileSync(input, JSON.stringify(document));
    const cli = join(ROOT, 'node_modules', 'openapi-typescript', 'bin', 'cli.js');
    const run = spawnSync(process.execPath, [cli, input, '-o', join(dir, 'api.ts')], {
      encoding: 'utf8',
    });
    if (run.status !== 0) throw new Error(`openapi-typescript: ${run.stderr}`);
    return readFileSync(join(dir, 'api.ts'), 'utf8');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Type-checks test/client/lifecycle.ts with the types generated from `document` standing in for
 * apps/web/src/generated/api.ts (nothing is written), and `script` for the script's own text.
 */
async function compileAgainst(document: unknown, script: string): Promise<string[]> {
  const generated = generateTypes(document);
  const options: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2023,
    lib: ['lib.es2023.d.ts', 'lib.dom.d.ts'],
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    esModuleInterop: true,
    types: ['node'],
  };
  const host = ts.createCompilerHost(options);
  const texts = new Map([
    [GENERATED, generated],
    [SCRIPT, script],
  ]);
  const getSourceFile = host.getSourceFile.bind(host);
  const fileExists = host.fileExists.bind(host);
  const readFile = host.readFile.bind(host);
  host.fileExists = (f) => texts.has(f) || fileExists(f);
  host.readFile = (f) => texts.get(f) ?? readFile(f);
  host.getSourceFile = (f, language, ...rest) => {
    const text = texts.get(f);
    return text !== undefined
      ? ts.createSourceFile(f, text, language)
      : getSourceFile(f, language, ...rest);
  };
  const program = ts.createProgram([SCRIPT], options, host);
  return ts
    .getPreEmitDiagnostics(program)
    .map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
}

/**
 * A committee's own script (test/client/lifecycle.ts) drives the whole lifecycle through the
 * client generated from the OpenAPI document: it compiles against the served document, and it
 * runs against the real api.
 */
describe('the generated typed client', () => {
  let t: TestApp;
  let baseUrl: string;
  let document: unknown;

  beforeAll(async () => {
    t = await startTestApp();
    await t.app.listen(0, '127.0.0.1');
    const { port } = t.app.getHttpServer().address() as AddressInfo;
    baseUrl = `http://127.0.0.1:${port}`;
    document = (await t.http().get('/api/docs-json').expect(200)).body;
  });
  afterAll(() => t.close());

  it('is generated from the same document whether the api runs or not (npm run openapi)', async () => {
    const preview = await NestFactory.create(AppModule.forRoot(t.config), {
      preview: true,
      logger: false,
      bodyParser: false,
    });
    expect(JSON.parse(JSON.stringify(buildOpenApiDocument(preview)))).toEqual(document);
  });

  it('the script compiles against the served document, and a wrong field does not', async () => {
    const script = readFileSync(SCRIPT, 'utf8');
    expect(await compileAgainst(document, script)).toEqual([]);
    // Not vacuous: reading a field the error body does not have is a compile error.
    const wrong = script.replace('code: refused.error.code,', 'code: refused.error.reason,');
    expect(wrong).not.toBe(script);
    const errors = await compileAgainst(document, wrong);
    expect(errors.join('\n')).toMatch(/Property 'reason' does not exist/);
  }, 120_000);

  it('drives a measure from 签收 to 销号, reading error.code on a refused self-verification', async () => {
    const report = await runLifecycle(baseUrl, ADMIN, t.clock.now());
    expect(report.states).toEqual([
      'assigned',
      'in_progress',
      'in_progress',
      'submitted',
      'verified',
      'closed',
    ]);
    expect(report.refusal).toMatchObject({ status: 403, code: 'conflict_of_interest' });
    expect(report.refusal.message).toMatch(/无权验收/);
    expect(report.missing).toEqual({ status: 404, code: 'not_found' });
    expect(report.timeline[0]).toBe('assigned');
    expect(report.timeline).toEqual(expect.arrayContaining(['accepted', 'submitted', 'closed']));
  });
});
