import { createHash } from 'node:crypto';
import type { Actor } from '../access/roles';
import { FieldError, isPlainObject, Validated } from '../calendar/field-error';
import { PROBLEM_SEVERITIES, type ProblemSeverity } from '../escalation/policy';
import { taskConflict, type TaskParties } from '../lifecycle/conflicts';

/**
 * 回头看: after a quarter ends, a random but reproducible sample of the measures closed in it is
 * re-inspected by someone who neither verified nor closed them. The sample is a pure function
 * of a recorded seed and the recorded population, so anyone can redraw it and get the same.
 */

/** Who may be assigned a re-inspection: the supervising roles of the raising org. */
export const REINSPECTOR_ROLES = ['supervisor', 'secretary', 'deputy'] as const;
export type ReinspectorRole = (typeof REINSPECTOR_ROLES)[number];

export interface ReinspectionPolicy {
  /** 0..1 of the measures closed in the quarter (rounded up). */
  readonly rate: number;
  /** Every closed measure of these severities is re-inspected as well. */
  readonly alwaysSeverities: readonly ProblemSeverity[];
  /** The role at the raising org whose holders re-inspect. */
  readonly inspectorRole: ReinspectorRole;
}

/** A re-inspection must report within this many working days of the draw. */
export const REINSPECTION_WITHIN_WORKING_DAYS = 20;
/** A relapsed measure gets a new deadline this many working days after the finding. */
export const RELAPSE_DEADLINE_WORKING_DAYS = 20;

export const REINSPECTION_OUTCOMES = ['held', 'relapsed'] as const;
export type ReinspectionOutcome = (typeof REINSPECTION_OUTCOMES)[number];
export const REINSPECTION_STATES = ['pending', 'held', 'relapsed'] as const;
export type ReinspectionState = (typeof REINSPECTION_STATES)[number];

export function validateReinspectionPolicy(input: unknown): Validated<ReinspectionPolicy> {
  if (!isPlainObject(input)) {
    return {
      ok: false,
      errors: [
        { field: 'policy', message: 'policy：须为对象 {rate, alwaysSeverities, inspectorRole}' },
      ],
    };
  }
  const errors: FieldError[] = [];
  for (const key of Object.keys(input)) {
    if (!['rate', 'alwaysSeverities', 'inspectorRole'].includes(key))
      errors.push({ field: key, message: `${key}：不是已知字段` });
  }
  const { rate, alwaysSeverities, inspectorRole } = input;
  if (typeof rate !== 'number' || !Number.isFinite(rate) || rate < 0 || rate > 1) {
    errors.push({ field: 'rate', message: 'rate：须为 0 至 1 之间的比例' });
  }
  const always: ProblemSeverity[] = [];
  if (alwaysSeverities !== undefined) {
    if (!Array.isArray(alwaysSeverities)) {
      errors.push({
        field: 'alwaysSeverities',
        message: `alwaysSeverities：须为问题等级的数组（${PROBLEM_SEVERITIES.join('、')}）`,
      });
    } else {
      alwaysSeverities.forEach((s: unknown, i) => {
        if (typeof s !== 'string' || !(PROBLEM_SEVERITIES as readonly string[]).includes(s)) {
          errors.push({
            field: `alwaysSeverities[${i}]`,
            message: `alwaysSeverities[${i}]：须为 ${PROBLEM_SEVERITIES.join('、')} 之一`,
          });
        } else if (!always.includes(s as ProblemSeverity)) always.push(s as ProblemSeverity);
      });
    }
  }
  const role = inspectorRole ?? 'supervisor';
  if (typeof role !== 'string' || !(REINSPECTOR_ROLES as readonly string[]).includes(role)) {
    errors.push({
      field: 'inspectorRole',
      message: `inspectorRole：须为 ${REINSPECTOR_ROLES.join('、')} 之一`,
    });
  }
  if (errors.length > 0) return { ok: false, errors };
  return {
    ok: true,
    value: {
      rate: rate as number,
      alwaysSeverities: always,
      inspectorRole: role as ReinspectorRole,
    },
  };
}

/** A closed measure that may be drawn. */
export interface PopulationMember {
  readonly taskId: string;
  readonly severity: ProblemSeverity;
}

/** The rank of a member under a seed: its place in the seed's shuffle (lower draws first). */
export function drawRank(seed: string, id: string): string {
  return createHash('sha256').update(`${seed}:${id}`).digest('hex');
}

/**
 * The sample: every member of an always-severity, plus ⌈rate × population⌉ of the others,
 * those ranked first under the seed. Independent of the order the population is given in.
 * Returned in rank order.
 */
export function drawSample(
  seed: string,
  population: readonly PopulationMember[],
  policy: Pick<ReinspectionPolicy, 'rate' | 'alwaysSeverities'>,
): string[] {
  const ranked = [...new Map(population.map((p) => [p.taskId, p])).values()]
    .map((p) => ({ ...p, rank: drawRank(seed, p.taskId) }))
    .sort((a, b) => (a.rank < b.rank ? -1 : a.rank > b.rank ? 1 : 0));
  const always = ranked.filter((p) => policy.alwaysSeverities.includes(p.severity));
  const others = ranked.filter((p) => !policy.alwaysSeverities.includes(p.severity));
  const want = Math.min(others.length, Math.ceil(policy.rate * ranked.length - 1e-9));
  const chosen = new Set([...always, ...others.slice(0, want)].map((p) => p.taskId));
  return ranked.filter((p) => chosen.has(p.taskId)).map((p) => p.taskId);
}

/** The task as the re-inspection rule sees it: its parties and who judged it (验收, 销号). */
export interface ReinspectedTask extends TaskParties {
  readonly verifiedBy: readonly string[];
  readonly closedBy: readonly string[];
}

/**
 * Why this person may not re-inspect this measure, or null: they verified or closed it, or
 * any conflict of interest that keeps them from judging it (responsible, acted on it, hold a
 * role in its responsible org).
 */
export function reinspectorConflict(actor: Actor, task: ReinspectedTask): string | null {
  if (task.closedBy.includes(actor.userId)) return '你为该任务办理过销号，不能对其回头看';
  if (task.verifiedBy.includes(actor.userId)) return '你验收过该任务，不能对其回头看';
  return taskConflict(actor, task);
}

/**
 * The inspector for one sampled measure: among the candidates free of conflict, the one ranked
 * first under the seed and the task (reproducible; spreads the work). Null when nobody is free.
 */
export function pickReinspector(
  seed: string,
  task: ReinspectedTask & { readonly id: string },
  candidates: readonly Actor[],
): string | null {
  const free = candidates.filter((c) => reinspectorConflict(c, task) === null);
  if (free.length === 0) return null;
  return free
    .map((c) => ({ id: c.userId, rank: drawRank(`${seed}:${task.id}`, c.userId) }))
    .sort((a, b) => (a.rank < b.rank ? -1 : a.rank > b.rank ? 1 : 0))[0].id;
}
