import { fork } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cpus, totalmem } from 'node:os';
import { apiBench } from './api';
import { escalation } from './escalation';
import { fanout } from './fanout';
import { describeExisting, generate } from './generate';
import { growth } from './growth';
import type { Figure } from './lib/context';
import { NODE_FLAGS } from './lib/node-flags';
import { benchScale } from './lib/scale';
import { soak } from './soak';

const ALL = ['fanout', 'escalation', 'api'] as const;
/** Run only when named: the soak takes an hour, growth only compares two earlier runs. */
const ON_REQUEST = ['soak'] as const;
type BenchName = (typeof ALL)[number] | (typeof ON_REQUEST)[number];

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
  const now = new Date();
  if (only.includes('growth')) {
    const figures = growth();
    process.stdout.write(`\n${table(figures)}\n\n`);
    write(`${stamp(now)}-growth`, { at: now.toISOString(), figures });
    return;
  }
  const selected: BenchName[] = only.length
    ? [...ALL, ...ON_REQUEST].filter((b) => only.includes(b))
    : [...ALL];
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
  // Each benchmark runs in a child process of its own, so the peak RSS it reports is its own
  // (a process's high-water mark never goes down: in one process, the escalation figure would
  // inherit the fan-out's peak).
  for (const name of selected) figures.push(...(await inChild(name, now, generated.sizes.wave)));
  const out = table(figures);
  process.stdout.write(`\n${out}\n\n`);
  for (const f of figures.filter((x) => x.note)) process.stdout.write(`- ${f.figure}: ${f.note}\n`);
  const suffix = selected.includes('soak') ? '-soak-figures' : '';
  write(`${stamp(now)}${suffix}`, {
    at: now.toISOString(),
    scale: benchScale(),
    machine: {
      cpus: cpus().length,
      memGb: Math.round(totalmem() / 2 ** 30),
      node: process.version,
    },
    generated,
    figures,
  });
}

/** A file name's time stamp: 2026-12-02T03-50-02. */
const stamp = (at: Date) => at.toISOString().slice(0, 19).replace(/:/g, '-');

/** Writes bench/results/<name>.json (every run is committed there). */
function write(name: string, content: object): void {
  const dir = join(process.cwd(), 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name}.json`);
  writeFileSync(file, JSON.stringify(content, null, 2));
  process.stdout.write(`\nwritten to ${file}\n`);
}

function inChild(name: BenchName, now: Date, wave: number): Promise<Figure[]> {
  return new Promise((resolve, reject) => {
    const child = fork(__filename, [], {
      execArgv: [...process.execArgv, ...NODE_FLAGS],
      env: { ...process.env, BENCH_CHILD: JSON.stringify({ name, now: now.toISOString(), wave }) },
    });
    let figures: Figure[] | null = null;
    child.on('message', (m) => (figures = m as Figure[]));
    child.on('error', reject);
    child.on('exit', (code) =>
      figures ? resolve(figures) : reject(new Error(`benchmark ${name} exited with ${code}`)),
    );
  });
}

async function runOne(name: BenchName, now: Date, wave: number): Promise<Figure[]> {
  switch (name) {
    case 'fanout':
      return fanout(now);
    case 'escalation':
      return escalation(now, wave);
    case 'api':
      return apiBench(Math.min(5000, wave));
    case 'soak':
      return soak();
  }
}

async function child(spec: string): Promise<void> {
  const { name, now, wave } = JSON.parse(spec) as { name: BenchName; now: string; wave: number };
  const figures = await runOne(name, new Date(now), wave);
  await new Promise<void>((resolve, reject) =>
    process.send!(figures, (e: Error | null) => (e ? reject(e) : resolve())),
  );
}

(process.env.BENCH_CHILD ? child(process.env.BENCH_CHILD) : main())
  .then(() => process.exit(0))
  .catch((e: unknown) => {
    process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  });
