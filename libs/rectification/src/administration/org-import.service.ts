import { Inject, Injectable } from '@nestjs/common';
import { randomBytes, randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { AuditLog } from '#duban/audit';
import {
  type Actor,
  CLOCK,
  type Clock,
  DEFAULT_TIME_ZONE,
  isUniqueViolation,
  ORG_IMPORT_COLUMNS,
  type OrgImportKey,
  type OrgImportRow,
  planOrgImport,
} from '#duban/domain';
import { OrgsRepository, PasswordHasher, RolesRepository, UsersRepository } from '#duban/identity';
import { ImportRejectedError, ImportTooLargeError } from '../import/import-errors';
import { readSheetRows } from '../import/ledger-sheet';

/** One org import takes at most this many data rows. */
export const ORG_IMPORT_MAX_ROWS = 5000;

export interface OrgImportResult {
  dryRun: boolean;
  /** Organisations created (or that would be, on a dry run). */
  orgsCreated: number;
  /** Rows whose organisation already existed and was used as it is. */
  orgsFound: number;
  usersCreated: number;
  rolesGranted: number;
  /**
   * The accounts created, each with its generated initial password — shown this once, never
   * stored in clear. Empty on a dry run.
   */
  newUsers: { id: string; username: string; displayName: string; initialPassword: string }[];
}

const HEADER_SEARCH_ROWS = 10;
const NAME_HEADER = ORG_IMPORT_COLUMNS.find((c) => c.key === 'name')!.header;
/** 用户名 not 用户名*, 时区（可选） not 时区: marks and notes around a header are ignored. */
const normaliseHeader = (h: string) => h.replace(/[\s*＊]|[（(][^）)]*[）)]/gu, '');

/** Letters and digits without look-alikes (0/O, 1/l/I): read aloud or copied from paper. */
const PASSWORD_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789';
function initialPassword(): string {
  const bytes = randomBytes(16);
  return [...bytes].map((b) => PASSWORD_ALPHABET[b % PASSWORD_ALPHABET.length]).join('');
}

/**
 * 导入组织与人员: reads the sheet, plans it against what exists in the caller's scope (pure
 * rules in libs/domain), and writes orgs, accounts and roles in one transaction with an audit
 * event for each — or, when any row is wrong, nothing, listing every error by row and column.
 * A dry run plans and answers without writing.
 */
@Injectable()
export class OrgImportService {
  constructor(
    private readonly db: DataSource,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly orgs: OrgsRepository,
    private readonly users: UsersRepository,
    private readonly roleGrants: RolesRepository,
    private readonly audit: AuditLog,
    private readonly hasher: PasswordHasher,
  ) {}

