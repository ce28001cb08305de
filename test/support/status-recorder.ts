import type { INestApplication } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { appendFileSync, existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { languageOf } from '#duban/domain';

/**
 * The file the responses of this run are recorded in: DUBAN_RECORD_STATUSES, which the global
 * setup sets to one file per run under the system's temporary directory.
 */
export const recordFile = (): string | undefined => process.env.DUBAN_RECORD_STATUSES || undefined;

/** The default record file of a run. */
export const recordFileOfRun = (runId: string): string =>
  join(tmpdir(), `duban-responses-${runId}.ndjson`);

/** The OpenAPI document of the run, written beside the record by the first test app. */
export const documentFileOf = (file: string): string => `${file}.openapi.json`;

export interface RecordedStatus {
  method: string;
  path: string;
  status: number;
  /** For a 4xx: its body's `code` and `message`, as sent (undefined when the body is not JSON). */
  code?: unknown;
  message?: unknown;
  /** The request asked for English (Accept-Language: en): its 4xx body is English by design. */
  english?: boolean;
}

/**
 * Appends one JSON line `{method, path, status}` for every response the in-process api sends
 * (tests that spawn the compiled api are not recorded), with `code` and `message` of every 4xx
 * body. Lines are short appends, so the parallel test files of a run share the file.
 */
export function installStatusRecorder(app: INestApplication): void {
  const file = recordFile();
  if (!file) return;
  app.use((req: Request, res: Response, next: NextFunction) => {
    let body: unknown;
    const json = res.json.bind(res);
    res.json = (b?: unknown) => {
      body = b;
      return json(b);
    };
    res.on('finish', () => {
      const path = (req.originalUrl ?? req.url).split('?')[0];
      const record: RecordedStatus = { method: req.method, path, status: res.statusCode };
      if (res.statusCode >= 400 && res.statusCode < 500) {
        const b = (typeof body === 'object' && body !== null ? body : {}) as Record<
          string,
          unknown
        >;
        record.code = b.code;
        record.message = b.message;
        if (languageOf(req.headers['accept-language']) === 'en') record.english = true;
      }
      appendFileSync(file, `${JSON.stringify(record)}\n`);
    });
    next();
  });
}

/** Keeps the run's OpenAPI document beside the record (once per run; the first app writes it). */
export async function keepDocument(document: () => Promise<unknown>): Promise<void> {
  const file = recordFile();
  if (!file || existsSync(documentFileOf(file))) return;
  const partial = `${documentFileOf(file)}.${process.pid}`;
  writeFileSync(partial, JSON.stringify(await document()));
  renameSync(partial, documentFileOf(file));
}

export function readRecordedStatuses(file: string): RecordedStatus[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => {
      const r = JSON.parse(l) as RecordedStatus;
      return { ...r, method: r.method.toLowerCase() };
    });
}

/** From a request path to the document's path template it matches (the most literal one). */
export function templateMatcher(templates: string[]): (path: string) => string | undefined {
  const routes = templates
    .map((template) => ({
      template,
      params: (template.match(/\{[^}]+\}/g) ?? []).length,
      pattern: new RegExp(
        `^${template
          .split(/\{[^}]+\}/)
          .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
          .join('[^/]+')}/?$`,
      ),
    }))
    .sort((a, b) => a.params - b.params);
  return (path) => routes.find((r) => r.pattern.test(path))?.template;
}
