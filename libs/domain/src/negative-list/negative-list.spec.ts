import type { Actor } from '../access/roles';
import {
  expiresAt,
  isListed,
  listedCloseRefusal,
  reachesThreshold,
  severityWhileListed,
} from './negative-list';

const county = { id: 'county', path: ['county'] };
const town = { id: 'town', path: ['county', 'town'] };
const actor = (role: 'secretary' | 'deputy', org = town): Actor => ({
  userId: 'u',
  systemAdmin: false,
  grants: [{ org, role }],
});

describe('负面清单 rules', () => {
  it('raises a listed unit’s new problems one severity', () => {
    expect(severityWhileListed('general', true)).toBe('serious');
    expect(severityWhileListed('serious', true)).toBe('critical');
    expect(severityWhileListed('critical', true)).toBe('critical');
    expect(severityWhileListed('general', false)).toBe('general');
  });

  it('leaves by itself after 12 clean months, or when lifted', () => {
    const last = new Date('2026-03-15T00:00:00Z');
    expect(expiresAt(last).toISOString()).toBe('2027-03-15T00:00:00.000Z');
    expect(isListed({ liftedAt: null, lastReasonAt: last }, new Date('2027-03-14T00:00:00Z'))).toBe(
      true,
    );
    expect(isListed({ liftedAt: null, lastReasonAt: last }, new Date('2027-03-15T00:00:00Z'))).toBe(
      false,
    );
    expect(isListed({ liftedAt: last, lastReasonAt: last }, last)).toBe(false);
  });

  it('lets only the raising org’s own secretary close a listed unit’s measures', () => {
    expect(listedCloseRefusal(actor('secretary'), town)).toBeNull();
    expect(listedCloseRefusal(actor('deputy'), town)).toMatch(/书记/);
    expect(listedCloseRefusal(actor('secretary', county), town)).not.toBeNull();
  });

  it('lists on the second case or 通报 within a year', () => {
    expect(reachesThreshold(1)).toBe(false);
    expect(reachesThreshold(2)).toBe(true);
  });
});
