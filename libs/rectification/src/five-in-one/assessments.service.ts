import { Inject, Injectable } from '@nestjs/common';
import ExcelJS from 'exceljs';
import { randomUUID } from 'node:crypto';
import { DataSource, type EntityManager } from 'typeorm';
import { AuditLog } from '#duban/audit';
import {
  type Actor,
  ASSESSMENT_GRADES,
  type AssessmentGrade,
  type AssessmentScheme,
  CLOCK,
  type Clock,
  conflict,
  forbidden,
  fulfilmentRate,
  gradeOrgs,
  holdsRoleOver,
  indicatorScore,
  invalid,
  isUniqueViolation,
  notFound,
  REVIEW_GRADE_LABELS,
  validateScheme,
  weightedTotal,
} from '#duban/domain';
import { scopeCondition, scopeParams } from '#duban/persistence';
import { onTimeRate } from '../reports/on-time';
import {
  type AssessmentRecord,
  type AssessmentRowRecord,
  AssessmentsRepository,
  type AssessmentSummary,
  type Period,
} from './assessments.repository';
import { CommitmentsRepository } from './commitments.repository';
import {
  assertOwnAttachments,
  type LoopOrg,
  openLoopCase,
  orgById,
  orgInScope,
  secretariesOf,
  yearBounds,
} from './loop-support';
import { ReviewsRepository } from './reviews.repository';

const HOSTS = ['secretary', 'deputy', 'admin'] as const;

/** What an indicator value is made of: the rows behind it. */
export interface DrillDown {
  orgId: string;
  code: string;
  source: string;
  value: number | null;
  score: number;
  items: unknown[];
}

/** 考核: the committee's scheme, the computed table, confirmation, appeals and the export. */
@Injectable()
export class AssessmentsService {
  constructor(
    private readonly db: DataSource,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly audit: AuditLog,
    private readonly repo: AssessmentsRepository,
    private readonly commitments: CommitmentsRepository,
    private readonly reviews: ReviewsRepository,
  ) {}

  async putScheme(
    actor: Actor,
    orgId: string,
    input: { year: number } & AssessmentScheme,
  ): Promise<{ orgId: string; year: number } & AssessmentScheme> {
    const scheme: AssessmentScheme = {
      indicators: input.indicators.map((i) => ({
        code: i.code,
        name: i.name,
        weight: i.weight,
        source: i.source,
      })),
      grades: input.grades.map((g) => ({
        grade: g.grade,
        minScore: g.minScore,
        maxShare: g.maxShare ?? null,
      })),
    };
    validateScheme(scheme);
    await this.db.transaction(async (m) => {
      const org = await orgInScope(m, actor, orgId, 'orgId');
      this.assertHost(actor, org);
      await this.repo.saveScheme(m, org.id, input.year, scheme, actor.userId, this.clock.now());
    });
    return { orgId, year: input.year, ...scheme };
  }

  async getScheme(
    actor: Actor,
    orgId: string,
    year: number,
  ): Promise<{ orgId: string; year: number } & AssessmentScheme> {
    const org = await orgInScope(this.db.manager, actor, orgId, 'orgId');
    const scheme = await this.repo.scheme(this.db.manager, org.id, year);
    if (!scheme) throw notFound(`${year} 年的考核方案尚未设置`, 'scheme_not_found');
    return { orgId, year, ...scheme };
  }

  /** A manual indicator's value for one org, with its reason and evidence. */
  async putManualValue(
    actor: Actor,
    schemeOrgId: string,
    input: {
      year: number;
      orgId: string;
      code: string;
      value: number;
      reason: string;
      attachmentIds: string[];
    },
  ): Promise<void> {
    if (!input.reason?.trim()) throw invalid('reason', 'reason：须写明评分理由', 'required');
    if (!input.attachmentIds?.length)
      throw invalid('attachmentIds', 'attachmentIds：人工指标须附佐证材料', 'required');
    await this.db.transaction(async (m) => {
      const host = await orgInScope(m, actor, schemeOrgId, 'orgId');
      this.assertHost(actor, host);
      const scheme = await this.repo.scheme(m, host.id, input.year);
      if (!scheme?.indicators.some((i) => i.code === input.code && i.source === 'manual'))
        throw invalid('code', 'code：不是该年度考核方案中的人工指标', 'not_a_manual_indicator');
      const org = await orgById(m, input.orgId);
      if (org.parentId !== host.id)
        throw invalid('orgId', 'orgId：须是考核组织的直接下级', 'not_a_child');
      await assertOwnAttachments(m, actor, input.attachmentIds, 'attachmentIds');
      await this.repo.saveManualValue(m, {
        schemeOrgId: host.id,
        year: input.year,
        orgId: org.id,
        code: input.code,
        value: input.value,
        reason: input.reason.trim(),
        attachmentIds: input.attachmentIds,
        by: actor.userId,
        now: this.clock.now(),
      });
    });
  }

