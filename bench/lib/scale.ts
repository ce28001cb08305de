/**
 * BENCH_SCALE 1.0 is a province: ~10^5 organisations, ~10^5 people, 10^6 measures. The default
 * is small enough for a quick run; `npm test` runs the benchmarks at a tiny scale as a smoke check.
 */
export function benchScale(): number {
  const raw = process.env.BENCH_SCALE ?? '0.05';
  const scale = Number(raw);
  if (!Number.isFinite(scale) || scale <= 0 || scale > 1) {
    throw new Error(`BENCH_SCALE must be a number in (0, 1], got "${raw}"`);
  }
  return scale;
}

export interface Sizes {
  cities: number;
  countiesPerCity: number;
  townsPerCounty: number;
  branchesPerTown: number;
  groupsPerBranch: number;
  tasks: number;
  /** People who owe the quarterly report in the fan-out benchmark. */
  wave: number;
}

/** The tree shrinks at its widest levels so the shape stays realistic at small scales. */
export function sizesFor(scale: number): Sizes {
  return {
    cities: 16,
    countiesPerCity: 10,
    townsPerCounty: 10,
    branchesPerTown: Math.max(1, Math.round(20 * scale)),
    groupsPerBranch: 2,
    tasks: Math.max(1000, Math.round(1_000_000 * scale)),
    wave: Math.max(500, Math.round(50_000 * scale)),
  };
}
