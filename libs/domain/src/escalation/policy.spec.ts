import { FieldError } from '../calendar/field-error';
import { parseIsoDuration } from './offset';
import {
  accountabilityLevel,
  blueWithinWorkingDays,
  DEFAULT_ESCALATION_POLICY,
  DEFAULT_POLICY_DOCUMENT,
  EscalationPolicy,
  policyForSeverity,
  validatePolicy,
  validatePolicyDocument,
  validatePolicyOrDocument,
} from './policy';

/** A valid policy to break one field at a time. */
const base = () => ({
  remindBefore: [{ workingDays: 7 }, { workingDays: 1 }],
  steps: [
    { level: 1, name: '催办', after: { workingDays: 0 }, notify: ['responsible', 'leader'] },
    { level: 2, name: '督办', after: { workingDays: 5 }, notify: ['secretary', 'superior'] },
    { level: 3, name: '问责', after: { workingDays: 10 }, notify: ['discipline'] },
  ],
});

function errorsOf(input: unknown): readonly FieldError[] {
  const r = validatePolicy(input);
  if (r.ok) throw new Error('expected the policy to be refused');
  for (const e of r.errors) expect(e.message).toContain(e.field);
  return r.errors;
}

const fields = (input: unknown) => errorsOf(input).map((e) => e.field);

describe('ISO 8601 durations', () => {
  it.each([
    ['P7D', { days: 7 }],
    ['PT30S', { seconds: 30 }],
    ['P1DT2H', { days: 1, hours: 2 }],
    [
      'P1Y2M3W4DT5H6M7.25S',
      {
        years: 1,
        months: 2,
        weeks: 3,
        days: 4,
        hours: 5,
        minutes: 6,
        seconds: 7,
        milliseconds: 250,
      },
    ],
    ['PT0S', {}],
  ])('parses %s', (text, parts) => {
    expect(parseIsoDuration(text)).toMatchObject(parts);
  });

  it.each(['P', 'PT', 'P1DT', '7D', 'p7d', 'P-1D', '-P1D', 'P1.5D', 'P1H', ''])(
    'rejects %s',
    (text) => expect(parseIsoDuration(text)).toBeNull(),
  );
});

