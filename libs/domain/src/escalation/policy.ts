import { FieldError, isPlainObject, Validated } from '../calendar/field-error';
import { checkOffset, CheckedOffset, describeOffset, Offset } from './offset';
import { fieldLabel } from '../kernel/messages';

/**
 * The escalation policy (督办升级规则) a committee sets for the problems it raises: reminders
 * before the deadline (提醒), then a ladder of steps on and after it — 催办 → 督办 → 通报 → 问责.
 * The last step opens an accountability case (问责). Offsets and steps are data, not code.
 */

/** Who a step notifies; resolved to users by the service. */
export const AUDIENCES = [
  'responsible',
  'leader',
  'secretary',
  'superior',
  'supervisor',
  'discipline',
  'raiser',
] as const;
export type Audience = (typeof AUDIENCES)[number];

export const AUDIENCE_LABELS: Record<Audience, string> = {
  responsible: '责任人',
  leader: '分管领导',
  secretary: '责任单位书记',
  superior: '上级党组织书记',
  supervisor: '督查员',
  discipline: '纪检',
  raiser: '发起单位（党委）书记',
};

export const PROBLEM_SEVERITIES = ['general', 'serious', 'critical'] as const;
export type ProblemSeverity = (typeof PROBLEM_SEVERITIES)[number];

export interface EscalationStep {
  /** 1..n, in order. */
  readonly level: number;
  /** Shown to people, e.g. 催办, 督办, 通报, 问责. */
  readonly name: string;
  /** Counted forwards from the due instant; 0 means at the deadline. */
  readonly after: Offset;
  readonly notify: readonly Audience[];
}

export interface LightsPolicy {
  /** Blue light (deadline near) this many working days before the deadline; default 3. */
  readonly blueWithinWorkingDays?: number;
}

export interface EscalationPolicy {
  /** Each counted backwards from the due instant; strictly before it, no two alike. */
  readonly remindBefore: readonly Offset[];
  readonly steps: readonly EscalationStep[];
  readonly lights?: LightsPolicy;
}

/** A policy per severity: `general` problems use `default`. */
export interface EscalationPolicyDocument {
  readonly default: EscalationPolicy;
  readonly bySeverity?: {
    readonly serious?: EscalationPolicy;
    readonly critical?: EscalationPolicy;
  };
}

export const DEFAULT_BLUE_WITHIN_WORKING_DAYS = 3;
/** Beyond this a "near deadline" light would be on for most of a task's life. */
export const MAX_BLUE_WITHIN_WORKING_DAYS = 60;
const MAX_STEP_NAME_LENGTH = 50;

/**
 * The default ladder, after DOMAIN.md: reminders 7 and 1 working days ahead; 催办 the
 * responsible person and leader at the deadline; 督办 (挂牌督办) to the unit's and the parent's
 * secretaries after 5 working days; 通报 after 10; 问责 to discipline inspection after 20. The
 * raising committee's secretaries (`raiser`) are told at 通报 and 问责 (压力层层传导).
 */
export const DEFAULT_ESCALATION_POLICY: EscalationPolicy = {
  remindBefore: [{ workingDays: 7 }, { workingDays: 1 }],
  steps: [
    { level: 1, name: '催办', after: { workingDays: 0 }, notify: ['responsible', 'leader'] },
    { level: 2, name: '督办', after: { workingDays: 5 }, notify: ['secretary', 'superior'] },
    {
      level: 3,
      name: '通报',
      after: { workingDays: 10 },
      notify: ['secretary', 'superior', 'leader', 'raiser'],
    },
    {
      level: 4,
      name: '问责',
      after: { workingDays: 20 },
      notify: ['discipline', 'secretary', 'superior', 'raiser'],
    },
  ],
  lights: { blueWithinWorkingDays: DEFAULT_BLUE_WITHIN_WORKING_DAYS },
};

export const DEFAULT_POLICY_DOCUMENT: EscalationPolicyDocument = {
  default: DEFAULT_ESCALATION_POLICY,
};

export interface PolicyValidationOptions {
  /**
   * Accept fields the policy does not know (they are dropped). Off by default so that a typo
   * such as `remindBefor` is reported instead of silently losing the reminders.
   */
  readonly allowUnknownKeys?: boolean;
}

const POLICY_KEYS = ['remindBefore', 'steps', 'lights'];
const STEP_KEYS = ['level', 'name', 'after', 'notify'];
const LIGHTS_KEYS = ['blueWithinWorkingDays'];

