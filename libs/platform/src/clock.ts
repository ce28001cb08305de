import type { AppConfig } from '#duban/config';
import type { Clock } from '#duban/domain';

/** The wall clock: the one place a running service reads the time from. */
export const systemClock: Clock = { now: () => new Date() };

/**
 * Compressed time, for soak runs and demonstrations only: from `origin` on, time passes `rate`
 * times faster than the wall clock. The origin is a wall-clock instant, so every process given
 * the same two values agrees on "now" (the api and the worker of one soak).
 */
export function compressedClock(rate: number, origin: Date, wall: () => number = Date.now): Clock {
  const start = origin.getTime();
  return { now: () => new Date(start + (wall() - start) * rate) };
}

/** The clock the configuration asks for: the wall clock unless DUBAN_CLOCK_RATE is set. */
export function clockOf(config: AppConfig): Clock {
  return config.DUBAN_CLOCK_RATE !== undefined && config.DUBAN_CLOCK_ORIGIN !== undefined
    ? compressedClock(config.DUBAN_CLOCK_RATE, new Date(config.DUBAN_CLOCK_ORIGIN))
    : systemClock;
}
