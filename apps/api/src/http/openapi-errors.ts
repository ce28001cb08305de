import type { OpenAPIObject } from '@nestjs/swagger';

/** The name of the one error schema component every 4xx/5xx response refers to. */
export const ERROR_BODY_SCHEMA = 'ErrorBody';

/** The security scheme DocumentBuilder.addBearerAuth() registers. */
const BEARER = 'bearer';

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace'];

/** Operations that need no bearer token (marked @Public() in their controllers). */
export const PUBLIC_OPERATIONS: readonly (readonly [method: string, path: string])[] = [
  ['post', '/api/v1/auth/login'],
  ['get', '/health'],
  ['get', '/metrics'],
  ['get', '/api/v1/calendar-feeds/{token}.ics'],
];

const DESCRIPTION: Record<string, string> = {
  '400': 'Invalid input (validation_failed); `errors` names each field and its problem',
  '401': 'No valid bearer token (unauthenticated)',
  '403': 'Not allowed for this user (forbidden)',
  '404': 'Not found, or not in your scope (not_found)',
  '409': 'Conflicts with the current state (conflict)',
  '413': 'Body larger than DUBAN_BODY_LIMIT (payload_too_large)',
  '415': 'Body not in a supported type or encoding (unsupported_media_type)',
  '429': 'Too many attempts; wait for Retry-After seconds (too_many_requests)',
  '503': 'PostgreSQL or Redis unavailable; retry after Retry-After seconds (service_unavailable)',
};

/** `{statusCode, error, message, code, errors?}`, the body of every error (error.filter.ts). */
const ERROR_BODY = {
  type: 'object',
  required: ['statusCode', 'error', 'message', 'code'],
  properties: {
    statusCode: { type: 'integer', minimum: 400, maximum: 599, example: 400 },
    error: { type: 'string', example: 'Bad Request' },
    message: { type: 'string', example: '输入无效' },
    code: {
      type: 'string',
      pattern: '^[a-z][a-z0-9_]*$',
      description: 'Stable lower_snake_case name of the failure, for clients to branch on',
      example: 'validation_failed',
    },
    errors: {
      type: 'array',
      description: 'On a 400: each invalid field and its problem',
      items: {
        type: 'object',
        required: ['field', 'message'],
        properties: {
          field: { type: 'string', example: 'title' },
          code: { type: 'string', example: 'validation_failed' },
          message: { type: 'string' },
        },
      },
    },
  },
};

const isErrorBody = (schema: unknown) =>
  (schema as { $ref?: string } | undefined)?.$ref === `#/components/schemas/${ERROR_BODY_SCHEMA}`;

const isPublic = (method: string, path: string) =>
  PUBLIC_OPERATIONS.some(([m, p]) => m === method && p === path);

/** The statuses an operation can return besides its own, by what it is (see the file comment). */
function commonStatuses(method: string, path: string): string[] {
  const open = isPublic(method, path);
  const statuses = ['400'];
  if (!open) statuses.push('401', '403');
  if (/\{[^}]+\}/.test(path)) statuses.push('404');
  if (['post', 'put', 'patch', 'delete'].includes(method) && !open) statuses.push('409');
  // The body parser answers every request with a body: too large, or not UTF-8.
  if (['post', 'put', 'patch'].includes(method)) statuses.push('413', '415');
  if (method === 'post' && path === '/api/v1/auth/login') statuses.push('429');
  statuses.push('503');
  return statuses;
}

/**
 * Makes the generated document tell the truth about errors, once, for every operation:
 * - one `ErrorBody` schema component, and every 4xx/5xx response has it as application/json
 *   (so a generated client types errors instead of `never`);
 * - every operation lists the statuses every operation can return: 400 (validation), 401 and 403
 *   (all but the public ones), 404 where the path has parameters, 409 for writes, 413 and 415
 *   where there is a body, 429 for login, 503 (outage);
 * - `security` (bearer) on every operation but the public ones, which say `security: []`;
 * - `servers` is set.
 * Mutates and returns the document.
 */
export function completeErrorResponses(document: OpenAPIObject): OpenAPIObject {
  document.components ??= {};
  document.components.schemas ??= {};
  document.components.schemas[ERROR_BODY_SCHEMA] = ERROR_BODY as never;
  if (!document.servers?.length) document.servers = [{ url: '/' }];
  const ref = { $ref: `#/components/schemas/${ERROR_BODY_SCHEMA}` };

  for (const [path, item] of Object.entries(document.paths)) {
    for (const method of HTTP_METHODS) {
      const operation = (item as Record<string, unknown>)[method] as
        | {
            responses?: Record<string, { description?: string; content?: Record<string, unknown> }>;
            security?: Record<string, string[]>[];
          }
        | undefined;
      if (!operation) continue;
      operation.security = isPublic(method, path) ? [] : [{ [BEARER]: [] }];
      const responses = (operation.responses ??= {});
      for (const status of commonStatuses(method, path)) {
        responses[status] ??= { description: DESCRIPTION[status] ?? 'Error' };
      }
      for (const [status, response] of Object.entries(responses)) {
        if (!/^[45]/.test(status)) continue;
        response.description ??= DESCRIPTION[status] ?? 'Error';
        const own = (response.content?.['application/json'] as { schema?: unknown } | undefined)
          ?.schema;
        // The error filter's body, in JSON whatever the operation produces on success; an
        // operation's own 4xx body (the imports' `rows`, `earlierImport`) extends it, and an own
        // 5xx body is kept as it is (/health's 503 is its report, not an error body).
        // A response object several operations share (a class-level decorator) is done once.
        const done = isErrorBody(own) || isErrorBody((own as { allOf?: unknown[] })?.allOf?.[0]);
        const schema = !own ? ref : done || !status.startsWith('4') ? own : { allOf: [ref, own] };
        response.content = { 'application/json': { schema } };
      }
    }
  }
  return document;
}
