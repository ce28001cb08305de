import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Figure } from './lib/context';
import { GOALS } from './lib/goals';

interface Result {
  at: string;
  scale: number;
  figures: Figure[];
}

/** The newest full result at `scale` (one with per-item figures), or undefined. */
function newestAt(dir: string, scale: number): (Result & { file: string }) | undefined {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json') && !f.endsWith('-soak.json'))
    .map((f) => ({ file: f, ...(JSON.parse(readFileSync(join(dir, f), 'utf8')) as Result) }))
    .filter((r) => r.scale === scale && r.figures.some((x) => x.perItem))
    .sort((a, b) => b.at.localeCompare(a.at))[0];
}

/**
 * `npm run bench -- growth`: each per-item figure of the newest full run at BENCH_SCALE=1 against
 * the newest at 0.1 (run both first). The cost of one item must not grow with the province:
 * goal ≤ 1.3× (for rates, the inverse).
 */
export function growth(dir = join(process.cwd(), 'bench', 'results')): Figure[] {
  const small = newestAt(dir, 0.1);
  const large = newestAt(dir, 1);
  if (!small || !large) {
    throw new Error(
      'growth compares a full run at BENCH_SCALE=0.1 with one at 1: run `BENCH_SCALE=0.1 npm run bench` and `BENCH_SCALE=1 npm run bench` first',
    );
  }
  const at = (r: Result) =>
    new Map(r.figures.filter((f) => f.perItem).map((f) => [f.perItem!.key, f.perItem!]));
  const before = at(small);
  return [...at(large)].flatMap(([key, item]) => {
    const base = before.get(key);
    if (!base) return [];
    const ratio = item.higherIsBetter ? base.value / item.value : item.value / base.value;
    return [
      {
        figure: `growth: ${key}`,
        value: item.value,
        unit: '',
        baseline: base.value,
        ratio,
        goal: `≤ ${GOALS.growth}× (scale 1 vs 0.1)`,
        met: ratio <= GOALS.growth,
        note: `${large.file} against ${small.file}`,
      },
    ];
  });
}
