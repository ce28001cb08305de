import type { INestApplication } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { appendFileSync, existsSync, readFileSync } from 'node:fs';

/** The file the statuses of this run are recorded in, if recording is on. */
export const recordFile = (): string | undefined => process.env.DUBAN_RECORD_STATUSES || undefined;

/**
 * With DUBAN_RECORD_STATUSES=<file>, appends `METHOD path status` for every response the
 * in-process api sends (tests that spawn the compiled api are not recorded). Lines are short
 * appends, so the parallel test files of a run can share the file.
 */
export function installStatusRecorder(app: INestApplication): void {
  const file = recordFile();
  if (!file) return;
  app.use((req: Request, res: Response, next: NextFunction) => {
    res.on('finish', () => {
      const path = (req.originalUrl ?? req.url).split('?')[0];
      appendFileSync(file, `${req.method} ${path} ${res.statusCode}\n`);
    });
    next();
  });
}

export interface RecordedStatus {
  method: string;
  path: string;
  status: number;
}

export function readRecordedStatuses(file: string): RecordedStatus[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => {
      const [method, path, status] = l.split(' ');
      return { method: method.toLowerCase(), path, status: Number(status) };
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
