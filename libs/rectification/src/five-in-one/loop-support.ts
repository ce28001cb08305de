import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { AuditLog } from '#duban/audit';
import {
  type Actor,
  endOfLocalDay,
  invalid,
  notFound,
  type OrgRef,
  startOfLocalDay,
} from '#duban/domain';
import { pathToIds } from '#duban/persistence';
import { CasesRepository } from '../accountability/cases.repository';
import { LoopRepository, type LoopOrgRow } from './loop.repository';

/** An org as the loop's services need it. */
export interface LoopOrg extends OrgRef {
  /** The ltree text of the path. */
  pathText: string;
  name: string;
  timeZone: string;
  parentId: string | null;
}

/** The loop's reads, and the writer of accountability cases (both stateless: shared). */
const READS = new LoopRepository();
const CASES = new CasesRepository();

const toOrg = (r: LoopOrgRow): LoopOrg => ({
  id: r.id,
  path: pathToIds(r.path),
  pathText: r.path,
  name: r.name,
  timeZone: r.time_zone,
  parentId: r.parent_id,
});

/** The org when it lies in the caller's scope, else 404 naming the field. */
export async function orgInScope(
  m: EntityManager,
  actor: Actor,
  orgId: string,
  field: string,
): Promise<LoopOrg> {
  const row = await READS.orgInScope(m, actor, orgId);
  if (!row) throw notFound(`${field}：组织 ${orgId} 不存在或不在你的范围内`, 'org_not_found');
  return toOrg(row);
}

/** The org without a scope check (the caller has been authorised another way). */
export async function orgById(m: EntityManager, orgId: string): Promise<LoopOrg> {
  const row = await READS.orgById(m, orgId);
  if (!row) throw notFound(`组织 ${orgId} 不存在`, 'org_not_found');
  return toOrg(row);
}

export async function assertUsersExist(
  m: EntityManager,
  userIds: readonly string[],
  field: string,
): Promise<void> {
  const found = await READS.activeUserIds(m, userIds);
  const missing = userIds.find((id) => !found.has(id));
  if (missing) throw notFound(`${field}：用户 ${missing} 不存在`, 'user_not_found');
}

/** Evidence named by a caller: files they uploaded themselves. */
export async function assertOwnAttachments(
  m: EntityManager,
  actor: Actor,
  ids: readonly string[],
  field: string,
): Promise<void> {
  if (ids.length === 0) return;
  if ((await READS.countOwnAttachments(m, actor.userId, ids)) !== new Set(ids).size)
    throw invalid(field, `${field}：附件不存在或不是你上传的`, 'unknown_attachment');
}

/** The first and last instants of a year in a time zone. */
export function yearBounds(year: number, timeZone: string): { start: Date; end: Date } {
  return {
    start: startOfLocalDay(`${year}-01-01`, timeZone),
    end: endOfLocalDay(`${year}-12-31`, timeZone),
  };
}

/** The secretaries of an org (the people an org's 问责 names). */
export function secretariesOf(m: EntityManager, orgId: string): Promise<string[]> {
  return READS.secretariesOf(m, orgId);
}

/**
 * 问责 from the loop (a 差 grade, a 差 review, an unfulfilled commitment): one case per
 * source key, whoever asks and however often — the key is unique in PostgreSQL. The case has
 * no task; `source_summary` says what opened it. Returns the new case's id, or null when the
 * key had one already.
 */
export async function openLoopCase(
  m: EntityManager,
  audit: AuditLog,
  input: {
    key: string;
    summary: string;
    raisingOrg: LoopOrg;
    subjectOrg: LoopOrg;
    subjectUserIds: readonly string[];
    now: Date;
    actorId: string;
  },
): Promise<string | null> {
  const id = randomUUID();
  const opened = await CASES.openOnce(
    m,
    [
      {
        id,
        taskId: null,
        key: input.key,
        raisingOrg: { id: input.raisingOrg.id, path: input.raisingOrg.pathText },
        subjectOrg: { id: input.subjectOrg.id, path: input.subjectOrg.pathText },
        subjectUserIds: input.subjectUserIds,
        sourceSummary: input.summary,
      },
    ],
    input.now,
  );
  if (opened.length === 0) return null;
  await audit.append(m, [
    {
      streamType: 'accountability_case',
      streamId: id,
      at: input.now,
      actorId: input.actorId,
      type: 'opened',
      toState: 'open',
      data: { source: input.key, summary: input.summary },
    },
  ]);
  return id;
}
