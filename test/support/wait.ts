import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Polls `probe` every `intervalMs` until it returns a value other than undefined, or throws
 * after `timeoutMs` with `what` and the last value seen.
 */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  { timeoutMs = 10_000, intervalMs = 100 } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() >= deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(intervalMs);
  }
}

const activeTimers = () =>
  (process as unknown as { getActiveResourcesInfo(): string[] })
    .getActiveResourcesInfo()
    .filter((r) => r === 'Timeout').length;

/**
 * The number of timers alive now; pass it to `waitForTimersBelow` after closing what was
 * started, so a test file ends only when everything it started has let go of the event loop.
 */
export const timerBaseline = activeTimers;

/**
 * ioredis arms a 2 s timer when a client whose connection was refused is disconnected (it
 * waits for a 'close' that already happened). Waiting it out here keeps Jest from reporting
 * "did not exit one second after the test run has completed".
 */
export async function waitForTimersBelow(baseline: number, timeoutMs = 5000): Promise<void> {
  await waitFor(
    `timers to drop back to ${baseline}`,
    () => (activeTimers() <= baseline ? true : undefined),
    { timeoutMs },
  );
}
