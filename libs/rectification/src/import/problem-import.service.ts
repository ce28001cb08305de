import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import {
  Actor,
  CLOCK,
  type Clock,
  endOfLocalDay,
  instantAtLocalTime,
  isLocalDate,
  duplicateImportMessage,
  importContentHash,
  importProblemsHash,
  localDateOf,
  localTimeOf,
  mayRaiseProblem,
  repeatedImport,
  type TaskMode,
  DomainError,
  forbidden,
} from '#duban/domain';
import { OrgsRepository } from '#duban/identity';
import { pathToIds } from '#duban/persistence';
import type { CategoryCatalog } from '../catalog/catalog';
import { CATEGORY_CATALOG, type NewProblem, ProblemsService } from '../problems/problems.service';
import {
  headerOf,
  LEDGER_COLUMNS,
  type LedgerKey,
  MODE_CHOICES,
  modeOfText,
  SEVERITY_CHOICES,
  severityOfText,
  SOURCE_CHOICES,
  sourceOfText,
} from '../reports/ledger-columns';
import { type NewTask, TasksService } from '../tasks/tasks.service';
import { DuplicateImportError, ImportRejectedError, type ImportRowError } from './import-errors';
import {
  type ImportOrgRow,
  type ImportPersonRow,
  ProblemImportsRepository,
} from './problem-imports.repository';
import { type LedgerSheet, readLedgerSheet, type SheetRow } from './ledger-sheet';

/** One import takes at most this many data rows (measures). */
export const IMPORT_MAX_ROWS = 5000;

export interface ImportOptions {
  /** The committee raising every problem of the file (立项单位). */
  raisedByOrgId: string;
  /** Check everything, write nothing. */
  dryRun: boolean;
  /** Import even a file (or list of problems) imported before for the same raising org. */
  force?: boolean;
  /** The uploaded file's name, recorded with the import. */
  fileName?: string;
}

export interface ImportResult {
  dryRun: boolean;
  problems: number;
  tasks: number;
  /** The problems created, in file order; empty for a dry run. */
  problemIds: string[];
  /** Non-fatal remarks, e.g. a deadline beyond the known holiday calendar. */
  warnings: string[];
  /** The recorded import (null for a dry run). */
  importId: string | null;
}

type OrgRow = ImportOrgRow;
type PersonRow = ImportPersonRow;

type Resolved<T> = { ok: T } | { error: string };

/** A problem to raise, with the sheet rows it came from (to point errors at). */
interface PlannedProblem {
  rows: number[];
  input: NewProblem;
}

const LIMITS: Partial<Record<LedgerKey, number>> = {
  title: 200,
  description: 10000,
  campaign: 200,
  measure: 2000,
};

/** Field names of ProblemsService/TasksService errors → the ledger column to fix. */
const FIELD_COLUMNS: Record<string, LedgerKey> = {
  title: 'title',
  description: 'description',
  category: 'category',
  severity: 'severity',
  source: 'source',
  campaign: 'campaign',
  orgId: 'org',
  raisedByOrgId: 'raisingOrg',
  measure: 'measure',
  mode: 'mode',
  responsibleOrgId: 'responsibleOrg',
  responsibleUserId: 'responsible',
  leaderUserId: 'leader',
  dueDate: 'dueDate',
  dueAt: 'dueDate',
};

class DryRunRollback extends Error {}

const pad = (n: number) => String(n).padStart(2, '0');

