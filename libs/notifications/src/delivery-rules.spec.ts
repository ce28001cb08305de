import {
  attemptResult,
  MAX_DELIVERY_ATTEMPTS,
  nextDigestAt,
  quietHoursEnd,
  retryBackoffMs,
  sendableAt,
} from './delivery-rules';

const SH = 'Asia/Shanghai';
// 2026-11-02 in Shanghai is UTC+8: local 23:00 is 15:00Z.
const at = (iso: string) => new Date(iso);

describe('quiet hours (免打扰)', () => {
  const overnight = { start: '22:00', end: '07:00' };

  it('defers a message sent in the evening part of an overnight window to the next morning', () => {
    expect(quietHoursEnd(at('2026-11-02T15:00:00Z'), overnight, SH)).toEqual(
      at('2026-11-02T23:00:00Z'),
    );
  });

  it('defers a message sent after midnight to the same morning', () => {
    // 03:30 local on 3 Nov
    expect(quietHoursEnd(at('2026-11-02T19:30:00Z'), overnight, SH)).toEqual(
      at('2026-11-02T23:00:00Z'),
    );
  });

  it('lets daytime messages through, the end of the window included', () => {
    expect(quietHoursEnd(at('2026-11-03T01:00:00Z'), overnight, SH)).toBeNull();
    expect(quietHoursEnd(at('2026-11-02T23:00:00Z'), overnight, SH)).toBeNull();
    expect(sendableAt(at('2026-11-03T01:00:00Z'), overnight, SH)).toEqual(
      at('2026-11-03T01:00:00Z'),
    );
  });

  it('handles a window within one day (a lunch break)', () => {
    const lunch = { start: '12:00', end: '14:00' };
    expect(quietHoursEnd(at('2026-11-02T04:30:00Z'), lunch, SH)).toEqual(
      at('2026-11-02T06:00:00Z'),
    );
    expect(quietHoursEnd(at('2026-11-02T06:00:00Z'), lunch, SH)).toBeNull();
  });

  it('reads the window in the person’s own zone', () => {
    // 23:00 in Urumqi (UTC+6) is 17:00Z; the window ends at 07:00 there = 01:00Z.
    expect(quietHoursEnd(at('2026-11-02T17:00:00Z'), overnight, 'Asia/Urumqi')).toEqual(
      at('2026-11-03T01:00:00Z'),
    );
  });
});

describe('the daily digest (每日汇总)', () => {
  it('goes out at the digest time tomorrow when today’s has passed', () => {
    // 09:00 local → 08:00 local tomorrow = 00:00Z on 3 Nov
    expect(nextDigestAt(at('2026-11-02T01:00:00Z'), '08:00', null, SH)).toEqual(
      at('2026-11-03T00:00:00Z'),
    );
  });

  it('goes out today when the digest time is still ahead', () => {
    // 06:00 local → 08:00 local the same day
    expect(nextDigestAt(at('2026-11-01T22:00:00Z'), '08:00', null, SH)).toEqual(
      at('2026-11-02T00:00:00Z'),
    );
  });

  it('waits for the end of quiet hours that cover the digest time', () => {
    expect(
      nextDigestAt(at('2026-11-02T01:00:00Z'), '08:00', { start: '22:00', end: '09:30' }, SH),
    ).toEqual(at('2026-11-03T01:30:00Z'));
  });
});

describe('retry backoff', () => {
  it('doubles from 30 seconds and stops growing at an hour', () => {
    expect([1, 2, 3, 4].map(retryBackoffMs)).toEqual([30_000, 60_000, 120_000, 240_000]);
    expect(retryBackoffMs(20)).toBe(3_600_000);
  });
});

describe('attemptResult', () => {
  const now = new Date('2026-12-01T02:00:00Z');

  it('is sent when the attempt raised no error', () => {
    expect(attemptResult(2, null, now)).toEqual({
      outcome: 'sent',
      state: 'sent',
      attempt: 3,
      nextAttemptAt: null,
    });
  });

  it('retries a failure after the backoff of its attempt number', () => {
    expect(attemptResult(0, { permanent: false }, now)).toEqual({
      outcome: 'retry',
      state: 'pending',
      attempt: 1,
      nextAttemptAt: new Date(now.getTime() + 30_000),
    });
    expect(attemptResult(3, { permanent: false }, now).nextAttemptAt).toEqual(
      new Date(now.getTime() + 240_000),
    );
  });

  it('is dead at the last allowed attempt, or at once when the failure is permanent', () => {
    expect(attemptResult(MAX_DELIVERY_ATTEMPTS - 1, { permanent: false }, now)).toMatchObject({
      outcome: 'dead',
      state: 'dead',
      attempt: MAX_DELIVERY_ATTEMPTS,
      nextAttemptAt: null,
    });
    expect(attemptResult(0, { permanent: true }, now)).toMatchObject({
      outcome: 'dead',
      attempt: 1,
    });
  });
});
