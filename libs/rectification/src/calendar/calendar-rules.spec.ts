import type { Actor } from '#duban/domain';
import { mayEditCalendar, parseOverrideEntries } from './calendar-rules';

const org = { id: 'o1', path: ['o1'] };
const actor = (over: Partial<Actor>): Actor => ({
  userId: 'u1',
  systemAdmin: false,
  grants: [],
  ...over,
});

describe('mayEditCalendar', () => {
  it('allows the system administrator and holders of an admin role', () => {
    expect(mayEditCalendar(actor({ systemAdmin: true })).allowed).toBe(true);
    expect(mayEditCalendar(actor({ grants: [{ org, role: 'admin' }] })).allowed).toBe(true);
  });

  it('refuses everybody else, saying what is needed', () => {
    const d = mayEditCalendar(actor({ grants: [{ org, role: 'secretary' }] }));
    expect(d).toEqual({ allowed: false, reason: expect.stringMatching(/admin role/) });
  });
});

describe('parseOverrideEntries', () => {
  it('accepts dates with a kind and an optional note', () => {
    expect(
      parseOverrideEntries({
        entries: [
          { date: '2027-02-06', kind: 'holiday', note: ' 春节 ' },
          { date: '2027-02-14', kind: 'workday' },
        ],
      }),
    ).toEqual({
      ok: true,
      value: [
        { date: '2027-02-06', kind: 'holiday', note: '春节' },
        { date: '2027-02-14', kind: 'workday', note: null },
      ],
    });
  });

  it('names each bad entry by its index in entries', () => {
    const r = parseOverrideEntries({
      entries: [
        { date: '2027-01-04', kind: 'holiday' },
        { date: '2027-02-30', kind: 'holiday' },
        { date: '2027-01-04', kind: 'day-off', note: 'x'.repeat(101), colour: 'red' },
      ],
    });
    expect(r.ok).toBe(false);
    const fields = r.ok ? [] : r.errors.map((e) => e.field);
    expect(fields).toEqual(
      expect.arrayContaining([
        'entries[1].date',
        'entries[2].date',
        'entries[2].kind',
        'entries[2].note',
        'entries[2].colour',
      ]),
    );
    const messages = r.ok ? [] : r.errors.map((e) => e.message);
    expect(messages).toContain(`entries[1].date must be a calendar date 'YYYY-MM-DD'`);
    expect(messages.join(' ')).not.toMatch(/overrides/);
  });

  it('refuses a body that is not {entries: [...]} or lists no date', () => {
    for (const body of [null, [], { entries: 'x' }, { entries: [] }, { dates: [] }]) {
      const r = parseOverrideEntries(body);
      expect({ body, ok: r.ok }).toEqual({ body, ok: false });
    }
  });
});
