import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const read = (file: string) => readFileSync(join(ROOT, file), 'utf8');

/**
 * The api and the worker run with one V8 heap cap wherever they are started: npm start
 * (scripts/lib/apps.mjs reads scripts/lib/node-options.json), docker-compose.yml and the
 * Dockerfile (which cannot read it, so this test keeps them equal), and the benchmarks.
 */
describe('the heap cap is the same wherever the apps start', () => {
  const cap = (JSON.parse(read('scripts/lib/node-options.json')) as { maxOldSpaceSizeMb: number })
    .maxOldSpaceSizeMb;
  const flag = `--max-old-space-size=${cap}`;

  it('is a sensible number of megabytes', () => {
    expect(cap).toBeGreaterThanOrEqual(96);
    expect(cap).toBeLessThanOrEqual(512);
  });

  it('is on both compose services and the image default command', () => {
    const compose = read('docker-compose.yml');
    for (const main of ['dist/apps/api/src/main.js', 'dist/apps/worker/src/main.js']) {
      expect(compose).toContain(`['node', '${flag}', '${main}']`);
    }
    expect(read('Dockerfile')).toContain(`CMD ["node", "${flag}", "dist/apps/api/src/main.js"]`);
    expect(compose.match(/--max-old-space-size=\d+/g)).toEqual([flag, flag]);
  });

  it('is what npm start and the benchmarks pass', () => {
    // scripts/ is plain ESM: ask node itself what it exports.
    const printed = execFileSync(process.execPath, [
      '--input-type=module',
      '-e',
      `import { NODE_FLAGS } from ${JSON.stringify(join(ROOT, 'scripts/lib/apps.mjs'))};
       process.stdout.write(JSON.stringify(NODE_FLAGS));`,
    ]).toString();
    expect(JSON.parse(printed)).toEqual([flag]);
    expect(read('bench/lib/node-flags.ts')).toContain('scripts/lib/node-options.json');
  });
});
