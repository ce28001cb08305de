import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cpus, totalmem } from 'node:os';
import { apiBench } from './api';
import { escalation } from './escalation';
import { fanout } from './fanout';
import { describeExisting, generate } from './generate';
import type { Figure } from './lib/context';
import { benchScale } from './lib/scale';

const ALL = ['fanout', 'escalation', 'api'] as const;

function table(figures: Figure[]): string {
  const fmt = (n: number | undefined, digits = 3) =>
    n === undefined ? '' : Number(n.toPrecision(digits)).toString();
  const rows = figures.map((f) => [
    f.figure,
    `${fmt(f.value)} ${f.unit}`,
    f.baseline === undefined ? '' : `${fmt(f.baseline)} ${f.unit}`,
    f.ratio === undefined ? '' : `${fmt(f.ratio)}×`,
    f.goal ?? '',
    f.met === undefined ? '' : f.met ? 'yes' : 'NO',
  ]);
  const head = ['figure', 'value', 'baseline (same run)', 'ratio', 'goal', 'met?'];
  return [head, head.map(() => '---'), ...rows].map((r) => `| ${r.join(' | ')} |`).join('\n');
}

/**
 * `npm run bench [fanout|escalation]`: generates a province at BENCH_SCALE in a fresh database,
 * runs the benchmarks (each against its floor measured in the same run), prints a table and
 * writes it to bench/results/<date>.json.
 */
async function main(): Promise<void> {
  const only = process.argv.slice(2);
  const selected = only.length ? ALL.filter((b) => only.includes(b)) : [...ALL];
  const now = new Date();
  // BENCH_REUSE=1 runs on the database the last run generated (e.g. to repeat one benchmark).
  const generated =
    process.env.BENCH_REUSE === '1' ? await describeExisting() : await generate(now);
  process.stdout.write(`generated: ${JSON.stringify(generated)}\n`);
  const figures: Figure[] = [
    {
      figure: 'generate: load the province',
      value: generated.seconds,
      unit: 's',
      note: `${generated.orgs} orgs, ${generated.users} people, ${generated.problems} problems, ${generated.tasks} tasks`,
    },
  ];
  if (selected.includes('fanout')) figures.push(...(await fanout(now)));
  if (selected.includes('escalation'))
    figures.push(...(await escalation(now, generated.sizes.wave)));
  if (selected.includes('api'))
    figures.push(...(await apiBench(Math.min(5000, generated.sizes.wave))));
  const out = table(figures);
  process.stdout.write(`\n${out}\n\n`);
  for (const f of figures.filter((x) => x.note)) process.stdout.write(`- ${f.figure}: ${f.note}\n`);
  const dir = join(process.cwd(), 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${now.toISOString().slice(0, 19).replace(/:/g, '-')}.json`);
  writeFileSync(
    file,
    JSON.stringify(
      {
        at: now.toISOString(),
        scale: benchScale(),
        machine: {
          cpus: cpus().length,
          memGb: Math.round(totalmem() / 2 ** 30),
          node: process.version,
        },
        generated,
        figures,
      },
      null,
      2,
    ),
  );
  process.stdout.write(`\nwritten to ${file}\n`);
}

main()
  .then(() => process.exit(0))
  .catch((e: unknown) => {
    process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  });
