import { existsSync, readFileSync } from 'node:fs';
import {
  documentFileOf,
  readRecordedStatuses,
  RecordedStatus,
  templateMatcher,
} from './status-recorder';

const METHODS = ['get', 'put', 'post', 'delete', 'patch'];
const HAN = /[\u3400-\u9fff\uf900-\ufaff]/;

type Paths = Record<string, Record<string, { responses: Record<string, unknown> } | undefined>>;

export interface WalkResult {
  /** Responses recorded; 4xx bodies among them; responses matched to a documented operation. */
  responses: number;
  clientErrors: number;
  operations: number;
  /**
   * `METHOD path status code: message` of each 4xx body without a code or without Chinese
   * (requests that asked for English, Accept-Language: en, are checked for their code only).
   */
  badBodies: string[];
  /** `method template status` of each status not documented for its operation. */
  undocumented: string[];
  /** Why the documentation check was not made, if it was not. */
  skipped?: string;
}

/** Whether a 4xx body has a `code` and a message containing Chinese (or English, if asked). */
export function bodyProblem(r: RecordedStatus): string | undefined {
  const code = typeof r.code === 'string' && r.code ? r.code : undefined;
  const message = typeof r.message === 'string' ? r.message : undefined;
  if (code && message && (r.english || HAN.test(message))) return undefined;
  return `${r.method.toUpperCase()} ${r.path} ${r.status} ${code ?? '(no code)'}: ${
    message === undefined ? '(no message)' : message
  }`;
}

/**
 * Walks every response the e2e run recorded (test/support/status-recorder.ts): (a) each 4xx
 * body has a `code` and a message containing Chinese; (b) each status of a documented operation
 * is documented for it. Requests outside the document (web assets, /api/docs, unknown paths, a
 * method the path does not have: 405) and HEAD/OPTIONS are not operations and are left out of (b).
 */
export function walkRecordedResponses(file: string): WalkResult {
  const records = readRecordedStatuses(file);
  const badBodies = new Map<string, string>();
  const undocumented = new Set<string>();
  let clientErrors = 0;
  let operations = 0;
  const documentFile = documentFileOf(file);
  const paths = existsSync(documentFile)
    ? (JSON.parse(readFileSync(documentFile, 'utf8')) as { paths: Paths }).paths
    : undefined;
  const templateOf = paths ? templateMatcher(Object.keys(paths)) : undefined;
  for (const r of records) {
    if (r.status >= 400 && r.status < 500 && r.method !== 'head') {
      clientErrors++;
      const problem = bodyProblem(r);
      // One line per distinct body (ids in paths differ between runs of the same request).
      if (problem) badBodies.set(`${r.status} ${String(r.code)} ${String(r.message)}`, problem);
    }
    // 304 answers a conditional GET (ETag) of any cached operation: not an outcome to document.
    if (!paths || !templateOf || !METHODS.includes(r.method) || r.status === 304) continue;
    const template = templateOf(r.path);
    const operation = template ? paths[template][r.method] : undefined;
    if (!operation) continue;
    operations++;
    if (!operation.responses[String(r.status)])
      undocumented.add(`${r.method} ${template} ${r.status}`);
  }
  return {
    responses: records.length,
    clientErrors,
    operations,
    badBodies: [...badBodies.values()].sort(),
    undocumented: [...undocumented].sort(),
    ...(paths ? {} : { skipped: `no OpenAPI document at ${documentFile}` }),
  };
}

/** The report of a walk that found something, for the end of the jest run. */
export function walkReport(file: string, result: WalkResult): string | undefined {
  const parts: string[] = [];
  if (result.badBodies.length)
    parts.push(
      `${result.badBodies.length} 4xx bodies without a code or without Chinese in their message:`,
      ...result.badBodies.map((b) => `  - ${b}`),
    );
  if (result.undocumented.length)
    parts.push(
      `${result.undocumented.length} statuses not documented for their operation ` +
        '(apps/api/src/http/openapi-errors.ts):',
      ...result.undocumented.map((u) => `  - ${u}`),
    );
  if (!parts.length) return undefined;
  return [`The walk of the responses this run provoked (${file}) failed.`, ...parts].join('\n');
}
