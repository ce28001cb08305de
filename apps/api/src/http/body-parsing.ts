import type { NextFunction, Request, Response } from 'express';
import { json, urlencoded } from 'express';
import type { INestApplication } from '@nestjs/common';
import { errorBody } from './error.filter';
import { inputGuard } from './input-guard';

/** A 400 about the body as a whole: `errors[]` names `body`. */
function bodyError(message: string) {
  return errorBody(400, message, { errors: [{ field: 'body', code: 'invalid_body', message }] });
}

/**
 * Body parsing with its own error handler right behind it: a malformed JSON body is a 400
 * and an oversized one a 413, each saying so, instead of Express's HTML error page.
 */
export function installBodyParsing(app: INestApplication, limit: string): void {
  app.use(json({ limit }));
  app.use(urlencoded({ extended: false, limit }));
  // Every JSON body of this API is an object; an array or a bare value is refused up front.
  app.use((req: Request, res: Response, next: NextFunction) => {
    const body: unknown = req.body;
    if (
      req.is('application/json') &&
      body !== undefined &&
      (typeof body !== 'object' || body === null || Array.isArray(body))
    ) {
      res.status(400).json(bodyError('请求内容须为 JSON 对象 — body: must be a JSON object'));
    } else {
      next();
    }
  });
  // No lone surrogate or NUL in any text (PostgreSQL cannot store either), named by field.
  app.use(inputGuard);
  app.use((err: unknown, _req: Request, res: Response, next: NextFunction) => {
    const e = err as { type?: string; status?: number };
    if (e?.type === 'entity.parse.failed') {
      res
        .status(400)
        .json(
          bodyError(
            '请求内容不是有效的 JSON，请发送 JSON 对象 — body: malformed JSON; send a valid JSON object',
          ),
        );
    } else if (e?.type === 'entity.too.large') {
      res
        .status(413)
        .json(
          errorBody(413, `请求内容超过 ${limit} 的上限 — body: larger than the limit of ${limit}`),
        );
    } else if (e?.type === 'encoding.unsupported' || e?.type === 'charset.unsupported') {
      res
        .status(415)
        .json(
          errorBody(
            415,
            '请求内容的编码不受支持，请以 UTF-8 发送 JSON — body: unsupported encoding; send UTF-8 JSON',
          ),
        );
    } else if (typeof e?.status === 'number' && e.status >= 400 && e.status < 500) {
      res.status(e.status).json(errorBody(e.status, '无法读取请求内容 — body: could not be read'));
    } else {
      next(err);
    }
  });
}
