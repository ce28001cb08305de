import { loadConfig } from '#duban/config';
import { clockOf, compressedClock, systemClock } from './clock';

const base = {
  DATABASE_URL: 'postgres://x@127.0.0.1/x',
  REDIS_URL: 'redis://127.0.0.1',
  DUBAN_JWT_SECRET: 'a-test-secret-of-at-least-thirty-two-characters',
};

describe('the process clock', () => {
  it('is the wall clock unless compressed time is configured', () => {
    expect(clockOf(loadConfig(base))).toBe(systemClock);
  });

  it('runs `rate` times faster than the wall clock from its origin, the same in every process', () => {
    let wall = Date.parse('2026-12-02T02:00:00Z');
    const origin = new Date('2026-12-02T02:00:00Z');
    const a = compressedClock(2160, origin, () => wall);
    const b = compressedClock(2160, origin, () => wall);
    expect(a.now().toISOString()).toBe('2026-12-02T02:00:00.000Z');
    wall += 60 * 60 * 1000; // one hour of wall time = 90 days
    expect(a.now().toISOString()).toBe('2027-03-02T02:00:00.000Z');
    expect(b.now().getTime()).toBe(a.now().getTime());
  });

  it('is configured by DUBAN_CLOCK_RATE and DUBAN_CLOCK_ORIGIN together, or refused', () => {
    const config = loadConfig({
      ...base,
      DUBAN_CLOCK_RATE: '2160',
      DUBAN_CLOCK_ORIGIN: '2026-12-02T02:00:00Z',
    });
    expect(clockOf(config)).not.toBe(systemClock);
    expect(() => loadConfig({ ...base, DUBAN_CLOCK_RATE: '2160' })).toThrow(/DUBAN_CLOCK_ORIGIN/);
    expect(() =>
      loadConfig({ ...base, DUBAN_CLOCK_RATE: '0', DUBAN_CLOCK_ORIGIN: '2026-12-02T02:00:00Z' }),
    ).toThrow(/DUBAN_CLOCK_RATE/);
    expect(() =>
      loadConfig({ ...base, DUBAN_CLOCK_RATE: '10', DUBAN_CLOCK_ORIGIN: 'yesterday' }),
    ).toThrow(/DUBAN_CLOCK_ORIGIN/);
  });
});