  /** Computes the table for every child org from the data already in Duban. */
  async compute(actor: Actor, input: { orgId: string; year: number }): Promise<AssessmentRecord> {
    const now = this.clock.now();
    const id = randomUUID();
    await this.db.transaction(async (m) => {
      const host = await orgInScope(m, actor, input.orgId, 'orgId');
      this.assertHost(actor, host);
      const scheme = await this.repo.scheme(m, host.id, input.year);
      if (!scheme)
        throw invalid(
          'year',
          `year：${input.year} 年的考核方案尚未设置（PUT /orgs/{id}/assessment-scheme）`,
          'scheme_not_found',
        );
      const children = await this.repo.children(m, host.id);
      if (children.length === 0)
        throw invalid('orgId', 'orgId：该组织没有下级组织可考核', 'no_children');
      const period = this.period(host, input.year, now);
      const paths = children.map((c) => c.path);
      // One connection per transaction: the queries run one after another.
      const measures = await this.repo.measureFigures(m, paths, period);
      const relapses = await this.repo.relapses(m, paths, period);
      const cases = await this.repo.casesOpened(m, paths, period);
      const commitments = await this.commitments.resultsUnder(m, paths, input.year);
      const reviews = await this.reviews.scoresByOrg(m, host.id, input.year);
      const manual = await this.repo.manualValues(m, host.id, input.year);
      const raw: AssessmentRowRecord[] = children.map((c) => {
        const f = measures.get(c.path)!;
        const value = (source: string, code: string): number | null => {
          switch (source) {
            case 'on_time_rate':
              return onTimeRate(f.onTime, f.due);
            case 'overdue_days':
              return f.overdueDays;
            case 'relapses':
              return relapses.get(c.path) ?? 0;
            case 'accountability_cases':
              return cases.get(c.path) ?? 0;
            case 'commitments':
              return fulfilmentRate(commitments.get(c.path) ?? []);
            case 'review':
              return reviews.get(c.id) ?? null;
            default:
              return manual.get(`${c.id}:${code}`) ?? null;
          }
        };
        const indicators = scheme.indicators.map((i) => {
          const v = value(i.source, i.code);
          return { code: i.code, source: i.source, value: v, score: indicatorScore(i.source, v) };
        });
        return {
          orgId: c.id,
          orgName: c.name,
          orgPath: c.path,
          indicators,
          total: weightedTotal(
            scheme.indicators,
            indicators.map((i) => i.score),
          ),
          grade: 'poor' as AssessmentGrade,
        };
      });
      const grades = gradeOrgs(raw, scheme.grades);
      const rows = raw.map((r) => ({ ...r, grade: grades.get(r.orgId)! }));
      await this.repo.insert(m, {
        id,
        orgId: host.id,
        orgPath: host.pathText,
        year: input.year,
        scheme,
        by: actor.userId,
        now,
        rows,
      });
      await this.audit.append(m, [
        {
          streamType: 'assessment',
          streamId: id,
          at: now,
          actorId: actor.userId,
          type: 'computed',
          toState: 'computed',
          data: {
            orgId: host.id,
            year: input.year,
            rows: rows.map((r) => ({ orgId: r.orgId, total: r.total, grade: r.grade })),
          },
        },
      ]);
    });
    return this.get(actor, id);
  }

  async get(
    actor: Actor,
    id: string,
    m: EntityManager = this.db.manager,
  ): Promise<AssessmentRecord> {
    return this.load(m, actor, id);
  }

