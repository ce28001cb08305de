import type { AddressInfo } from 'node:net';
import { type OpenApiDocument, runFuzz } from '../../scripts/fuzz/fuzzer';
import { seedFuzzWorld } from '../../scripts/fuzz/seed';
import { ADMIN, startTestApp, TestApp } from '../support/test-app';

/** Fixed, so a failure here reproduces with `npm run fuzz -- --seed 20261201 --count 600`. */
const SEED = 20261201;
const COUNT = 600;

/**
 * Every operation of the OpenAPI document, with mutated paths, queries and bodies, as an admin
 * and as a plain member: no 5xx, every 4xx in the error shape, and /health still 200 after.
 * `npm run fuzz -- --count 5000` runs more of the same.
 */
describe('fuzzing every operation of the OpenAPI document', () => {
  let t: TestApp;
  let baseUrl: string;

  beforeAll(async () => {
    t = await startTestApp({}, { realClock: true });
    await new Promise<void>((resolve) => t.app.getHttpServer().listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
  });
  afterAll(() => t.close());

  it(`answers ${COUNT} generated requests without a 5xx (seed ${SEED})`, async () => {
    const doc = (await (await fetch(`${baseUrl}/api/docs-json`)).json()) as OpenApiDocument;
    const world = await seedFuzzWorld(baseUrl, ADMIN);
    const lines: string[] = [];
    const result = await runFuzz({
      baseUrl,
      doc,
      seed: SEED,
      count: COUNT,
      concurrency: 4,
      tokens: world.tokens,
      ids: world.ids,
      heavy: { pattern: /ledger|import|attachments$/, share: 0.2 },
      log: (line) => lines.push(line),
    });
    process.stdout.write(
      `fuzz seed ${SEED}: ${result.requests} requests, ${result.fiveHundreds} 5xx, ` +
        `${JSON.stringify(result.byStatus)}\n`,
    );
    expect(lines).toEqual([]);
    expect(result.fiveHundreds).toBe(0);
    expect(result.failures).toEqual([]);
    expect(result.healthAfter).toBe(200);
  }, 120_000);
});