const normaliseName = (s: string) => s.replace(/[\s“”"'‘’「」『』]/gu, '');
const splitTrail = (s: string) =>
  s
    .split(/[/／]/u)
    .map((x) => x.trim())
    .filter((x) => x !== '');

/**
 * 导入问题清单: a ledger file (xlsx or csv, the export's layout) becomes problems with their
 * measures. Every row is checked first and every problem reported at once with its row and
 * column; only a file without problems is imported, in one transaction, through the same
 * ProblemsService.raiseWithin the API uses — so an import can do nothing a user could not.
 * A dry run goes through the same transaction and rolls it back.
 */
@Injectable()
export class ProblemImportService {
  constructor(
    private readonly db: DataSource,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(CATEGORY_CATALOG) private readonly catalog: CategoryCatalog,
    private readonly problems: ProblemsService,
    private readonly tasks: TasksService,
    private readonly imports: ProblemImportsRepository,
    private readonly orgs: OrgsRepository,
  ) {}

  async importLedger(actor: Actor, file: Buffer, options: ImportOptions): Promise<ImportResult> {
    const raising = await this.raisingOrg(actor, options.raisedByOrgId);
    const sheet = await readLedgerSheet(file, IMPORT_MAX_ROWS);
    const plan = await this.plan(actor, raising, sheet);
    const contentSha256 = importContentHash(file);
    const problemsSha256 = importProblemsHash(
      plan.map((p) => ({
        title: p.input.title,
        orgId: p.input.orgId,
        campaign: p.input.campaign,
        measures: (p.input.tasks ?? []).map((t) => ({
          measure: t.measure,
          responsibleOrgId: t.responsibleOrgId,
        })),
      })),
    );
    const problemIds: string[] = [];
    const warnings = new Set<string>();
    const importId = randomUUID();
    let tasks = 0;
    try {
      await this.db.transaction(async (m) => {
        // One import per raising org at a time, so two uploads of one file cannot both pass.
        await this.imports.lockRaisingOrg(m, raising.id);
        const found = await this.imports.findEarlier(m, raising.id, contentSha256, problemsSha256);
        const earlier = repeatedImport(found.sameFile, found.sameProblems);
        if (earlier && !options.force) {
          const at = earlier.importedAt;
          const time = localTimeOf(at, raising.time_zone);
          const label = `${localDateOf(at, raising.time_zone)} ${pad(time.hour)}:${pad(time.minute)}`;
          throw new DuplicateImportError(duplicateImportMessage(earlier, label), earlier);
        }
        for (const p of plan) {
          try {
            const r = await this.problems.raiseWithin(m, actor, p.input);
            problemIds.push(r.id);
            tasks += r.taskIds.length;
            r.warnings.forEach((w) => warnings.add(w));
          } catch (e) {
            throw e instanceof DomainError ? this.rowErrorOf(e, p) : e;
          }
        }
        if (options.dryRun) throw new DryRunRollback();
        await this.imports.insert(m, {
          id: importId,
          raisedByOrgId: raising.id,
          contentSha256,
          problemsSha256,
          fileName: options.fileName ?? null,
          problems: plan.length,
          tasks,
          problemIds,
          forced: earlier !== null,
          importedBy: actor.userId,
          importedAt: this.clock.now(),
        });
      });
    } catch (e) {
      if (!(e instanceof DryRunRollback)) throw e;
    }
    return {
      dryRun: options.dryRun,
      problems: plan.length,
      tasks,
      problemIds: options.dryRun ? [] : problemIds,
      warnings: [...warnings],
      importId: options.dryRun ? null : importId,
    };
  }

  private async raisingOrg(actor: Actor, raisedByOrgId: string): Promise<OrgRow> {
    const org = await this.tasks.orgInScope(this.db.manager, actor, raisedByOrgId, 'raisedByOrgId');
    const ref = { id: org.id, path: pathToIds(org.path) };
    const decision = mayRaiseProblem(actor, ref, ref);
    if (!decision.allowed) throw forbidden(decision.reason);
    const name = await this.orgs.nameOf(this.db.manager, org.id);
    return { ...org, name, trail: name };
  }

  /** Checks every row and groups them into problems; throws with every problem found. */
  private async plan(actor: Actor, raising: OrgRow, sheet: LedgerSheet): Promise<PlannedProblem[]> {
    const errors: ImportRowError[] = [];
    const fail = (row: number, key: LedgerKey, message: string) =>
      errors.push({ row, field: headerOf(key), message });
    const now = this.clock.now();

    // Merged cells (a problem spanning several measure rows) arrive as blanks below the first.
    const rows: SheetRow[] = [];
    for (const r of sheet.rows) {
      const previous = rows.at(-1);
      const continues = !r.cells.title && !r.cells.org && !r.cells.campaign && previous;
      const cells = continues
        ? {
            ...r.cells,
            title: previous.cells.title,
            org: previous.cells.org,
            campaign: previous.cells.campaign,
          }
        : r.cells;
      rows.push({ row: r.row, cells });
    }

    for (const r of rows) {
      for (const c of LEDGER_COLUMNS) {
        const text = r.cells[c.key];
        const limit = LIMITS[c.key];
        if (limit !== undefined && text !== undefined && text.length > limit) {
          fail(
            r.row,
            c.key,
            `至多 ${limit} 个字符（此单元格有 ${text.length} 个） — at most ${limit} characters (this cell has ${text.length})`,
          );
        }
        if (c.required && c.import === 'task' && text === undefined) {
          fail(r.row, c.key, `${c.header}不能为空 — ${c.header} is empty`);
        }
      }
      if (r.cells.title === undefined)
        fail(r.row, 'title', `${headerOf('title')}不能为空 — ${headerOf('title')} is empty`);
      if (r.cells.org === undefined)
        fail(r.row, 'org', `${headerOf('org')}不能为空 — ${headerOf('org')} is empty`);
    }

    const orgs = await this.resolveOrgs(actor, raising, [
      ...rows.map((r) => r.cells.org),
      ...rows.map((r) => r.cells.responsibleOrg),
    ]);
    const orgOf = (r: SheetRow, key: 'org' | 'responsibleOrg'): OrgRow | undefined => {
      const text = r.cells[key];
      if (text === undefined) return undefined;
      const found = orgs.get(text)!;
      if ('error' in found) {
        fail(r.row, key, found.error);
        return undefined;
      }
      return found.ok;
    };
    const responsibleOrgs = new Map<number, OrgRow>();
    const problemOrgs = new Map<number, OrgRow>();
    for (const r of rows) {
      const org = orgOf(r, 'org');
      if (org) problemOrgs.set(r.row, org);
      const responsible = orgOf(r, 'responsibleOrg');
      if (responsible) responsibleOrgs.set(r.row, responsible);
    }
    const people = await this.resolvePeople(raising, rows, responsibleOrgs);

    // Rows with the same title, org and campaign are one problem with several measures.
    const groups = new Map<string, { rows: SheetRow[]; org?: OrgRow }>();
    for (const r of rows) {
      if (r.cells.title === undefined || r.cells.org === undefined) continue;
      const org = problemOrgs.get(r.row);
      const key = [r.cells.title, org?.id ?? `?${r.cells.org}`, r.cells.campaign ?? ''].join(
        '\u0000',
      );
      const group = groups.get(key) ?? { rows: [], org };
      group.rows.push(r);
      groups.set(key, group);
    }

    const plan: PlannedProblem[] = [];
    for (const group of groups.values()) {
      // Problem columns: the first filled cell of the group counts; a different one is an error.
      const value = (key: LedgerKey): { text: string; row: number } | undefined => {
        let first: { text: string; row: number } | undefined;
        for (const r of group.rows) {
          const text = r.cells[key];
          if (text === undefined) continue;
          if (!first) first = { text, row: r.row };
          else if (text !== first.text) {
            fail(
              r.row,
              key,
              `differs from row ${first.row} (“${first.text}”) of the same problem; rows with the same ${headerOf('title')}, ${headerOf('org')} and ${headerOf('campaign')} are one problem`,
            );
          }
        }
        return first;
      };
      const firstRow = group.rows[0].row;
      const category = this.problemField(value('category'), firstRow, 'category', fail, (t) =>
        this.categoryOf(t),
      );
      const severity = this.problemField(value('severity'), firstRow, 'severity', fail, (t) => {
        const s = severityOfText(t);
        return s
          ? { ok: s }
          : {
              error: `“${t}”不是严重程度，请填写 ${SEVERITY_CHOICES} 之一 — “${t}” is not a severity; write one of ${SEVERITY_CHOICES}`,
            };
      });
      const source = this.problemField(value('source'), firstRow, 'source', fail, (t) => {
        const s = sourceOfText(t);
        return s
          ? { ok: s }
          : {
              error: `“${t}”不是问题来源，请填写 ${SOURCE_CHOICES} 之一 — “${t}” is not a source; write one of ${SOURCE_CHOICES}`,
            };
      });
      const raisingText = value('raisingOrg');
      if (raisingText && !this.namesRaising(raisingText.text, raising)) {
        fail(
          raisingText.row,
          'raisingOrg',
          `“${raisingText.text}”不是本次导入的立项党组织（${raising.name}），请留空或按该组织导入 — “${raisingText.text}” is not the raising organisation of this import (${raising.name}, raisedByOrgId); leave it blank or import with that organisation's id`,
        );
      }
      const description = value('description')?.text ?? '';
      const tasks: NewTask[] = [];
      for (const r of group.rows) {
        const task = this.taskOf(r, responsibleOrgs.get(r.row), people, now, fail);
        if (task) tasks.push(task);
      }
      if (!group.org || !category || !severity || !source || tasks.length !== group.rows.length) {
        continue;
      }
      plan.push({
        rows: group.rows.map((r) => r.row),
        input: {
          title: group.rows[0].cells.title!,
          description,
          category,
          severity,
          source,
          orgId: group.org.id,
          raisedByOrgId: raising.id,
          campaign: group.rows[0].cells.campaign,
          tasks,
        },
      });
    }
    if (errors.length) {
      const order = new Map(LEDGER_COLUMNS.map((c, i) => [c.header as string, i]));
      errors.sort((a, b) => a.row - b.row || (order.get(a.field) ?? 0) - (order.get(b.field) ?? 0));
      throw new ImportRejectedError(errors);
    }
    return plan;
  }

  private problemField<T>(
    cell: { text: string; row: number } | undefined,
    firstRow: number,
    key: LedgerKey,
    fail: (row: number, key: LedgerKey, message: string) => void,
    parse: (text: string) => Resolved<T>,
  ): T | undefined {
    if (!cell) {
      fail(firstRow, key, `${headerOf(key)}不能为空 — ${headerOf(key)} is empty`);
      return undefined;
    }
    const r = parse(cell.text);
    if ('error' in r) {
      fail(cell.row, key, r.error);
      return undefined;
    }
    return r.ok;
  }

  private taskOf(
    r: SheetRow,
    org: OrgRow | undefined,
    people: PeopleIndex,
    now: Date,
    fail: (row: number, key: LedgerKey, message: string) => void,
  ): NewTask | undefined {
    const c = r.cells;
    let ok = true;
    const bad = (key: LedgerKey, message: string) => {
      fail(r.row, key, message);
      ok = false;
    };
    let mode: TaskMode = 'deadline';
    if (c.mode !== undefined) {
      const m = modeOfText(c.mode);
      if (m) mode = m;
      else
        bad(
          'mode',
          `“${c.mode}”不是整改方式，请填写 ${MODE_CHOICES} 之一 — “${c.mode}” is not a mode; write one of ${MODE_CHOICES}`,
        );
    }
    let dueDate: string | undefined;
    let dueAt: string | undefined;
    if (mode === 'standing') {
      if (c.dueDate !== undefined) {
        bad(
          'dueDate',
          `长期坚持的措施没有完成期限，请将${headerOf('dueDate')}留空 — a standing measure (长期坚持) has no deadline; leave ${headerOf('dueDate')} blank`,
        );
      }
    } else if (c.dueDate === undefined) {
      bad(
        'dueDate',
        `${headerOf('dueDate')}不能为空：请按 YYYY-MM-DD 填写完成期限，或将${headerOf('mode')}设为长期坚持 — ${headerOf('dueDate')} is empty: give the deadline as YYYY-MM-DD, or set ${headerOf('mode')} to 长期坚持`,
      );
    } else {
      const parsed = parseDate(c.dueDate);
      if (!parsed) {
        bad(
          'dueDate',
          `“${c.dueDate}”不是日期，请按 YYYY-MM-DD 填写，如 2026-12-31 — “${c.dueDate}” is not a date; write it as YYYY-MM-DD, e.g. 2026-12-31`,
        );
      } else if (org) {
        const instant = parsed.time
          ? instantAtLocalTime(
              parsed.date,
              { ...parsed.time, second: 0, millisecond: 0 },
              org.time_zone,
            )
          : endOfLocalDay(parsed.date, org.time_zone);
        if (instant.getTime() <= now.getTime()) {
          bad(
            'dueDate',
            `${c.dueDate.trim()} 已过（${org.name}今天是 ${localDateOf(now, org.time_zone)}），完成期限须为今天或以后 — ${c.dueDate.trim()} has passed (today is ${localDateOf(now, org.time_zone)} in ${org.name}); the deadline must be today or later`,
          );
        } else if (parsed.time) {
          dueAt = instant.toISOString();
        } else {
          dueDate = parsed.date;
        }
      }
    }
    let responsibleUserId: string | undefined;
    let leaderUserId: string | undefined;
    if (org && c.responsible !== undefined) {
      const person = people.responsible(org, c.responsible);
      if ('error' in person) bad('responsible', person.error);
      else responsibleUserId = person.ok;
    }
    if (org && c.leader !== undefined) {
      const leader = people.leader(org, c.leader);
      if ('error' in leader) bad('leader', leader.error);
      else leaderUserId = leader.ok;
    }
    if (!ok || !org || c.measure === undefined || responsibleUserId === undefined) return undefined;
    return {
      measure: c.measure,
      responsibleOrgId: org.id,
      responsibleUserId,
      leaderUserId,
      mode,
      dueDate,
      dueAt,
    };
  }

  private namesRaising(text: string, raising: OrgRow): boolean {
    const segments = splitTrail(text);
    return segments.length > 0 && segments.at(-1) === raising.name;
  }

  private categoryOf(text: string): Resolved<string> {
    const t = text.trim();
    if (this.catalog.has(t)) return { ok: t };
    const wanted = normaliseName(t);
    const exact = this.catalog.categories.filter((c) => normaliseName(c.name) === wanted);
    if (exact.length === 1) return { ok: exact[0].code };
    // A ledger may name a category by one of its parts: 作风 for 作风（形式主义、官僚主义、“老好人”）.
    const partial = this.catalog.categories.filter((c) =>
      normaliseName(c.name)
        .split(/[、，,（）()]/u)
        .includes(wanted),
    );
    if (partial.length === 1) return { ok: partial[0].code };
    return {
      error: `“${t}”不是问题类别，请填写 ${this.catalog.categories.map((c) => c.name).join('、')} 之一 — “${t}” is not a category; write one of ${this.catalog.categories.map((c) => c.name).join('；')}`,
    };
  }

  /**
   * Org names, resolved by exact name within the raising org's subtree (which the caller's
   * scope covers). Sibling orgs have distinct names but cousins need not: a name several orgs
   * carry is an error naming them; "第一党总支/第一支部" picks one by its parents.
   */
  private async resolveOrgs(
    actor: Actor,
    raising: OrgRow,
    texts: (string | undefined)[],
  ): Promise<Map<string, Resolved<OrgRow>>> {
    const distinct = [...new Set(texts.filter((t): t is string => t !== undefined))];
    const names = [...new Set(distinct.map((t) => splitTrail(t).at(-1) ?? t))];
    const candidates = names.length
      ? await this.imports.orgsNamed(this.db.manager, actor, raising.path, names)
      : [];
    const result = new Map<string, Resolved<OrgRow>>();
    for (const text of distinct) {
      const wanted = splitTrail(text);
      const matches = candidates.filter((c) => {
        const trail = splitTrail(c.trail);
        return (
          wanted.length > 0 &&
          wanted.length <= trail.length &&
          wanted.every((w, i) => trail[trail.length - wanted.length + i] === w)
        );
      });
      if (matches.length === 1) {
        result.set(text, { ok: matches[0] });
      } else if (matches.length === 0) {
        result.set(text, {
          error: `${raising.name}及其下级没有名为“${text}”的组织 — no organisation named “${text}” in ${raising.name} or below it`,
        });
      } else {
        const named = matches.map((m) => m.trail).sort();
        const parent = splitTrail(named[0]).slice(-2).join('/');
        result.set(text, {
          error: `“${text}”有 ${matches.length} 个同名组织（${named.join('；')}），请连同上级组织一起填写，如“${parent}” — “${text}” is ambiguous: ${matches.length} organisations carry that name (${named.join('; ')}); write it with its parent, e.g. “${parent}”`,
        });
      }
    }
    return result;
  }

  /**
   * People by username or display name: the responsible person (责任人) among those holding a
   * role in the responsible org; the leader in charge (分管领导) among those holding one there
   * or in an org above it, up to the raising org.
   */
  private async resolvePeople(
    raising: OrgRow,
    rows: SheetRow[],
    responsibleOrgs: ReadonlyMap<number, OrgRow>,
  ): Promise<PeopleIndex> {
    const orgIds = [...new Set([...responsibleOrgs.values()].map((o) => o.id))];
    const texts = [
      ...new Set(rows.flatMap((r) => [r.cells.responsible, r.cells.leader]).filter((t) => t)),
    ] as string[];
    const { members, leaders } =
      orgIds.length && texts.length
        ? await this.imports.peopleNamed(this.db.manager, {
            orgIds,
            texts,
            raisingPath: raising.path,
          })
        : { members: [], leaders: [] };
    return new PeopleIndex(members, leaders);
  }

  /** Points an error of ProblemsService/TasksService at the row and column it came from. */
  private rowErrorOf(e: DomainError, p: PlannedProblem): ImportRejectedError {
    const match = e.field ? /^(?:tasks\[(\d+)\]\.)?(\w+)$/.exec(e.field) : null;
    const row = match?.[1] !== undefined ? p.rows[Number(match[1])] : p.rows[0];
    const key = match ? FIELD_COLUMNS[match[2]] : undefined;
    return new ImportRejectedError([
      { row, field: key ? headerOf(key) : headerOf('title'), message: e.message },
    ]);
  }
}

class PeopleIndex {
  constructor(
    private readonly members: readonly PersonRow[],
    private readonly leaders: readonly PersonRow[],
  ) {}

  responsible(org: OrgRow, text: string): Resolved<string> {
    return pick(
      this.members.filter((p) => p.org_id === org.id),
      text,
      `${org.name}没有名为“${text}”（用户名或姓名）的任职人员；责任人须属于责任单位 — nobody called “${text}” (username or name) holds a role in ${org.name}; the responsible person must belong to the responsible unit`,
    );
  }

  leader(org: OrgRow, text: string): Resolved<string> {
    return pick(
      this.leaders.filter((p) => p.org_id === org.id),
      text,
      `${org.name}及其上级组织没有名为“${text}”（用户名或姓名）的任职人员 — nobody called “${text}” (username or name) holds a role in ${org.name} or an organisation above it`,
    );
  }
}

function pick(people: readonly PersonRow[], text: string, missing: string): Resolved<string> {
  const byUsername = people.filter((p) => p.username.toLowerCase() === text.toLowerCase());
  if (byUsername.length > 0) return { ok: byUsername[0].id };
  const byName = [...new Map(people.filter((p) => p.display_name === text).map((p) => [p.id, p]))];
  if (byName.length === 1) return { ok: byName[0][0] };
  if (byName.length === 0) return { error: missing };
  const usernames = byName.map(([, p]) => p.username).sort();
  return {
    error: `“${text}”有 ${byName.length} 个同名人员，请改填用户名（${usernames.join('、')}） — “${text}” is ambiguous: ${byName.length} people carry that name (usernames ${usernames.join(', ')}); write the username instead`,
  };
}

/** YYYY-MM-DD from the ways ledgers write a date: 2026-12-31, 2026/12/31, 2026.12.31, 2026年12月31日, or an Excel serial. */
/**
 * A deadline cell: a date (the end of that day), or a date and a wall-clock time HH:MM (an
 * exact instant in the responsible org's zone, as the ledger export writes dueAt deadlines).
 */
function parseDate(
  text: string,
): { date: string; time?: { hour: number; minute: number } } | undefined {
  const t = text.trim();
  const m =
    /^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T](\d{1,2}):(\d{2})(?::00(?:\.0+)?)?)?$/u.exec(
      t,
    );
  if (m) {
    const date = `${m[1]}-${m[2].padStart(2, '0')}-${m[3].padStart(2, '0')}`;
    if (!isLocalDate(date)) return undefined;
    if (m[4] === undefined) return { date };
    const hour = Number(m[4]);
    const minute = Number(m[5]);
    if (hour > 23 || minute > 59) return undefined;
    // Midnight is how spreadsheets write a plain date cell: the end of that day.
    return hour === 0 && minute === 0 ? { date } : { date, time: { hour, minute } };
  }
  // A date cell whose format the reader did not recognise arrives as Excel's day number.
  if (/^\d{5}$/.test(t)) {
    const date = new Date(Date.UTC(1899, 11, 30) + Number(t) * 86_400_000);
    return { date: date.toISOString().slice(0, 10) };
  }
  return undefined;
}