  /**
   * 考核 list: per year and assessing committee, the assessments the caller sees a row of — the
   * committee (and those above it) every one, a branch those that grade it, with counts over
   * its own row only.
   */
  list(actor: Actor, filter: { year?: number; orgId?: string }): Promise<AssessmentSummary[]> {
    return this.repo.list(this.db.manager, filter, {
      sql: scopeCondition('r.org_path', '$1', '$2'),
      params: scopeParams(actor),
    });
  }

  /** The rows behind one indicator value of one org. */
  async drillDown(actor: Actor, id: string, orgId: string, code: string): Promise<DrillDown> {
    const m = this.db.manager;
    const a = await this.load(m, actor, id);
    const row = a.rows.find((r) => r.orgId === orgId);
    if (!row) throw notFound(`考核结果中没有组织 ${orgId}（或不在你的范围内）`, 'row_not_found');
    const ind = row.indicators.find((i) => i.code === code);
    if (!ind) throw notFound(`考核方案中没有指标 ${code}`, 'indicator_not_found');
    const host = await orgById(m, a.orgId);
    const period = this.period(host, a.year, new Date(a.computedAt));
    let items: unknown[];
    switch (ind.source) {
      case 'on_time_rate':
      case 'overdue_days':
        items = await this.repo.measuresBehind(m, row.orgPath, period, ind.source);
        break;
      case 'accountability_cases':
        items = await this.repo.casesBehind(m, row.orgPath, period);
        break;
      case 'commitments':
        items = (
          await this.commitments.list(
            m,
            { year: a.year },
            {
              sql: `c.org_path <@ $1::ltree AND c.state = 'evaluated'`,
              params: [row.orgPath],
            },
          )
        ).flatMap((c) =>
          c.items.map((i) => ({
            commitmentId: c.id,
            itemId: i.id,
            title: i.title,
            result: i.result,
          })),
        );
        break;
      default:
        items = [];
    }
    return { orgId, code, source: ind.source, value: ind.value, score: ind.score, items };
  }

  /** The superior confirms; every org graded 差 faces one 问责 case for the year. */
  async confirm(actor: Actor, id: string): Promise<AssessmentRecord> {
    const now = this.clock.now();
    await this.db.transaction(async (m) => {
      const a = await this.load(m, actor, id, true);
      const host = await orgById(m, a.orgId);
      this.assertHost(actor, host);
      if (a.state !== 'computed') throw conflict('考核结果已确认', 'state', 'assessment_confirmed');
      await this.repo.confirm(m, id, actor.userId, now);
      await this.audit.append(m, [
        {
          streamType: 'assessment',
          streamId: id,
          at: now,
          actorId: actor.userId,
          type: 'confirmed',
          fromState: 'computed',
          toState: 'confirmed',
          data: {},
        },
      ]);
      for (const r of a.rows.filter((x) => x.grade === 'poor')) {
        const org = await orgById(m, r.orgId);
        await openLoopCase(m, this.audit, {
          key: `assessment:${host.id}:${a.year}:${r.orgId}`,
          summary: `年度考核为“差”：${r.orgName}（${a.year} 年，总分 ${r.total}）`,
          raisingOrg: host,
          subjectOrg: org,
          subjectUserIds: await secretariesOf(m, org.id),
          now,
          actorId: actor.userId,
        });
      }
    });
    return this.get(actor, id);
  }

  /** An org appeals its confirmed result, with a reason. */
  async appeal(
    actor: Actor,
    id: string,
    input: { orgId: string; reason: string },
  ): Promise<AssessmentRecord> {
    if (!input.reason?.trim()) throw invalid('reason', 'reason：申诉须写明理由', 'required');
    const now = this.clock.now();
    await this.db.transaction(async (m) => {
      const a = await this.load(m, actor, id, true);
      if (!a.rows.some((r) => r.orgId === input.orgId))
        throw notFound('orgId：不是本次考核的对象，或不在你的范围内', 'row_not_found');
      const own = actor.grants.some(
        (g) => g.org.id === input.orgId && HOSTS.includes(g.role as (typeof HOSTS)[number]),
      );
      if (!own) throw forbidden('只有被考核组织的书记、副书记或管理员可以申诉', 'not_appellant');
      if (a.state !== 'confirmed')
        throw conflict('考核结果确认后才能申诉', 'state', 'assessment_not_confirmed');
      const appealId = randomUUID();
      try {
        await this.repo.insertAppeal(m, {
          id: appealId,
          assessmentId: id,
          orgId: input.orgId,
          reason: input.reason.trim(),
          by: actor.userId,
          now,
        });
      } catch (e) {
        if (isUniqueViolation(e))
          throw conflict('该组织已有待处理的申诉', 'orgId', 'appeal_pending');
        throw e;
      }
      await this.audit.append(m, [
        {
          streamType: 'assessment',
          streamId: id,
          at: now,
          actorId: actor.userId,
          type: 'appealed',
          data: { appealId, orgId: input.orgId, reason: input.reason.trim() },
        },
      ]);
    });
    return this.get(actor, id);
  }

