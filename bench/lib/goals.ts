/**
 * The goals of issue 15, in one place: each benchmark states its figure against these. Ratios
 * are to a floor measured in the same run; "per item" figures are also compared across scales
 * by `npm run bench -- growth`.
 */
export const GOALS = {
  /** Accept transitions per second on distinct tasks (the load generator on the same cores). */
  transitionsPerSecond: 800,
  /** …and as a share of the no-op endpoint behind the same guard. */
  transitionsVsNoop: 0.5,
  /** A wave of tasks crossing a ladder step, against one raw UPDATE + INSERT of the same rows. */
  escalationVsFloor: 3,
  /** The quarter start's reminders and jobs, against a raw INSERT … SELECT + addBulk. */
  fanoutVsFloor: 2.5,
  /** Peak RSS of every process (worker doing fan-out or escalation, api after the ledger). */
  rssMb: 250,
  /** The county red list with 10 clients at once. */
  redListP99Ms: 40,
  /** One client (what a user waits for). */
  listP99OneClientMs: 25,
  /** The streamed xlsx ledger. */
  ledgerSecondsPer100k: 5,
  /** Each per-item figure at BENCH_SCALE=1 against the same at 0.1. */
  growth: 1.3,
} as const;

export const rssFigure = (figure: string, mb: number) => ({
  figure,
  value: mb,
  unit: 'MB',
  goal: `≤ ${GOALS.rssMb} MB`,
  met: mb <= GOALS.rssMb,
});
