import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Figure } from './lib/context';
import { GOALS } from './lib/goals';

interface Result {
  at: string;
  scale: number;
  figures: Figure[];
}

/**
 * The per-item figures measured at `scale`, newest first per figure (a later run of one benchmark
 * replaces that benchmark's figures only), with the files they come from.
 */
function perItemAt(
  dir: string,
  scale: number,
): { items: Map<string, NonNullable<Figure['perItem']>>; files: string[] } {
  const results = readdirSync(dir)
    .filter((f) => f.endsWith('.json') && !f.endsWith('-soak.json'))
    .map((f) => ({ file: f, ...(JSON.parse(readFileSync(join(dir, f), 'utf8')) as Result) }))
    .filter((r) => r.scale === scale)
    .sort((a, b) => a.at.localeCompare(b.at));
  const items = new Map<string, NonNullable<Figure['perItem']>>();
  const from = new Map<string, string>();
  for (const r of results) {
    for (const f of r.figures) {
      if (!f.perItem) continue;
      items.set(f.perItem.key, f.perItem);
      from.set(f.perItem.key, r.file);
    }
  }
  return { items, files: [...new Set(from.values())] };
}

/**
 * `npm run bench -- growth`: each per-item figure of the newest full run at BENCH_SCALE=1 against
 * the newest at 0.1 (run both first). The cost of one item must not grow with the province:
 * goal ≤ 1.3× (for rates, the inverse).
 */
export function growth(dir = join(process.cwd(), 'bench', 'results')): Figure[] {
  const small = perItemAt(dir, 0.1);
  const large = perItemAt(dir, 1);
  if (small.items.size === 0 || large.items.size === 0) {
    throw new Error(
      'growth compares runs at BENCH_SCALE=0.1 with runs at 1: run `BENCH_SCALE=0.1 npm run bench` and `BENCH_SCALE=1 npm run bench` first',
    );
  }
  const note = `scale 1: ${large.files.join(', ')}; scale 0.1: ${small.files.join(', ')}`;
  return [...large.items].flatMap(([key, item]) => {
    const base = small.items.get(key);
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
        note,
      },
    ];
  });
}
