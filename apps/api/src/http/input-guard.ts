import { ArgumentMetadata, BadRequestException, Injectable, PipeTransform } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import type { Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { type BadText, findBadText, joinMessages, nestingDepth } from '#duban/domain';
import { errorBody, type ErrorBody } from './error.filter';

const WHAT: Record<BadText['problem'], string> = {
  lone_surrogate: '含有无效的 Unicode 字符（孤立的 UTF-16 代理项）',
  nul: '含有 NUL（\\u0000）字符',
};

/** The 400 for text that is not acceptable: `errors[]` names each field, code invalid_text. */
export function invalidTextBody(bad: readonly BadText[]): ErrorBody {
  const errors = bad.map((b) => ({
    field: b.field,
    code: 'invalid_text',
    message: `${b.field}：文本${WHAT[b.problem]}，请删除后重试`,
  }));
  return errorBody(400, joinMessages(errors.map((e) => e.message)), {
    code: 'invalid_text',
    errors,
  });
}

/** A 400 about one field, with `errors[]` as every 400 has. */
function oneField400(field: string, code: string, message: string): ErrorBody {
  return errorBody(400, message, { code, errors: [{ field, code, message }] });
}

/** Deeper JSON than any request of this API has is refused before anything walks it. */
export const MAX_BODY_DEPTH = 32;

/** Each path segment must be valid percent-encoded UTF-8 (Express would fail decoding it). */
function badPathSegment(path: string): boolean {
  for (const segment of path.split('/')) {
    try {
      decodeURIComponent(segment);
    } catch {
      return true;
    }
  }
  return false;
}

/**
 * Runs right after body parsing, before routing, guards and handlers: a query string, a path or
 * a JSON / form body with a lone surrogate or NUL anywhere is a 400 naming the field.
 */
export function inputGuard(req: Request, res: Response, next: NextFunction): void {
  if (badPathSegment(req.path)) {
    res
      .status(400)
      .json(oneField400('path', 'invalid_path', 'path：路径含有无效的百分号编码（应为 UTF-8）'));
    return;
  }
  const path = findBadText(req.path.split('/'), 'path');
  if (path.length > 0) {
    res.status(400).json(invalidTextBody(path.map((p) => ({ ...p, field: 'path' }))));
    return;
  }
  const query = findBadText(req.query);
  if (query.length > 0) {
    res.status(400).json(invalidTextBody(query));
    return;
  }
  const body: unknown = req.body;
  if (body !== null && typeof body === 'object') {
    if (nestingDepth(body, MAX_BODY_DEPTH + 1) > MAX_BODY_DEPTH) {
      res
        .status(400)
        .json(oneField400('body', 'body_too_deep', `body：JSON 嵌套超过 ${MAX_BODY_DEPTH} 层`));
      return;
    }
    const bad = findBadText(body);
    if (bad.length > 0) {
      res.status(400).json(invalidTextBody(bad));
      return;
    }
  }
  next();
}

/**
 * The same rule for what reaches a handler by other ways (multipart fields parsed by an
 * interceptor, path parameters): runs before the validation pipe on every @Body, @Query and @Param.
 */
@Injectable()
export class TextGuardPipe implements PipeTransform {
  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    if (metadata.type === 'custom') return value;
    const bad = findBadText(value, metadata.type === 'param' ? (metadata.data ?? '') : '');
    if (bad.length > 0) throw new BadRequestException(invalidTextBody(bad));
    return value;
  }
}

/**
 * What Node's HTTP parser refuses before any of our code runs (headers too large, a malformed
 * request line, NUL or control characters in a header) gets a JSON error body too, instead of
 * a bare status line.
 */
export function installClientErrorResponses(server: Server): void {
  server.on('clientError', (err: Error & { code?: string }, socket: Duplex) => {
    if (err.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const tooLarge = err.code === 'HPE_HEADER_OVERFLOW';
    const status = tooLarge ? 431 : 400;
    const reason = tooLarge ? 'Request Header Fields Too Large' : 'Bad Request';
    const body = JSON.stringify(
      tooLarge
        ? errorBody(431, 'headers：请求头或 URL 过长', { error: reason, code: 'headers_too_large' })
        : oneField400(
            'request',
            'malformed_request',
            'request：HTTP 请求格式不正确（请求行或请求头无效）',
          ),
    );
    socket.end(
      `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  });
}
