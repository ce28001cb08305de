import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { EntityManager } from 'typeorm';
import type { CalendarOverride, LocalDate } from '#duban/domain';
import { returning } from '#duban/persistence';

/** An override as stored, with who set it last. */
export interface CalendarOverrideRecord {
  date: LocalDate;
  kind: 'workday' | 'holiday';
  note: string | null;
  updatedBy: string | null;
  updatedAt: string;
}

/** One date to set, as parsed from a request. */
export interface OverrideWrite {
  date: LocalDate;
  kind: 'workday' | 'holiday';
  note: string | null;
}

/** Every override in force, as the calendar is built from it, and what that content hashes to. */
export interface CalendarOverrides {
  national: CalendarOverride[];
  /** Each organisation's own overrides (民族自治地方 and the like), by org id. */
  byOrg: Map<string, CalendarOverride[]>;
  fingerprint: string;
}

interface OverrideRow {
  date: string;
  kind: 'workday' | 'holiday';
  note: string | null;
  updated_by: string | null;
  updated_at: Date;
}

interface OrgOverrideRow extends OverrideRow {
  org_id: string;
}

const ROW_COLUMNS = `to_char(date, 'YYYY-MM-DD') AS date, kind, note, updated_by, updated_at`;

/**
 * What the calendar's content hashes to: the national overrides, then every organisation's
 * (ordered by org id as PostgreSQL orders uuids, then date). The same text is hashed in SQL (to
 * ask cheaply whether anything changed) and here (for the rows just loaded, in the order the
 * query returned them), so the two must stay identical.
 */
const FINGERPRINT_SQL = `
  SELECT md5(
    (SELECT coalesce(string_agg(to_char(date, 'YYYY-MM-DD') || ':' || kind || ':' || coalesce(note, ''),
                                ',' ORDER BY date), '')
       FROM calendar_overrides)
    || '|' ||
    (SELECT coalesce(string_agg(org_id::text || '/' || to_char(date, 'YYYY-MM-DD') || ':' || kind || ':' ||
                                coalesce(note, ''), ',' ORDER BY org_id, date), '')
       FROM org_calendar_overrides)) AS fingerprint`;

function fingerprintOf(
  rows: readonly Pick<OverrideRow, 'date' | 'kind' | 'note'>[],
  orgRows: readonly Pick<OrgOverrideRow, 'org_id' | 'date' | 'kind' | 'note'>[],
): string {
  const national = rows.map((r) => `${r.date}:${r.kind}:${r.note ?? ''}`).join(',');
  const orgs = orgRows.map((r) => `${r.org_id}/${r.date}:${r.kind}:${r.note ?? ''}`).join(',');
  return createHash('md5').update(`${national}|${orgs}`).digest('hex');
}

function toOverride(r: Pick<OverrideRow, 'date' | 'kind' | 'note'>): CalendarOverride {
  return { date: r.date, kind: r.kind, ...(r.note ? { name: r.note } : {}) };
}

function toRecord(r: OverrideRow): CalendarOverrideRecord {
  return {
    date: r.date,
    kind: r.kind,
    note: r.note,
    updatedBy: r.updated_by,
    updatedAt: r.updated_at.toISOString(),
  };
}

/**
 * The only writer of `calendar_overrides` (national) and `org_calendar_overrides` (an
 * organisation's own, applying to its subtree).
 */
@Injectable()
export class CalendarRepository {
  /** What the overrides' content hashes to now: one cheap statement, to ask whether it changed. */
  async fingerprint(m: EntityManager): Promise<string | undefined> {
    const rows: { fingerprint: string }[] = await m.query(FINGERPRINT_SQL);
    return rows[0]?.fingerprint;
  }

  /** Every override, national and per org, with the fingerprint of what was read. */
  async loadAll(m: EntityManager): Promise<CalendarOverrides> {
    const rows: OverrideRow[] = await m.query(
      `SELECT ${ROW_COLUMNS} FROM calendar_overrides ORDER BY date`,
    );
    const orgRows: OrgOverrideRow[] = await m.query(
      `SELECT org_id, ${ROW_COLUMNS} FROM org_calendar_overrides ORDER BY org_id, date`,
    );
    const byOrg = new Map<string, CalendarOverride[]>();
    for (const r of orgRows) {
      const list = byOrg.get(r.org_id) ?? [];
      list.push(toOverride(r));
      byOrg.set(r.org_id, list);
    }
    return { national: rows.map(toOverride), byOrg, fingerprint: fingerprintOf(rows, orgRows) };
  }

  // --- national ------------------------------------------------------------------------------