describe('validatePolicy', () => {
  it('accepts the default policy and returns it typed', () => {
    expect(validatePolicy(DEFAULT_ESCALATION_POLICY)).toEqual({
      ok: true,
      value: DEFAULT_ESCALATION_POLICY,
    });
    expect(accountabilityLevel(DEFAULT_ESCALATION_POLICY)).toBe(4);
    expect(blueWithinWorkingDays(DEFAULT_ESCALATION_POLICY)).toBe(3);
  });

  it('the default ladder is 催办, 督办, 通报, 问责 at 0, 5, 10, 20 working days', () => {
    expect(DEFAULT_ESCALATION_POLICY.steps.map((s) => [s.level, s.name, s.after])).toEqual([
      [1, '催办', { workingDays: 0 }],
      [2, '督办', { workingDays: 5 }],
      [3, '通报', { workingDays: 10 }],
      [4, '问责', { workingDays: 20 }],
    ]);
    expect(DEFAULT_ESCALATION_POLICY.steps[3].notify).toContain('discipline');
    expect(DEFAULT_ESCALATION_POLICY.remindBefore).toEqual([
      { workingDays: 7 },
      { workingDays: 1 },
    ]);
  });

  it('accepts the API example with durations, trims names, and defaults remindBefore to []', () => {
    const r = validatePolicy({
      steps: [
        { level: 1, name: ' 催办 ', after: 'PT0S', notify: ['responsible'] },
        { level: 2, name: '问责', after: 'PT30S', notify: ['discipline'] },
      ],
    });
    expect(r).toEqual({
      ok: true,
      value: {
        remindBefore: [],
        steps: [
          { level: 1, name: '催办', after: 'PT0S', notify: ['responsible'] },
          { level: 2, name: '问责', after: 'PT30S', notify: ['discipline'] },
        ],
      },
    });
    expect(validatePolicy({ ...base(), remindBefore: ['P7D', 'PT30S'] }).ok).toBe(true);
  });

  it('levels must run 1..n without gaps', () => {
    const p = base();
    p.steps[1].level = 3;
    p.steps[2].level = 4;
    expect(fields(p)).toEqual(['steps[1].level', 'steps[2].level']);
    expect(errorsOf(p)[0].message).toMatch(/must be 2/);
  });

  it('step offsets must increase strictly', () => {
    const p = base();
    p.steps[2].after = { workingDays: 5 };
    const errors = errorsOf(p);
    expect(errors).toEqual([
      {
        field: 'steps[2].after',
        message:
          '第3级升级步骤的时间须晚于第2级升级步骤的时间：各级的时间须依次递增 — steps[2].after (5 working day(s)) must be later than steps[1].after (5 working day(s)): step offsets increase strictly',
      },
    ]);
    expect(
      fields({
        steps: [
          { level: 1, name: 'a', after: 'P1D', notify: ['leader'] },
          { level: 2, name: 'b', after: 'PT24H', notify: ['leader'] },
        ],
      }),
    ).toEqual(['steps[1].after']);
  });

  it('one policy list uses one kind of offset', () => {
    const p = { ...base(), remindBefore: [{ workingDays: 3 }, 'P1D'] };
    p.steps[2].after = 'P30D' as unknown as { workingDays: number };
    const errors = errorsOf(p);
    expect(errors.map((e) => e.field)).toEqual(['remindBefore[1]', 'steps[2].after']);
    expect(errors[1].message).toContain('like steps[0].after');
  });

  it('reminders are strictly before the deadline and distinct', () => {
    expect(fields({ ...base(), remindBefore: [{ workingDays: 0 }] })).toEqual([
      'remindBefore[0].workingDays',
    ]);
    expect(fields({ ...base(), remindBefore: ['PT0S'] })).toEqual(['remindBefore[0]']);
    expect(fields({ ...base(), remindBefore: ['-P1D'] })).toEqual(['remindBefore[0]']);
    const dup = errorsOf({ ...base(), remindBefore: ['P1D', 'P2D', 'PT24H'] });
    expect(dup).toEqual([
      {
        field: 'remindBefore[2]',
        message:
          '第3次提醒与第1次提醒重复：提醒时间不能相同 — remindBefore[2] repeats remindBefore[0]: reminders must be distinct',
      },
    ]);
  });

  it('audiences must be known, listed once, and at least one', () => {
    const p = base();
    (p.steps[0].notify as string[]) = ['responsible', 'mayor', 'responsible'];
    p.steps[1].notify = [];
    expect(fields(p)).toEqual(['steps[0].notify[1]', 'steps[0].notify[2]', 'steps[1].notify']);
  });

  it('names must be non-empty', () => {
    const p = base();
    p.steps[1].name = '   ';
    expect(fields(p)).toEqual(['steps[1].name']);
  });

  it('needs at least one step', () => {
    expect(fields({ remindBefore: [], steps: [] })).toEqual(['steps']);
    expect(fields({ remindBefore: [] })).toEqual(['steps']);
  });

  it('reports malformed offsets with the field', () => {
    const p = base();
    (p.steps[0] as { after: unknown }).after = '7 days';
    (p.steps[1] as { after: unknown }).after = { workingDays: 2.5 };
    (p.steps[2] as { after: unknown }).after = 12;
    const errors = errorsOf(p);
    expect(errors.map((e) => e.field)).toEqual([
      'steps[0].after',
      'steps[1].after.workingDays',
      'steps[2].after',
    ]);
    expect(errors[0].message).toContain("ISO 8601 duration such as 'P7D'");
  });

  it('refuses unknown fields unless told to allow them', () => {
    const input = { ...base(), remindBefor: [], lights: { blueWithin: 2 } };
    expect(fields(input)).toEqual(['remindBefor', 'lights.blueWithin']);
    expect(validatePolicy(input, { allowUnknownKeys: true })).toMatchObject({
      ok: true,
      value: { lights: {} },
    });
  });

  it('checks the light threshold', () => {
    expect(fields({ ...base(), lights: { blueWithinWorkingDays: -1 } })).toEqual([
      'lights.blueWithinWorkingDays',
    ]);
    const r = validatePolicy({ ...base(), lights: { blueWithinWorkingDays: 5 } });
    expect(r.ok && blueWithinWorkingDays(r.value)).toBe(5);
  });

  it('refuses a non-object', () => {
    expect(fields(null)).toEqual(['policy']);
    expect(fields([])).toEqual(['policy']);
  });

  it('collects every error at once', () => {
    expect(
      fields({
        remindBefore: 'P7D',
        steps: [{ level: 2, name: '', after: 'P', notify: ['x'] }],
        lights: 3,
      }),
    ).toEqual([
      'remindBefore',
      'steps[0].level',
      'steps[0].name',
      'steps[0].notify[0]',
      'steps[0].after',
      'lights',
    ]);
  });
});

describe('policy documents per severity', () => {
  const strict: EscalationPolicy = {
    remindBefore: [{ workingDays: 3 }],
    steps: [
      { level: 1, name: '督办', after: { workingDays: 0 }, notify: ['secretary', 'superior'] },
      { level: 2, name: '问责', after: { workingDays: 5 }, notify: ['discipline'] },
    ],
  };

  it('accepts a document and picks the policy by severity', () => {
    const r = validatePolicyDocument({ default: base(), bySeverity: { critical: strict } });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(policyForSeverity(r.value, 'critical')).toEqual(strict);
    expect(policyForSeverity(r.value, 'serious').steps).toHaveLength(3);
    expect(policyForSeverity(r.value, 'general').steps).toHaveLength(3);
    expect(policyForSeverity(DEFAULT_POLICY_DOCUMENT, 'critical')).toBe(DEFAULT_ESCALATION_POLICY);
  });

  it('prefixes nested fields', () => {
    const bad = { ...strict, steps: [{ ...strict.steps[0], after: 'P0' }] };
    const r = validatePolicyDocument({
      default: base(),
      bySeverity: { serious: bad, general: base(), urgent: base() },
    });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors.map((e) => e.field)).toEqual([
      'bySeverity.serious.steps[0].after',
      'bySeverity.general',
      'bySeverity.urgent',
    ]);
    for (const e of r.errors) expect(e.message).toContain(e.field);
  });

  it('requires default', () => {
    const r = validatePolicyDocument({ bySeverity: {} });
    expect(r.ok ? [] : r.errors.map((e) => e.field)).toEqual(['default']);
  });

  it('validatePolicyOrDocument accepts the plain API form too', () => {
    expect(validatePolicyOrDocument(base())).toMatchObject({
      ok: true,
      value: { default: { remindBefore: base().remindBefore } },
    });
    expect(validatePolicyOrDocument({ default: strict })).toEqual({
      ok: true,
      value: { default: strict },
    });
    const r = validatePolicyOrDocument({ steps: [] });
    expect(r.ok ? [] : r.errors.map((e) => e.field)).toEqual(['steps']);
  });
});
