import type { Clock } from '#duban/domain';

/** A clock the test moves by hand. */
export class TestClock implements Clock {
  constructor(
    private current = new Date('2026-11-02T01:00:00.000Z'),
    /** Follow the wall clock (for tests with real worker processes); set/advance then do nothing useful. */
    private readonly real = false,
  ) {}

  now(): Date {
    return this.real ? new Date() : new Date(this.current);
  }

  set(instant: Date | string): void {
    this.current = new Date(instant);
  }

  advance(ms: number): void {
    this.current = new Date(this.current.getTime() + ms);
  }
}