  /** The national overrides, of one year or all, by date. */
  async listNational(m: EntityManager, year?: number): Promise<CalendarOverrideRecord[]> {
    const rows: OverrideRow[] =
      year === undefined
        ? await m.query(`SELECT ${ROW_COLUMNS} FROM calendar_overrides ORDER BY date`)
        : await m.query(
            `SELECT ${ROW_COLUMNS} FROM calendar_overrides
              WHERE date >= make_date($1, 1, 1) AND date < make_date($1 + 1, 1, 1)
              ORDER BY date`,
            [year],
          );
    return rows.map(toRecord);
  }

  /**
   * Sets national overrides (other dates stay as they are); returns what the dates held before
   * (locked first) and the rows written, by date.
   */
  async putNational(
    m: EntityManager,
    entries: readonly OverrideWrite[],
    updatedBy: string,
    at: Date,
  ): Promise<{ previous: CalendarOverrideRecord[]; written: CalendarOverrideRecord[] }> {
    const dates = entries.map((e) => e.date);
    const previous: OverrideRow[] = await m.query(
      `SELECT ${ROW_COLUMNS} FROM calendar_overrides WHERE date = ANY($1::date[]) FOR UPDATE`,
      [dates],
    );
    const written = await returning<OverrideRow>(
      m,
      `INSERT INTO calendar_overrides (date, kind, note, updated_by, updated_at)
       SELECT d, k, n, $4, $5 FROM unnest($1::date[], $2::text[], $3::text[]) AS x (d, k, n)
       ON CONFLICT (date) DO UPDATE
         SET kind = EXCLUDED.kind, note = EXCLUDED.note,
             updated_by = EXCLUDED.updated_by, updated_at = EXCLUDED.updated_at
       RETURNING ${ROW_COLUMNS}`,
      [dates, entries.map((e) => e.kind), entries.map((e) => e.note), updatedBy, at],
    );
    return { previous: previous.map(toRecord), written: byDate(written) };
  }

  /** Removes the national override of a date; returns what was removed (nothing if none). */
  async removeNational(m: EntityManager, date: LocalDate): Promise<CalendarOverrideRecord[]> {
    const rows = await returning<OverrideRow>(
      m,
      `DELETE FROM calendar_overrides WHERE date = $1::date RETURNING ${ROW_COLUMNS}`,
      [date],
    );
    return rows.map(toRecord);
  }

  // --- an organisation's own ------------------------------------------------------------------

  /** The org's id and path (ltree text), for the scope check; null when it does not exist. */
  async org(m: EntityManager, orgId: string): Promise<{ id: string; path: string } | null> {
    const rows: { id: string; path: string }[] = await m.query(
      `SELECT id, path::text AS path FROM orgs WHERE id = $1`,
      [orgId],
    );
    return rows[0] ?? null;
  }

  async listForOrg(
    m: EntityManager,
    orgId: string,
    year?: number,
  ): Promise<CalendarOverrideRecord[]> {
    const rows: OverrideRow[] = await m.query(
      `SELECT ${ROW_COLUMNS} FROM org_calendar_overrides
        WHERE org_id = $1 AND ($2::int IS NULL OR (date >= make_date($2, 1, 1) AND date < make_date($2 + 1, 1, 1)))
        ORDER BY date`,
      [orgId, year ?? null],
    );
    return rows.map(toRecord);
  }

  /** Sets an organisation's overrides (other dates stay as they are); returns the rows written, by date. */
  async putForOrg(
    m: EntityManager,
    orgId: string,
    entries: readonly OverrideWrite[],
    updatedBy: string,
    at: Date,
  ): Promise<CalendarOverrideRecord[]> {
    const rows = await returning<OverrideRow>(
      m,
      `INSERT INTO org_calendar_overrides (org_id, date, kind, note, updated_by, updated_at)
       SELECT $6, d, k, n, $4, $5 FROM unnest($1::date[], $2::text[], $3::text[]) AS x (d, k, n)
       ON CONFLICT (org_id, date) DO UPDATE
         SET kind = EXCLUDED.kind, note = EXCLUDED.note,
             updated_by = EXCLUDED.updated_by, updated_at = EXCLUDED.updated_at
       RETURNING ${ROW_COLUMNS}`,
      [
        entries.map((e) => e.date),
        entries.map((e) => e.kind),
        entries.map((e) => e.note),
        updatedBy,
        at,
        orgId,
      ],
    );
    return byDate(rows);
  }

  /** Removes an organisation's override of a date; returns what was removed (nothing if none). */
  async removeForOrg(
    m: EntityManager,
    orgId: string,
    date: LocalDate,
  ): Promise<CalendarOverrideRecord[]> {
    const rows = await returning<OverrideRow>(
      m,
      `DELETE FROM org_calendar_overrides WHERE org_id = $1 AND date = $2::date
       RETURNING ${ROW_COLUMNS}`,
      [orgId, date],
    );
    return rows.map(toRecord);
  }
}

function byDate(rows: OverrideRow[]): CalendarOverrideRecord[] {
  return rows.sort((a, b) => a.date.localeCompare(b.date)).map(toRecord);
}
