import type { INestApplication } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { Language, languageOf, localize } from '#duban/domain';

interface MessageBody {
  message: string;
  errors?: { message?: unknown }[];
  /** An import's per-row report. */
  rows?: { message?: unknown }[];
}

const localizeList = <T extends { message?: unknown }>(list: T[], language: Language): T[] =>
  list.map((e) =>
    typeof e?.message === 'string' ? { ...e, message: localize(e.message, language) } : e,
  );

const isMessageBody = (body: unknown): body is MessageBody =>
  typeof body === 'object' &&
  body !== null &&
  typeof (body as { message?: unknown }).message === 'string';

/**
 * An error body in one language. Messages are written `中文 — English` (messages.ts in the
 * domain kernel): zh-CN unless the request prefers English.
 */
export function localizeBody<T>(body: T, language: Language): T {
  if (!isMessageBody(body)) return body;
  return {
    ...body,
    message: localize(body.message, language),
    ...(Array.isArray(body.errors) ? { errors: localizeList(body.errors, language) } : {}),
    ...(Array.isArray(body.rows) ? { rows: localizeList(body.rows, language) } : {}),
  };
}

/**
 * Every error body the api sends (from the error filter or a middleware that answers early:
 * body parsing, input guard, 405, web app) is localized by `Accept-Language` on its way out.
 */
export function installErrorLanguage(app: INestApplication): void {
  app.use((req: Request, res: Response, next: NextFunction) => {
    const json = res.json.bind(res);
    res.json = (body?: unknown) => {
      if (res.statusCode < 400) return json(body);
      res.vary('Accept-Language');
      return json(localizeBody(body, languageOf(req.headers['accept-language'])));
    };
    next();
  });
}