  async importOrgs(actor: Actor, file: Buffer, dryRun: boolean): Promise<OrgImportResult> {
    const rows = await readOrgSheet(file);
    const now = this.clock.now();
    const newUsers: OrgImportResult['newUsers'] = [];
    return this.db.transaction(async (m) => {
      const usernames = [
        ...new Set(rows.flatMap((r) => (r.cells.username ? [r.cells.username] : []))),
      ];
      const users = await this.users.byUsernames(m, usernames);
      const grants = await this.roleGrants.liveKeysOf(
        m,
        [...users.values()].map((u) => u.id),
      );
      const plan = planOrgImport(rows, {
        actor,
        orgs: await this.orgs.allInScope(m, actor),
        users,
        grants,
        newId: randomUUID,
      });
      if (plan.errors.length > 0) throw new ImportRejectedError(plan.errors);
      const result: OrgImportResult = {
        dryRun,
        orgsCreated: plan.orgs.length,
        orgsFound: plan.orgsFound,
        usersCreated: plan.users.length,
        rolesGranted: plan.grants.length,
        newUsers,
      };
      if (dryRun) return result;
      const zones = new Map<string, string>();
      for (const o of plan.orgs) {
        const timeZone =
          o.timeZone ??
          (o.parentId
            ? (zones.get(o.parentId) ?? (await this.orgs.timeZoneOf(m, o.parentId)))
            : DEFAULT_TIME_ZONE);
        zones.set(o.id, timeZone);
        await this.atRow(o.row, 'name', `同级已有名为“${o.name}”的组织`, () =>
          this.orgs.insert(m, { ...o, timeZone, at: now }),
        );
      }
      for (const u of plan.users) {
        const password = initialPassword();
        await this.atRow(u.row, 'username', `用户名“${u.username}”已被占用`, async () =>
          this.users.insert(m, {
            ...u,
            passwordHash: await this.hasher.hash(password),
            systemAdmin: false,
            at: now,
          }),
        );
        newUsers.push({
          id: u.id,
          username: u.username,
          displayName: u.displayName,
          initialPassword: password,
        });
      }
      for (const g of plan.grants) {
        await this.roleGrants.insert(m, {
          id: randomUUID(),
          userId: g.userId,
          orgId: g.orgId,
          role: g.role,
          grantedBy: actor.userId,
          at: now,
        });
      }
      await this.audit.append(m, [
        ...plan.orgs.map((o) => ({
          streamType: 'org' as const,
          streamId: o.id,
          at: now,
          actorId: actor.userId,
          type: 'org_created',
          data: { name: o.name, kind: o.kind, parentId: o.parentId, imported: true },
        })),
        ...plan.grants.map((g) => ({
          streamType: 'org' as const,
          streamId: g.orgId,
          at: now,
          actorId: actor.userId,
          type: 'role_granted',
          data: { userId: g.userId, role: g.role, imported: true },
        })),
      ]);
      return result;
    });
  }

  /** A write that can still collide with a concurrent change: a row error, not a 500. */
  private async atRow(
    row: number,
    key: OrgImportKey,
    message: string,
    write: () => Promise<void>,
  ): Promise<void> {
    try {
      await write();
    } catch (e) {
      if (isUniqueViolation(e)) {
        const header = ORG_IMPORT_COLUMNS.find((c) => c.key === key)!.header;
        throw new ImportRejectedError([{ row, field: header, message }]);
      }
      throw e;
    }
  }
}

/** The sheet's header row (within its first rows) mapped by Chinese header, and its data rows. */
async function readOrgSheet(bytes: Buffer): Promise<OrgImportRow[]> {
  let header: Map<number, OrgImportKey> | undefined;
  const rows: OrgImportRow[] = [];
  for await (const r of readSheetRows(bytes)) {
    if (!header) {
      if (r.row > HEADER_SEARCH_ROWS) break;
      const names = r.cells.map(normaliseHeader);
      if (!names.includes(NAME_HEADER)) continue;
      header = new Map();
      const missing: string[] = [];
      for (const c of ORG_IMPORT_COLUMNS) {
        const index = names.indexOf(c.header);
        if (index >= 0) header.set(index, c.key);
        else if (c.required) missing.push(c.header);
      }
      if (missing.length > 0) {
        throw new ImportRejectedError(
          missing.map((h) => ({ row: r.row, field: h, message: `表头缺少“${h}”列` })),
        );
      }
      continue;
    }
    if (r.cells.every((c) => c === '')) continue;
    if (rows.length === ORG_IMPORT_MAX_ROWS) throw new ImportTooLargeError(ORG_IMPORT_MAX_ROWS);
    const cells: OrgImportRow['cells'] = {};
    for (const [index, key] of header) {
      const text = r.cells[index] ?? '';
      if (text !== '') cells[key] = text;
    }
    rows.push({ row: r.row, cells });
  }
  if (!header) {
    throw new ImportRejectedError([
      {
        row: 1,
        field: NAME_HEADER,
        message: `前 ${HEADER_SEARCH_ROWS} 行中未找到表头；表头应包含：${ORG_IMPORT_COLUMNS.map((c) => c.header).join('、')}`,
      },
    ]);
  }
  if (rows.length === 0) {
    throw new ImportRejectedError([{ row: 2, field: NAME_HEADER, message: '表头下没有数据行' }]);
  }
  return rows;
}
