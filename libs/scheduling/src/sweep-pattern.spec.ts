import { sweepCronPattern } from './sweep-pattern';

describe('sweepCronPattern', () => {
  it.each([
    [1000, '* * * * * *'],
    [5000, '*/5 * * * * *'],
    [60000, '0 * * * * *'],
    [300000, '0 */5 * * * *'],
    [3600000, '0 0 */1 * * *'],
    [86400000, '0 0 0 * * *'],
  ])('maps %i ms to %s', (ms, pattern) => {
    expect(sweepCronPattern(ms)).toBe(pattern);
  });

  it.each([500, 1500, 7000, 90000, 7 * 60000, 5 * 3600000])(
    'refuses %i ms, naming the variable',
    (ms) => {
      expect(() => sweepCronPattern(ms)).toThrow(/^DUBAN_SWEEP_INTERVAL_MS must be whole seconds/);
    },
  );
});
