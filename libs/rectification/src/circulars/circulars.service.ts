import { Inject, Injectable } from '@nestjs/common';
import { createHash, randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { AuditLog } from '#duban/audit';
import {
  Actor,
  buildCircularText,
  CLOCK,
  type Clock,
  type CircularFacts,
  type CircularTally,
  type CircularText,
  conflict,
  forbidden,
  isUniqueViolation,
  localDateOf,
  mayIssueCircular,
  notFound,
  type Page,
  type PageRequest,
  unitLabels,
} from '#duban/domain';
import { NotificationsService, type NotificationInput } from '#duban/notifications';
import {
  type OrgTally,
  type QuarterCircular,
  type QuarterSummary,
  ReportsService,
} from '../reports/reports.service';
import { renderCircularDocx } from './circular-docx';
import { CircularOrg, CircularRecord, CircularsRepository } from './circulars.repository';

export interface CircularDocument {
  fileName: string;
  content: Buffer;
}

export interface IssuedCircular {
  id: string;
  orgId: string;
  orgName: string;
  quarter: string;
  title: string;
  fileName: string;
  byteSize: number;
  sha256: string;
  addresseeOrgIds: string[];
  issuedBy: string;
  issuedAt: string;
}

const toTally = (t: OrgTally): CircularTally => ({
  orgName: t.orgName,
  total: t.total,
  closed: t.byState.closed,
  dueInQuarter: t.dueInQuarter,
  closedOnTime: t.closedOnTime,
  onTimeRate: t.onTimeRate,
  overdue: t.overdue,
  escalations: t.escalations,
  recurringProblems: t.recurringProblems,
});

const toIssued = (c: CircularRecord): IssuedCircular => ({
  ...c,
  issuedAt: c.issuedAt.toISOString(),
});

export const documentUrl = (id: string) => `/api/v1/circulars/${id}/document`;

/**
 * 通报 as a document. Orchestration only: the figures come from ReportsService (the same
 * queries as GET /reports/summary and /reports/circular), the words from libs/domain
 * (buildCircularText), the layout from circular-docx, the SQL from CircularsRepository.
 */
@Injectable()
export class CircularsService {
  constructor(
    private readonly db: DataSource,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly reports: ReportsService,
    private readonly circulars: CircularsRepository,
    private readonly notifications: NotificationsService,
    private readonly audit: AuditLog,
  ) {}

  /** The 通报 of an org and quarter as it would be issued now (GET …/circular?format=docx). */
  async draft(actor: Actor, orgId: string, quarter?: string): Promise<CircularDocument> {
    const org = await this.org(actor, orgId);
    const now = this.clock.now();
    const { text, summary } = await this.compose(actor, org, quarter, now);
    return { fileName: fileName(text, summary), content: await renderCircularDocx(text, now) };
  }

  /**
   * 印发: renders the 通报 once, archives its exact bytes with their sha256 (also in the audit
   * record) and tells the secretaries of the orgs it names. One per org and quarter: a second
   * is refused (409 `circular_exists`), so what was sent out is never replaced.
   */
  async issue(actor: Actor, orgId: string, quarter: string): Promise<IssuedCircular> {
    const org = await this.org(actor, orgId);
    const may = mayIssueCircular(actor, org);
    if (!may.allowed) throw forbidden(may.reason);
    const existing = await this.circulars.findIssued(this.db.manager, org.id, quarter);
    if (existing) throw exists(existing);

    const issuedAt = this.clock.now();
    const { text, summary, addressees } = await this.compose(actor, org, quarter, issuedAt);
    const content = await renderCircularDocx(text, issuedAt);
    const sha256 = createHash('sha256').update(content).digest('hex');
    const id = randomUUID();
    const record = {
      id,
      orgId: org.id,
      orgPath: org.pathText,
      quarter: summary.quarter,
      title: text.title,
      fileName: fileName(text, summary),
      content,
      sha256,
      addresseeOrgIds: addressees.map((a) => a.id),
      issuedBy: actor.userId,
      issuedAt,
    };
    try {
      await this.db.transaction(async (m) => {
        await this.circulars.insert(m, record);
        await this.audit.append(m, [
          {
            streamType: 'circular',
            streamId: id,
            at: issuedAt,
            actorId: actor.userId,
            type: 'issued',
            toState: 'issued',
            data: {
              orgId: org.id,
              quarter: record.quarter,
              title: record.title,
              fileName: record.fileName,
              byteSize: content.length,
              sha256,
              addresseeOrgIds: record.addresseeOrgIds,
            },
          },
        ]);
        const secretaries = await this.circulars.secretaries(m, record.addresseeOrgIds);
        const notices: NotificationInput[] = addressees
          .filter((a) => (secretaries.get(a.id) ?? []).length > 0)
          .map((a) => ({
            userIds: secretaries.get(a.id)!,
            kind: 'circular_issued',
            dedupeKey: `circular:${id}`,
            orgId: a.id,
            taskIds: [],
            params: {
              circularId: id,
              quarter: record.quarter,
              orgName: org.name,
              title: record.title,
              documentUrl: documentUrl(id),
              sha256,
            },
          }));
        await this.notifications.notifyMany(m, notices, issuedAt);
      });
    } catch (e) {
      if (!isUniqueViolation(e)) throw e;
      // Issued by someone else between our check and our insert.
      const winner = await this.circulars.findIssued(this.db.manager, org.id, record.quarter);
      throw exists(winner ?? '');
    }
    return toIssued({ ...record, orgName: org.name, byteSize: content.length });
  }

  async list(
    actor: Actor,
    orgId: string | undefined,
    page: PageRequest,
  ): Promise<Page<IssuedCircular>> {
    const { items, total } = await this.circulars.list(this.db.manager, actor, orgId, page);
    return { items: items.map(toIssued), total, page: page.page, pageSize: page.pageSize };
  }

  async get(actor: Actor, id: string): Promise<IssuedCircular> {
    const c = await this.circulars.visible(this.db.manager, actor, id);
    if (!c) throw notFound(`通报 ${id} 不存在或不在你的查看范围内`, 'circular_not_found');
    return toIssued(c);
  }

  /** The archived bytes, unchanged. */
  async document(actor: Actor, id: string): Promise<CircularDocument & IssuedCircular> {
    const c = await this.circulars.content(this.db.manager, actor, id);
    if (!c) throw notFound(`通报 ${id} 不存在或不在你的查看范围内`, 'circular_not_found');
    return { ...toIssued(c), content: c.content };
  }

  private async org(actor: Actor, orgId: string): Promise<CircularOrg> {
    const org = await this.circulars.orgInScope(this.db.manager, actor, orgId);
    if (!org) {
      throw notFound(`orgId：组织 ${orgId} 不存在或不在你的管辖范围内`);
    }
    return org;
  }

  /** The facts of the 通报, from the summary's and the circular's own queries, and its text. */
  private async compose(
    actor: Actor,
    org: CircularOrg,
    quarter: string | undefined,
    at: Date,
  ): Promise<{
    text: CircularText;
    summary: QuarterSummary;
    circular: QuarterCircular;
    addressees: { id: string; name: string }[];
  }> {
    const summary = await this.reports.summary(actor, org.id, quarter);
    const circular = await this.reports.circular(actor, org.id, summary.quarter);
    const m = this.db.manager;
    const addressees = await this.circulars.childOrgs(m, org.id);
    const units = unitLabels(
      await this.circulars.orgsWithParent(m, [
        ...new Set([
          ...circular.entries.map((e) => e.orgId),
          ...circular.worstOnTime.map((w) => w.orgId),
        ]),
      ]),
    );
    const talks = await this.circulars.talks(
      m,
      circular.entries.map((e) => e.taskId),
    );
    const facts: CircularFacts = {
      orgName: org.name,
      quarter: summary.quarter,
      issuedOn: localDateOf(at, org.timeZone),
      addressees: addressees.map((a) => a.name),
      totals: toTally(summary.totals),
      children: summary.children.map(toTally),
      issues: circular.entries.map((e) => ({
        unit: units.get(e.orgId) ?? e.orgName,
        problemTitle: e.problemTitle,
        measure: e.measure,
        dueDate: e.dueDate,
        level: e.level,
        levelName: e.levelName,
        closed: e.state === 'closed',
        responsibleName: e.responsibleName,
        leaderName: e.leaderName,
        talksDue: talks.get(e.taskId)?.due ?? 0,
        talksHeld: talks.get(e.taskId)?.held ?? 0,
      })),
      worstOnTime: circular.worstOnTime.map((w) => ({
        orgName: units.get(w.orgId) ?? w.orgName,
        dueInQuarter: w.dueInQuarter,
        closedOnTime: w.closedOnTime,
        onTimeRate: w.onTimeRate,
      })),
    };
    return { text: buildCircularText(facts), summary, circular, addressees };
  }
}

function exists(id: string) {
  return conflict(
    `该组织本季度的通报已印发（${id}），不能重复印发；请查看已印发的通报`,
    'quarter',
    'circular_exists',
  );
}

function fileName(text: CircularText, summary: QuarterSummary): string {
  return `${text.title}-${summary.orgName}.docx`;
}