function at(prefix: string, field: string): string {
  return prefix === '' ? field : `${prefix}.${field}`;
}

function unknownKeys(
  obj: Record<string, unknown>,
  allowed: readonly string[],
  field: string,
  errors: FieldError[],
  options: PolicyValidationOptions,
): void {
  if (options.allowUnknownKeys) return;
  for (const key of Object.keys(obj)) {
    if (!allowed.includes(key)) {
      errors.push({
        field: at(field, key),
        message: `不接受字段 ${fieldLabel(at(field, key))}（可用：${allowed.join('、')}） — ${at(field, key)} is not a known field (expected ${allowed.join(', ')})`,
      });
    }
  }
}

const kindLabel = (c: CheckedOffset) =>
  c.kind === 'working_days' ? 'working days' : 'an ISO 8601 duration';
const kindLabelZh = (c: CheckedOffset) => (c.kind === 'working_days' ? '工作日' : 'ISO 8601 时长');

function checkReminders(
  input: unknown,
  prefix: string,
  errors: FieldError[],
  options: PolicyValidationOptions,
): Offset[] {
  const field = at(prefix, 'remindBefore');
  if (input === undefined) return [];
  if (!Array.isArray(input)) {
    errors.push({
      field,
      message: `${fieldLabel(field)}须为到期前的时间列表 — ${field} must be an array of offsets before the deadline`,
    });
    return [];
  }
  const out: Offset[] = [];
  let first: { field: string; checked: CheckedOffset } | null = null;
  const seen = new Map<number, string>();
  input.forEach((item: unknown, i) => {
    const f = `${field}[${i}]`;
    const r = checkOffset(item, f, { positive: true, allowUnknownKeys: options.allowUnknownKeys });
    if (!r.ok) {
      errors.push(r.error);
      return;
    }
    // Mixing kinds would make "distinct" and the order depend on the calendar.
    if (first && first.checked.kind !== r.value.kind) {
      errors.push({
        field: f,
        message: `${fieldLabel(f)}须与${fieldLabel(first.field)}使用同一种单位（${kindLabelZh(first.checked)}）：所有提醒使用同一种时间单位 — ${f} must be ${kindLabel(first.checked)} like ${first.field}: all reminders use one kind of offset`,
      });
      return;
    }
    first ??= { field: f, checked: r.value };
    const twin = seen.get(r.value.magnitude);
    if (twin !== undefined) {
      errors.push({
        field: f,
        message: `${fieldLabel(f)}与${fieldLabel(twin)}重复：提醒时间不能相同 — ${f} repeats ${twin}: reminders must be distinct`,
      });
      return;
    }
    seen.set(r.value.magnitude, f);
    out.push(r.value.offset);
  });
  return out;
}

function checkNotify(input: unknown, field: string, errors: FieldError[]): Audience[] {
  if (!Array.isArray(input) || input.length === 0) {
    errors.push({
      field,
      message: `${fieldLabel(field)}至少列出一类通知对象：${AUDIENCES.join('、')} — ${field} must list at least one audience of ${AUDIENCES.join(', ')}`,
    });
    return [];
  }
  const out: Audience[] = [];
  input.forEach((a: unknown, i) => {
    const f = `${field}[${i}]`;
    if (typeof a !== 'string' || !(AUDIENCES as readonly string[]).includes(a)) {
      errors.push({
        field: f,
        message: `${fieldLabel(f)}须为以下之一：${AUDIENCES.join('、')} — ${f} must be one of ${AUDIENCES.join(', ')}; got ${JSON.stringify(a)}`,
      });
    } else if (out.includes(a as Audience)) {
      errors.push({ field: f, message: `${fieldLabel(f)}重复 — ${f} repeats '${a}'` });
    } else {
      out.push(a as Audience);
    }
  });
  return out;
}

