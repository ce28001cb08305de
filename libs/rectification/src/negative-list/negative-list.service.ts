import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { AuditLog } from '#duban/audit';
import {
  type Actor,
  CLOCK,
  type Clock,
  conflict,
  forbidden,
  holdsRoleOver,
  invalid,
  NEGATIVE_LIST_MONTHS,
  NEGATIVE_REASON_LABELS,
  type NegativeListSubject,
  type NegativeReasonKind,
  reachesThreshold,
} from '#duban/domain';
import { NotificationsService } from '#duban/notifications';
import { pathToIds } from '#duban/persistence';
import { TasksService } from '../tasks/tasks.service';
import { NegativeListEntry, NegativeListRepository } from './negative-list.repository';

/** One reason to list a unit or a person, found by the rule that owns it. */
export interface ListingReason {
  subjectType: NegativeListSubject;
  subjectId: string;
  /** The org the reason concerns (the unit itself, or the person's unit): scope and display. */
  orgId: string;
  /** The committee that raised the problem: its secretaries (and discipline) are told. */
  raisingOrgId: string;
  kind: NegativeReasonKind;
  ref: string;
}

const yearBefore = (now: Date) => {
  const d = new Date(now.getTime());
  d.setUTCMonth(d.getUTCMonth() - NEGATIVE_LIST_MONTHS);
  return d;
};

/**
 * 负面清单: orchestration only. The rules that find a reason (recurrence, a relapse, repeated
 * accountability cases, repeated 通报) call `enlist` inside their own transaction; entering the
 * list tells the raising committee's secretaries and discipline inspection (the nearest at or
 * above it). While listed, the unit's new problems start one severity higher (ProblemsService)
 * and its measures are closed only by the raising org's secretary (TasksService).
 */
@Injectable()
export class NegativeListService {
  constructor(
    private readonly db: DataSource,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly repo: NegativeListRepository,
    private readonly tasks: TasksService,
    private readonly audit: AuditLog,
    private readonly notifications: NotificationsService,
  ) {}

  async enlist(m: EntityManager, reasons: readonly ListingReason[], now: Date): Promise<void> {
    for (const r of reasons) {
      const reason = { kind: r.kind, at: now.toISOString(), ref: r.ref };
      await this.repo.closeExpired(m, r.subjectType, r.subjectId, now);
      if (await this.repo.addReason(m, r.subjectType, r.subjectId, reason, now)) continue;
      const id = randomUUID();
      const inserted = await this.repo.insert(m, {
        id,
        subjectType: r.subjectType,
        subjectId: r.subjectId,
        orgId: r.orgId,
        raisingOrgId: r.raisingOrgId,
        reason,
        now,
      });
      if (!inserted) {
        // Another transaction listed the subject first: add to its entry.
        await this.repo.addReason(m, r.subjectType, r.subjectId, reason, now);
        continue;
      }
      await this.audit.append(m, [
        {
          streamType: 'negative_list',
          streamId: id,
          at: now,
          actorId: null,
          type: 'negative_listed',
          data: { subjectType: r.subjectType, subjectId: r.subjectId, reason },
        },
      ]);
      const subjectName = await this.repo.subjectName(m, r.subjectType, r.subjectId);
      await this.notifications.notifyMany(
        m,
        [
          {
            userIds: await this.repo.toTell(m, r.raisingOrgId),
            kind: 'negative_listed',
            dedupeKey: `negative-list:${id}`,
            params: {
              entryId: id,
              subjectName: subjectName ?? r.subjectId,
              reason: NEGATIVE_REASON_LABELS[r.kind],
            },
            urgent: true,
            orgId: r.raisingOrgId,
            taskIds: [],
          },
        ],
        now,
      );
    }
  }

  /** Two accountability cases within 12 months list the org, and each person named in two. */
  async afterCasesOpened(
    m: EntityManager,
    cases: readonly {
      id: string;
      subjectOrgId: string;
      subjectUserIds: readonly string[];
      raisingOrgId: string;
    }[],
    now: Date,
  ): Promise<void> {
    const since = yearBefore(now);
    const reasons: ListingReason[] = [];
    for (const c of cases) {
      if (reachesThreshold(await this.repo.casesSince(m, { orgId: c.subjectOrgId }, since))) {
        reasons.push({
          subjectType: 'org',
          subjectId: c.subjectOrgId,
          orgId: c.subjectOrgId,
          raisingOrgId: c.raisingOrgId,
          kind: 'accountability_cases',
          ref: c.id,
        });
      }
      for (const userId of c.subjectUserIds) {
        if (reachesThreshold(await this.repo.casesSince(m, { userId }, since))) {
          reasons.push({
            subjectType: 'user',
            subjectId: userId,
            orgId: c.subjectOrgId,
            raisingOrgId: c.raisingOrgId,
            kind: 'accountability_cases',
            ref: c.id,
          });
        }
      }
    }
    await this.enlist(m, reasons, now);
  }

  /** A unit whose measures reached the 通报 step twice within a year is listed. */
  async afterCirculated(
    m: EntityManager,
    steps: readonly { taskId: string; responsibleOrgId: string; raisingOrgId: string }[],
    level: number,
    now: Date,
  ): Promise<void> {
    const since = yearBefore(now);
    const reasons: ListingReason[] = [];
    for (const s of steps) {
      if (reachesThreshold(await this.repo.circulatedSince(m, s.responsibleOrgId, level, since))) {
        reasons.push({
          subjectType: 'org',
          subjectId: s.responsibleOrgId,
          orgId: s.responsibleOrgId,
          raisingOrgId: s.raisingOrgId,
          kind: 'circulated_twice',
          ref: s.taskId,
        });
      }
    }
    await this.enlist(m, reasons, now);
  }

  async list(
    actor: Actor,
    filter: { orgId?: string; listed?: boolean },
  ): Promise<NegativeListEntry[]> {
    let orgPath: string | undefined;
    if (filter.orgId !== undefined) {
      orgPath = (await this.tasks.orgInScope(this.db.manager, actor, filter.orgId, 'orgId')).path;
    }
    return this.repo.list(
      this.db.manager,
      actor,
      { orgPath, listedOnly: filter.listed },
      this.clock.now(),
    );
  }

  /** Lifted early, with a written reason, by a secretary of the raising org or above (or admin). */
  async lift(actor: Actor, id: string, reason: unknown): Promise<NegativeListEntry> {
    return this.db.transaction(async (m) => {
      const now = this.clock.now();
      const entry = await this.repo.lockInScope(m, actor, id, now);
      const raising = { id: entry.raisingOrgId, path: pathToIds(entry.raisingOrgPath) };
      const allowed = actor.systemAdmin || holdsRoleOver(actor, raising, ['secretary']);
      if (!allowed) throw forbidden('无权移出负面清单：须为立项党组织或其上级党组织的书记');
      if (typeof reason !== 'string' || reason.trim() === '' || reason.length > 2000) {
        throw invalid('reason', 'reason：须写明提前移出负面清单的理由（1 至 2000 字）');
      }
      if (!entry.listed) {
        throw conflict('该记录已移出负面清单', 'id', 'not_listed');
      }
      await this.repo.lift(m, id, actor.userId, reason.trim(), now);
      await this.audit.append(m, [
        {
          streamType: 'negative_list',
          streamId: id,
          at: now,
          actorId: actor.userId,
          type: 'negative_list_lifted',
          data: { reason: reason.trim() },
        },
      ]);
      const { raisingOrgPath: _path, ...lifted } = await this.repo.lockInScope(m, actor, id, now);
      void _path;
      return lifted;
    });
  }
}
