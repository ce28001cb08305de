import type { Actor, OrgRef } from '../access/roles';
import { DomainError } from '../kernel/errors';
import {
  checkCampaignPlan,
  mayCloseCampaign,
  mayInspectFor,
  mayLaunchCampaign,
  mayRecordFinding,
  SOURCE_OF_CAMPAIGN_KIND,
  teamWithLeader,
  totalCounts,
} from './campaign';

const city: OrgRef = { id: 'city', path: ['city'] };
const county: OrgRef = { id: 'county', path: ['city', 'county'] };
const branch: OrgRef = { id: 'branch', path: ['city', 'county', 'branch'] };
const actor = (userId: string, grants: Actor['grants'] = []): Actor => ({
  userId,
  systemAdmin: false,
  grants,
});

function fieldOf(f: () => void): string | undefined {
  try {
    f();
  } catch (e) {
    if (e instanceof DomainError) return e.field;
    throw e;
  }
  return undefined;
}

describe('campaign rules', () => {
  const known = (c: string) => c === 'organisational_life';

  it('accepts a plan with dates in order and known categories', () => {
    expect(
      fieldOf(() =>
        checkCampaignPlan(
          {
            startsOn: '2026-12-01',
            endsOn: '2026-12-31',
            checklist: [{ code: 'A1', title: '三会一课', category: 'organisational_life' }],
          },
          known,
        ),
      ),
    ).toBeUndefined();
  });

  it('names the bad field of a plan', () => {
    expect(
      fieldOf(() => checkCampaignPlan({ startsOn: '2026-02-30', endsOn: '2026-03-01' }, known)),
    ).toBe('startsOn');
    expect(
      fieldOf(() => checkCampaignPlan({ startsOn: '2026-12-02', endsOn: '2026-12-01' }, known)),
    ).toBe('endsOn');
    const item = { code: 'A1', title: 't', category: 'organisational_life' };
    expect(
      fieldOf(() =>
        checkCampaignPlan(
          {
            startsOn: '2026-12-01',
            endsOn: '2026-12-02',
            checklist: [item, { ...item, category: 'nope' }],
          },
          known,
        ),
      ),
    ).toBe('checklist[1].code');
    expect(
      fieldOf(() =>
        checkCampaignPlan(
          {
            startsOn: '2026-12-01',
            endsOn: '2026-12-02',
            checklist: [item, { code: 'A2', title: 't', category: 'nope' }],
          },
          known,
        ),
      ),
    ).toBe('checklist[1].category');
  });

  it('lets supervisors at or above the raising org inspect, nobody below or beside it', () => {
    expect(mayInspectFor([{ org: county }], county)).toBe(true);
    expect(mayInspectFor([{ org: city }], county)).toBe(true);
    expect(mayInspectFor([{ org: branch }], county)).toBe(false);
    expect(mayInspectFor([], county)).toBe(false);
  });

  it('keeps the leader in the team, once', () => {
    expect(teamWithLeader('l', ['a', 'l', 'b', 'a'])).toEqual(['l', 'a', 'b']);
  });

  it('launches from the raising org’s secretary, deputy or supervisor only', () => {
    expect(
      mayLaunchCampaign(actor('u', [{ org: county, role: 'supervisor' }]), county).allowed,
    ).toBe(true);
    expect(mayLaunchCampaign(actor('u', [{ org: county, role: 'member' }]), county).allowed).toBe(
      false,
    );
    expect(
      mayLaunchCampaign(actor('u', [{ org: branch, role: 'secretary' }]), county).allowed,
    ).toBe(false);
  });

  const campaign = {
    state: 'open' as const,
    raisingOrg: county,
    leaderUserId: 'leader',
    teamUserIds: ['leader', 'member'],
  };

  it('lets only the team record findings', () => {
    expect(mayRecordFinding(actor('member'), campaign).allowed).toBe(true);
    expect(mayRecordFinding(actor('leader'), campaign).allowed).toBe(true);
    expect(
      mayRecordFinding(actor('other', [{ org: county, role: 'secretary' }]), campaign).allowed,
    ).toBe(false);
  });

  it('lets the leader or a supervising role of the raising org close it', () => {
    expect(mayCloseCampaign(actor('leader'), campaign).allowed).toBe(true);
    expect(mayCloseCampaign(actor('s', [{ org: city, role: 'secretary' }]), campaign).allowed).toBe(
      true,
    );
    expect(mayCloseCampaign(actor('member'), campaign).allowed).toBe(false);
    expect(
      mayCloseCampaign(actor('b', [{ org: branch, role: 'secretary' }]), campaign).allowed,
    ).toBe(false);
  });

  it('maps each kind to a problem source', () => {
    expect(SOURCE_OF_CAMPAIGN_KIND).toEqual({
      quarterly: 'quarterly_check',
      roving: 'roving_check',
      special: 'special_supervision',
      spot_check: 'spot_check',
    });
  });

  it('sums the board', () => {
    const one = { findings: 1, problems: 1, open: 2, overdue: 1, closed: 0, relapsed: 0 };
    const two = { findings: 2, problems: 2, open: 1, overdue: 0, closed: 3, relapsed: 1 };
    expect(totalCounts([one, two])).toEqual({
      findings: 3,
      problems: 3,
      open: 3,
      overdue: 1,
      closed: 3,
      relapsed: 1,
    });
  });
});