  /** The committee decides an appeal with a reason; upheld with a grade changes that org's grade. */
  async decideAppeal(
    actor: Actor,
    id: string,
    appealId: string,
    input: { upheld: boolean; reason: string; grade?: AssessmentGrade },
  ): Promise<AssessmentRecord> {
    if (!input.reason?.trim()) throw invalid('reason', 'reason：须写明处理理由', 'required');
    if (input.grade && !ASSESSMENT_GRADES.includes(input.grade))
      throw invalid('grade', `grade 必须是 ${ASSESSMENT_GRADES.join(' | ')}`, 'invalid_enum');
    if (input.grade && !input.upheld)
      throw invalid('grade', 'grade：只有支持申诉时才能调整等次', 'not_allowed');
    const now = this.clock.now();
    await this.db.transaction(async (m) => {
      const a = await this.load(m, actor, id, true);
      this.assertHost(actor, await orgById(m, a.orgId));
      const decided = await this.repo.decideAppeal(m, {
        id: appealId,
        assessmentId: id,
        state: input.upheld ? 'upheld' : 'rejected',
        reason: input.reason.trim(),
        by: actor.userId,
        now,
        grade: input.grade ?? null,
      });
      if (!decided) throw conflict('申诉不存在或已处理', 'appealId', 'appeal_decided');
      await this.audit.append(m, [
        {
          streamType: 'assessment',
          streamId: id,
          at: now,
          actorId: actor.userId,
          type: 'appeal_decided',
          data: {
            appealId,
            upheld: input.upheld,
            reason: input.reason.trim(),
            grade: input.grade ?? null,
          },
        },
      ]);
    });
    return this.get(actor, id);
  }

  /** The table as xlsx: one row per org, each indicator's value and score, total and grade. */
  async export(actor: Actor, id: string): Promise<Buffer> {
    const a = await this.load(this.db.manager, actor, id);
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet(`${a.year}年度考核`);
    sheet.addRow([
      '组织',
      ...a.scheme.indicators.flatMap((i) => [
        `${i.name}（原始值）`,
        `${i.name}（得分，权重${i.weight}）`,
      ]),
      '总分',
      '等次',
    ]);
    for (const r of a.rows) {
      sheet.addRow([
        r.orgName,
        ...r.indicators.flatMap((i) => [i.value ?? '', i.score]),
        r.total,
        REVIEW_GRADE_LABELS[r.grade],
      ]);
    }
    return Buffer.from(await workbook.xlsx.writeBuffer());
  }

  private period(host: LoopOrg, year: number, now: Date): Period {
    return { ...yearBounds(year, host.timeZone), now };
  }

  private assertHost(actor: Actor, org: LoopOrg): void {
    if (!actor.systemAdmin && !holdsRoleOver(actor, org, HOSTS))
      throw forbidden('需要考核组织（或其上级）的书记、副书记或管理员角色', 'not_assessing_org');
  }

  /**
   * People at or above the assessing org see every row; anyone else sees the rows of the
   * orgs in their scope (a branch sees its own grade), and 404 when none.
   */
  private async load(
    m: EntityManager,
    actor: Actor,
    id: string,
    lock = false,
  ): Promise<AssessmentRecord> {
    const a = await this.repo.find(
      m,
      id,
      { sql: scopeCondition('r.org_path', '$1', '$2'), params: scopeParams(actor) },
      lock,
    );
    if (!a || a.rows.length === 0)
      throw notFound(`考核 ${id} 不存在或不在你的范围内`, 'assessment_not_found');
    return a;
  }
}