function checkSteps(
  input: unknown,
  prefix: string,
  errors: FieldError[],
  options: PolicyValidationOptions,
): EscalationStep[] {
  const field = at(prefix, 'steps');
  if (!Array.isArray(input) || input.length === 0) {
    errors.push({
      field,
      message: `${fieldLabel(field)}至少一级，最后一级为问责 — ${field} must be a non-empty array: at least one step, the last of which opens an accountability case`,
    });
    return [];
  }
  const out: EscalationStep[] = [];
  let first: { field: string; checked: CheckedOffset } | null = null;
  let previous: { field: string; checked: CheckedOffset } | null = null;
  input.forEach((item: unknown, i) => {
    const f = `${field}[${i}]`;
    if (!isPlainObject(item)) {
      errors.push({
        field: f,
        message: `${fieldLabel(f)}须为对象 {level, name, after, notify} — ${f} must be an object {level, name, after, notify}`,
      });
      previous = null;
      return;
    }
    const before = errors.length;
    unknownKeys(item, STEP_KEYS, f, errors, options);
    const { level, name, after, notify } = item;
    if (level !== i + 1) {
      errors.push({
        field: `${f}.level`,
        message: `${fieldLabel(`${f}.level`)}须为 ${i + 1}：级别从 1 起依次排列，不能跳过 — ${f}.level must be ${i + 1}: levels run 1..n in order without gaps`,
      });
    }
    if (typeof name !== 'string' || name.trim() === '') {
      errors.push({
        field: `${f}.name`,
        message: `请填写${fieldLabel(`${f}.name`)}，如：督办 — ${f}.name must be a non-empty text, e.g. 督办`,
      });
    } else if (name.trim().length > MAX_STEP_NAME_LENGTH) {
      errors.push({
        field: `${f}.name`,
        message: `${fieldLabel(`${f}.name`)}至多 ${MAX_STEP_NAME_LENGTH} 个字符 — ${f}.name must be at most ${MAX_STEP_NAME_LENGTH} characters`,
      });
    }
    const audiences = checkNotify(notify, `${f}.notify`, errors);
    const r = checkOffset(after, `${f}.after`, {
      positive: false,
      allowUnknownKeys: options.allowUnknownKeys,
    });
    let checked: CheckedOffset | null = null;
    if (!r.ok) {
      errors.push(r.error);
    } else if (first && first.checked.kind !== r.value.kind) {
      errors.push({
        field: `${f}.after`,
        message: `${fieldLabel(`${f}.after`)}须与${fieldLabel(first.field)}使用同一种单位（${kindLabelZh(first.checked)}）：所有升级步骤使用同一种时间单位 — ${f}.after must be ${kindLabel(first.checked)} like ${first.field}: all steps use one kind of offset so that their order is well defined`,
      });
    } else {
      checked = r.value;
      if (previous && previous.checked.magnitude >= checked.magnitude) {
        errors.push({
          field: `${f}.after`,
          message: `${fieldLabel(`${f}.after`)}须晚于${fieldLabel(previous.field)}：各级的时间须依次递增 — ${f}.after (${describeOffset(checked.offset)}) must be later than ${previous.field} (${describeOffset(previous.checked.offset)}): step offsets increase strictly`,
        });
      }
      first ??= { field: `${f}.after`, checked };
    }
    previous = checked ? { field: `${f}.after`, checked } : null;
    if (errors.length === before && checked) {
      out.push({
        level: i + 1,
        name: (name as string).trim(),
        after: checked.offset,
        notify: audiences,
      });
    }
  });
  return out;
}

function checkLights(
  input: unknown,
  prefix: string,
  errors: FieldError[],
  options: PolicyValidationOptions,
): LightsPolicy | undefined {
  const field = at(prefix, 'lights');
  if (input === undefined) return undefined;
  if (!isPlainObject(input)) {
    errors.push({
      field,
      message: `${fieldLabel(field)}须为对象 {blueWithinWorkingDays} — ${field} must be an object {blueWithinWorkingDays}`,
    });
    return undefined;
  }
  unknownKeys(input, LIGHTS_KEYS, field, errors, options);
  const n = input['blueWithinWorkingDays'];
  if (n === undefined) return {};
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > MAX_BLUE_WITHIN_WORKING_DAYS) {
    errors.push({
      field: `${field}.blueWithinWorkingDays`,
      message: `${fieldLabel(`${field}.blueWithinWorkingDays`)}须为 0 至 ${MAX_BLUE_WITHIN_WORKING_DAYS} 的整数 — ${field}.blueWithinWorkingDays must be a whole number from 0 to ${MAX_BLUE_WITHIN_WORKING_DAYS}`,
    });
    return undefined;
  }
  return { blueWithinWorkingDays: n };
}

