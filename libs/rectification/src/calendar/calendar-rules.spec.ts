import type { Actor } from '#duban/domain';
import {
  mayEditCalendar,
  mayEditOrgCalendar,
  mayViewOrgCalendar,
  parseOverrideEntries,
} from './calendar-rules';

const org = { id: 'o1', path: ['o1'] };
const actor = (over: Partial<Actor>): Actor => ({
  userId: 'u1',
  systemAdmin: false,
  grants: [],
  ...over,
});

describe('mayEditCalendar (the national calendar)', () => {
  it('allows the system administrator only', () => {
    expect(mayEditCalendar(actor({ systemAdmin: true })).allowed).toBe(true);
  });

  it('refuses an org admin (it would move deadlines of the whole tree), saying what to use', () => {
    const d = mayEditCalendar(actor({ grants: [{ org, role: 'admin' }] }));
    expect(d).toEqual({ allowed: false, reason: expect.stringMatching(/calendar-overrides/) });
    expect(mayEditCalendar(actor({ grants: [{ org, role: 'secretary' }] })).allowed).toBe(false);
  });
});

describe('mayEditOrgCalendar / mayViewOrgCalendar', () => {
  const child = { id: 'o2', path: ['o1', 'o2'] };
  const other = { id: 'x', path: ['x'] };

  it('lets admins of the org or above it edit it, and the system administrator', () => {
    expect(mayEditOrgCalendar(actor({ systemAdmin: true }), other).allowed).toBe(true);
    expect(mayEditOrgCalendar(actor({ grants: [{ org, role: 'admin' }] }), child).allowed).toBe(
      true,
    );
    expect(
      mayEditOrgCalendar(actor({ grants: [{ org: child, role: 'admin' }] }), org).allowed,
    ).toBe(false);
    expect(mayEditOrgCalendar(actor({ grants: [{ org, role: 'secretary' }] }), org).allowed).toBe(
      false,
    );
  });

  it('shows it to people above it and below it, not beside it', () => {
    expect(mayViewOrgCalendar(actor({ grants: [{ org: child, role: 'member' }] }), org)).toBe(true);
    expect(mayViewOrgCalendar(actor({ grants: [{ org, role: 'member' }] }), child)).toBe(true);
    expect(mayViewOrgCalendar(actor({ grants: [{ org: other, role: 'admin' }] }), org)).toBe(false);
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
    expect(messages).toContain(
      `第2条的日期须为日期，格式 YYYY-MM-DD — entries[1].date must be a calendar date 'YYYY-MM-DD'`,
    );
    expect(messages.join(' ')).not.toMatch(/overrides/);
  });

  it('refuses a body that is not {entries: [...]} or lists no date', () => {
    for (const body of [null, [], { entries: 'x' }, { entries: [] }, { dates: [] }]) {
      const r = parseOverrideEntries(body);
      expect({ body, ok: r.ok }).toEqual({ body, ok: false });
    }
  });
});
