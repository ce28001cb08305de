import { Inject, Injectable } from '@nestjs/common';
import ExcelJS from 'exceljs';
import type { Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { DataSource } from 'typeorm';
import {
  Actor,
  CLOCK,
  type Clock,
  DEFAULT_TIME_ZONE,
  type Light,
  localDateOf,
  type TaskState,
} from '#duban/domain';
import { OrgsRepository } from '#duban/identity';
import type { CategoryCatalog } from '../catalog/catalog';
import { CATEGORY_CATALOG } from '../problems/problems.service';
import { TasksService } from '../tasks/tasks.service';
import { csvLine, UTF8_BOM } from './csv';
import { LedgerRepository, type LedgerRow, type LedgerSelection } from './ledger.repository';
import {
  LEDGER_COLUMNS,
  LEDGER_HEADERS,
  numFmtOf,
  ledgerCells,
  type LedgerColumn,
  type LedgerRecord,
  ledgerTextCells,
} from './ledger-columns';
import { columnLetter, dateStylesOnly, ledgerRowXml, sheetXmlWriter } from './ledger-xlsx-rows';

export const LEDGER_FORMATS = ['xlsx', 'csv'] as const;
export type LedgerFormat = (typeof LEDGER_FORMATS)[number];

export interface LedgerQuery {
  /** The responsible org and everything below it; the caller's whole scope when absent. */
  orgId?: string;
  format: LedgerFormat;
  state?: TaskState;
  light?: Light;
  category?: string;
  campaign?: string;
  overdue?: boolean;
}

/** A ledger ready to stream: the scope has been checked, nothing has been read yet. */
export interface LedgerExport {
  fileName: string;
  contentType: string;
  /**
   * Streams every row into `out` and ends it. Stops early (without error) when `out` is
   * closed by the client. Rejects on a database or stream error; `out` is then incomplete.
   */
  writeTo(out: Writable): Promise<void>;
}

const CONTENT_TYPES: Record<LedgerFormat, string> = {
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  csv: 'text/csv; charset=utf-8',
};

/**
 * The ledger (台账) as a file, one row per measure. Rows come from LedgerRepository's cursor in a
 * read-only REPEATABLE READ transaction (one consistent snapshot, one sort, never all rows in
 * memory) and go out as they arrive: xlsx through exceljs's streaming writer, CSV line by line.
 * Between batches it waits for the client to take what was sent, so a slow download holds
 * about one batch in memory, not the ledger.
 */
@Injectable()
export class LedgerService {
  constructor(
    private readonly db: DataSource,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(CATEGORY_CATALOG) private readonly catalog: CategoryCatalog,
    private readonly tasks: TasksService,
    private readonly ledger: LedgerRepository,
    private readonly orgs: OrgsRepository,
  ) {}

  async prepare(actor: Actor, query: LedgerQuery): Promise<LedgerExport> {
    const now = this.clock.now();
    let orgName = '全部';
    let timeZone = DEFAULT_TIME_ZONE;
    if (query.orgId) {
      const org = await this.tasks.orgInScope(this.db.manager, actor, query.orgId, 'orgId');
      orgName = await this.orgs.nameOf(this.db.manager, org.id);
      timeZone = org.time_zone;
    }
    const today = localDateOf(now, timeZone);
    const fileName = `台账-${orgName.replace(/[\\/:*?"<>|\s]+/g, '_')}-${today}.${query.format}`;
    const title = `${orgName}整改台账（${today}导出）`;
    const selection = this.ledger.select(actor, query, now);
    return {
      fileName,
      contentType: CONTENT_TYPES[query.format],
      writeTo: (out) =>
        query.format === 'xlsx'
          ? this.writeXlsx(out, selection, now, title)
          : this.writeCsv(out, selection),
    };
  }

  private toRecord(r: LedgerRow): LedgerRecord {
    return {
      problemTitle: r.title,
      problemDescription: r.description,
      categoryName: this.catalog.nameOf(r.category),
      severity: r.severity,
      source: r.source,
      campaign: r.campaign,
      orgName: r.org_name,
      raisingOrgName: r.raising_org_name,
      measure: r.measure,
      mode: r.mode,
      responsibleOrgName: r.responsible_org_name,
      responsibleName: r.responsible_name,
      leaderName: r.leader_name,
      dueDate: r.due_date,
      // A dueDate deadline is the last millisecond of its day; anything else was an exact dueAt.
      dueTime: r.due_time === null || r.due_time === END_OF_DAY ? null : r.due_time.slice(0, 5),
      state: r.state,
      light: r.light,
      escalationLevel: r.escalation_level,
      escalationName: r.escalation_name,
      closedOn: r.closed_on,
      negativeListed: r.negative_listed,
    };
  }

  private async writeCsv(out: Writable, selection: LedgerSelection): Promise<void> {
    let seq = 0;
    if (!(await write(out, UTF8_BOM + csvLine(LEDGER_HEADERS)))) return;
    await this.ledger.eachBatch(selection, async (rows) => {
      let chunk = '';
      for (const r of rows) chunk += csvLine(ledgerTextCells(this.toRecord(r), ++seq));
      return write(out, chunk);
    });
    if (isOpen(out)) await new Promise<void>((resolve) => out.end(resolve));
  }

  private async writeXlsx(
    out: Writable,
    selection: LedgerSelection,
    now: Date,
    title: string,
  ): Promise<void> {
    const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({
      stream: out,
      // Inline strings: a shared-string table would grow with the ledger and be written last.
      useSharedStrings: false,
      // Styles cost a third of the time per cell; only the date columns need one (a numFmt),
      // which dateStylesOnly gives them without paying for the others.
      useStyles: false,
    });
    const styleIdOf = dateStylesOnly(workbook);
    // The document properties carry the export's instant from the injected clock.
    workbook.created = now;
    workbook.modified = now;
    workbook.creator = '督办 Duban';
    workbook.lastModifiedBy = '督办 Duban';
    const lastColumn = columnLetter(LEDGER_COLUMNS.length);
    const sheet = workbook.addWorksheet('台账', {
      // Row 1 is the title, row 2 the header: both stay in view, the header carries the filter.
      views: [{ state: 'frozen', ySplit: LEDGER_HEADER_ROW }],
      pageSetup: {
        paperSize: 9, // A4
        orientation: 'landscape',
        fitToPage: true,
        fitToWidth: 1,
        fitToHeight: 0,
        printTitlesRow: `${LEDGER_HEADER_ROW}:${LEDGER_HEADER_ROW}`,
        margins: { left: 0.4, right: 0.4, top: 0.6, bottom: 0.6, header: 0.3, footer: 0.3 },
      },
    });
    sheet.autoFilter = `A${LEDGER_HEADER_ROW}:${lastColumn}${LEDGER_HEADER_ROW}`;
    const columns = LEDGER_COLUMNS as readonly LedgerColumn[];
    sheet.columns = columns.map((c) => {
      const numFmt = numFmtOf(c);
      return { key: c.key, width: c.width, ...(numFmt ? { style: { numFmt } } : {}) };
    });
    sheet.addRow([title]).commit();
    sheet.addRow([...LEDGER_HEADERS]).commit();
    // The data rows go straight into the sheet's stream, as exceljs would write them.
    const styleIds = columns.map((c) => {
      const numFmt = numFmtOf(c);
      return numFmt ? styleIdOf(numFmt) : undefined;
    });
    const sheetXml = sheetXmlWriter(sheet);
    let seq = 0;
    let complete = true;
    await this.ledger.eachBatch(selection, async (rows) => {
      let xml = '';
      for (const r of rows) {
        seq += 1;
        xml += ledgerRowXml(LEDGER_HEADER_ROW + seq, ledgerCells(this.toRecord(r), seq), styleIds);
      }
      sheetXml(xml);
      complete = await xlsxCaughtUp(sheet, out);
      return complete;
    });
    if (!complete) return;
    sheet.commit();
    await workbook.commit();
  }
}

/** The xlsx ledger's header row (row 1 is the title naming the org and the date). */
export const LEDGER_HEADER_ROW = 2;

/** How to_char writes the deadline of a dueDate (the end of the local day). */
const END_OF_DAY = '23:59:59.999';

/** Uncompressed sheet XML allowed to wait for the zip compressor before rows stop coming. */
const XLSX_BACKLOG_BYTES = 1024 * 1024;

interface StreamState {
  length?: number;
}
/** What exceljs 4's streaming worksheet keeps its XML in until the zip compressor reads it. */
interface SheetStreamInternals {
  buffers?: { length: number }[];
  pipes?: { _writableState?: StreamState; _readableState?: StreamState }[];
}

/**
 * Bytes of sheet XML written but not yet taken by the compressor. exceljs's streaming writer
 * neither reports this nor applies backpressure (its buffer stream ignores write results), so
 * without this wait rows pile up in memory as fast as the database delivers them while the
 * compressor, and behind it the client, fall behind.
 */
function xlsxBacklog(sheet: ExcelJS.Worksheet): number {
  const stream = (sheet as unknown as { stream?: SheetStreamInternals }).stream;
  const buffered = (stream?.buffers ?? []).reduce((n, b) => n + b.length, 0);
  const piped = (stream?.pipes ?? []).reduce(
    (n, p) => n + (p._writableState?.length ?? 0) + (p._readableState?.length ?? 0),
    0,
  );
  return buffered + piped;
}

/** Resolves once the compressor has caught up with the sheet (true), or `out` closed (false). */
async function xlsxCaughtUp(sheet: ExcelJS.Worksheet, out: Writable): Promise<boolean> {
  while (isOpen(out) && xlsxBacklog(sheet) > XLSX_BACKLOG_BYTES) await sleep(2);
  return isOpen(out);
}

function isOpen(out: Writable): boolean {
  return !out.destroyed && !out.writableEnded;
}

/** Resolves once `out` can take more (true), or has closed (false). */
function drained(out: Writable): Promise<boolean> {
  if (!isOpen(out)) return Promise.resolve(false);
  if (!out.writableNeedDrain) return Promise.resolve(true);
  return new Promise((resolve) => {
    const settle = (ok: boolean) => () => {
      out.off('drain', onDrain);
      out.off('close', onClose);
      out.off('error', onClose);
      resolve(ok);
    };
    const onDrain = settle(true);
    const onClose = settle(false);
    out.on('drain', onDrain);
    out.on('close', onClose);
    out.on('error', onClose);
  });
}

async function write(out: Writable, chunk: string): Promise<boolean> {
  if (!isOpen(out)) return false;
  out.write(chunk);
  return drained(out);
}