function checkPolicy(
  input: unknown,
  prefix: string,
  errors: FieldError[],
  options: PolicyValidationOptions,
): EscalationPolicy | null {
  if (!isPlainObject(input)) {
    const field = prefix === '' ? 'policy' : prefix;
    errors.push({
      field,
      message: `${fieldLabel(field)}须为对象 {remindBefore, steps, lights?} — ${field} must be an object {remindBefore, steps, lights?}`,
    });
    return null;
  }
  const before = errors.length;
  unknownKeys(input, POLICY_KEYS, prefix, errors, options);
  const remindBefore = checkReminders(input['remindBefore'], prefix, errors, options);
  const steps = checkSteps(input['steps'], prefix, errors, options);
  const lights = checkLights(input['lights'], prefix, errors, options);
  if (errors.length > before) return null;
  return { remindBefore, steps, ...(lights ? { lights } : {}) };
}

/** Checks an escalation policy (the body of PUT …/escalation-policy). */
export function validatePolicy(
  input: unknown,
  options: PolicyValidationOptions = {},
): Validated<EscalationPolicy> {
  const errors: FieldError[] = [];
  const value = checkPolicy(input, '', errors, options);
  return value && errors.length === 0 ? { ok: true, value } : { ok: false, errors };
}

/** Checks a per-severity document { default, bySeverity?: { serious?, critical? } }. */
export function validatePolicyDocument(
  input: unknown,
  options: PolicyValidationOptions = {},
): Validated<EscalationPolicyDocument> {
  const errors: FieldError[] = [];
  if (!isPlainObject(input)) {
    return {
      ok: false,
      errors: [
        {
          field: 'document',
          message:
            '规则须为对象 {default, bySeverity?} — document must be an object {default, bySeverity?}',
        },
      ],
    };
  }
  unknownKeys(input, ['default', 'bySeverity'], '', errors, options);
  let def: EscalationPolicy | null = null;
  if (input['default'] === undefined) {
    errors.push({
      field: 'default',
      message:
        '请填写一般问题的规则（default） — default must be given: the policy for general problems',
    });
  } else {
    def = checkPolicy(input['default'], 'default', errors, options);
  }
  const by = input['bySeverity'];
  const bySeverity: { serious?: EscalationPolicy; critical?: EscalationPolicy } = {};
  if (by !== undefined) {
    if (!isPlainObject(by)) {
      errors.push({
        field: 'bySeverity',
        message:
          '按严重程度的规则须为对象 {serious?, critical?} — bySeverity must be an object {serious?, critical?}',
      });
    } else {
      for (const key of Object.keys(by)) {
        if (key === 'serious' || key === 'critical') {
          const p = checkPolicy(by[key], `bySeverity.${key}`, errors, options);
          if (p) bySeverity[key] = p;
        } else if (key === 'general') {
          errors.push({
            field: 'bySeverity.general',
            message:
              '不能单独设置一般问题的规则：一般问题使用 default — bySeverity.general is not allowed: general problems use default',
          });
        } else if (!options.allowUnknownKeys) {
          errors.push({
            field: `bySeverity.${key}`,
            message: `${key} 不是严重程度（可用 serious 或 critical） — bySeverity.${key} is not a severity (expected serious or critical)`,
          });
        }
      }
    }
  }
  if (errors.length > 0 || !def) return { ok: false, errors };
  return {
    ok: true,
    value: {
      default: def,
      ...(Object.keys(bySeverity).length > 0 ? { bySeverity } : {}),
    },
  };
}

/**
 * Accepts either form: a plain policy (what API.md's PUT takes) becomes { default: policy };
 * an object with a `default` field is checked as a document.
 */
export function validatePolicyOrDocument(
  input: unknown,
  options: PolicyValidationOptions = {},
): Validated<EscalationPolicyDocument> {
  if (isPlainObject(input) && 'default' in input) return validatePolicyDocument(input, options);
  const r = validatePolicy(input, options);
  return r.ok ? { ok: true, value: { default: r.value } } : r;
}

/** The policy that applies to a problem of this severity. */
export function policyForSeverity(
  document: EscalationPolicyDocument,
  severity: ProblemSeverity,
): EscalationPolicy {
  if (severity === 'general') return document.default;
  return document.bySeverity?.[severity] ?? document.default;
}

export function blueWithinWorkingDays(policy: EscalationPolicy): number {
  return policy.lights?.blueWithinWorkingDays ?? DEFAULT_BLUE_WITHIN_WORKING_DAYS;
}

/** The level whose step opens an accountability case (问责): the last one. */
export function accountabilityLevel(policy: EscalationPolicy): number {
  return policy.steps.length;
}
