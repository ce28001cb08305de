import { invalid } from '../kernel/errors';

/**
 * 四不两直: spot-check targets are drawn, not announced. The draw is a pure function of the seed
 * and the population, so anyone holding both (they are recorded with the campaign) can redraw
 * and get the same targets.
 *
 * Algorithm `cyrb128-sfc32-fisher-yates-v1`: the seed string is hashed with cyrb128 into four
 * 32-bit words that seed the sfc32 generator; the population is sorted by id (code-unit order)
 * and shuffled with a Fisher–Yates shuffle driven by it; the first `count` ids are the targets.
 */
export const DRAW_ALGORITHM = 'cyrb128-sfc32-fisher-yates-v1';

function cyrb128(text: string): [number, number, number, number] {
  let h1 = 1779033703;
  let h2 = 3144134277;
  let h3 = 1013904242;
  let h4 = 2773480762;
  for (let i = 0; i < text.length; i++) {
    const k = text.charCodeAt(i);
    h1 = h2 ^ Math.imul(h1 ^ k, 597399067);
    h2 = h3 ^ Math.imul(h2 ^ k, 2869860233);
    h3 = h4 ^ Math.imul(h3 ^ k, 951274213);
    h4 = h1 ^ Math.imul(h4 ^ k, 2716044179);
  }
  h1 = Math.imul(h3 ^ (h1 >>> 18), 597399067);
  h2 = Math.imul(h4 ^ (h2 >>> 22), 2869860233);
  h3 = Math.imul(h1 ^ (h3 >>> 17), 951274213);
  h4 = Math.imul(h2 ^ (h4 >>> 19), 2716044179);
  h1 ^= h2 ^ h3 ^ h4;
  h2 ^= h1;
  h3 ^= h1;
  h4 ^= h1;
  return [h1 >>> 0, h2 >>> 0, h3 >>> 0, h4 >>> 0];
}

/** A deterministic generator of floats in [0, 1) from a seed string. */
export function seededRandom(seed: string): () => number {
  let [a, b, c, d] = cyrb128(seed);
  return () => {
    a >>>= 0;
    b >>>= 0;
    c >>>= 0;
    d >>>= 0;
    let t = (a + b) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    d = (d + 1) | 0;
    t = (t + d) | 0;
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
}

export interface TargetDraw {
  readonly seed: string;
  /** Every eligible org id, sorted: what the targets were drawn from. */
  readonly population: readonly string[];
  readonly count: number;
  readonly algorithm: typeof DRAW_ALGORITHM;
  /** The drawn ids, in the order they were drawn. */
  readonly drawn: readonly string[];
}

/**
 * Draws `count` distinct ids from `population` with `seed`. The population's order as given
 * does not matter (it is sorted first); a count larger than the population is refused, naming
 * `targetDraw.count`.
 */
export function drawTargets(
  population: readonly string[],
  count: number,
  seed: string,
  field = 'targetDraw.count',
): TargetDraw {
  const sorted = [...new Set(population)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  if (!Number.isInteger(count) || count < 1) {
    throw invalid(field, `${field}：抽取数量应为正整数`);
  }
  if (count > sorted.length) {
    throw invalid(
      field,
      `${field}：抽取数量 ${count} 超过可抽取的组织数 ${sorted.length}`,
      'draw_exceeds_population',
    );
  }
  const next = seededRandom(seed);
  const deck = [...sorted];
  for (let i = deck.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [deck[i], deck[j]] = [deck[j], deck[i]];
  }
  return {
    seed,
    population: sorted,
    count,
    algorithm: DRAW_ALGORITHM,
    drawn: deck.slice(0, count),
  };
}
