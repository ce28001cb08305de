import {
  ArgumentsHost,
  Catch,
  ExceptionFilter,
  HttpException,
  HttpStatus,
  Logger,
} from '@nestjs/common';
import type { Response } from 'express';
import { DomainError } from '#duban/domain';
import { OutageMonitor } from './outage';
import { databaseErrorBody } from './database-errors';

const STATUS_OF: Record<DomainError['kind'], number> = {
  invalid: HttpStatus.BAD_REQUEST,
  forbidden: HttpStatus.FORBIDDEN,
  not_found: HttpStatus.NOT_FOUND,
  conflict: HttpStatus.CONFLICT,
};

const REASON: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/** The stable `code` of an error that names none more precise, by status. */
const CODE_OF_STATUS: Record<number, string> = {
  400: 'validation_failed',
  401: 'unauthenticated',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  409: 'conflict',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  429: 'too_many_requests',
  500: 'internal_error',
  503: 'service_unavailable',
};

export interface ErrorBody {
  statusCode: number;
  error: string;
  message: string;
  /** Stable lower_snake_case name of the failure, for clients to branch on. */
  code: string;
  errors?: { field: string; message: string; code?: string }[];
}

export function errorBody(
  statusCode: number,
  message: string,
  extra: Partial<ErrorBody> = {},
): ErrorBody {
  return {
    statusCode,
    error: REASON[statusCode] ?? 'Error',
    message,
    code: CODE_OF_STATUS[statusCode] ?? 'error',
    ...extra,
  };
}

/** Seconds to wait, from an HttpException whose response object carries `retryAfter` (429). */
function retryAfterOf(exception: unknown): number | undefined {
  if (!(exception instanceof HttpException)) return undefined;
  const r = exception.getResponse() as { retryAfter?: unknown };
  return typeof r === 'object' && r !== null && typeof r.retryAfter === 'number'
    ? r.retryAfter
    : undefined;
}

/**
 * Every error leaves as `{statusCode, error, message}`; nothing unexpected leaks as a stack.
 * Messages are `中文 — English`; language.ts sends the one the request asks for.
 */
@Catch()
export class ErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('ErrorFilter');

  constructor(private readonly outage: OutageMonitor) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    // PostgreSQL or Redis unavailable: 503 + Retry-After, logged once per outage (outage.ts).
    const unavailable = this.outage.respond(exception, res);
    if (unavailable) {
      res.status(503).json(unavailable);
      return;
    }
    const body = this.toBody(exception);
    const retryAfter = retryAfterOf(exception);
    if (retryAfter !== undefined) res.setHeader('Retry-After', String(retryAfter));
    // A 503 is a known state (an outage, the login limiter without Redis), said in its body;
    // only an unexpected failure is logged with its stack.
    if (body.statusCode === 500) {
      this.logger.error(
        exception instanceof Error ? exception.message : String(exception),
        exception instanceof Error ? exception.stack : undefined,
      );
    }
    res.status(body.statusCode).json(body);
  }

  private toBody(exception: unknown): ErrorBody {
    if (exception instanceof DomainError) {
      const status = STATUS_OF[exception.kind];
      const code = exception.code;
      if (status === 400 && exception.errors?.length) {
        const errors = exception.errors.map((e) => ({ code, ...e }));
        return errorBody(status, exception.message, { code, errors });
      }
      return errorBody(
        status,
        exception.message,
        exception.field && status === 400
          ? { code, errors: [{ field: exception.field, message: exception.message, code }] }
          : { code },
      );
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const response = exception.getResponse();
      if (typeof response === 'string') return errorBody(status, response);
      // The router's own 404 for a path no route has: "Cannot GET /api/v1/x".
      const unrouted = /^Cannot ([A-Z]+) (.*)$/.exec(exception.message);
      if (status === 404 && unrouted)
        return errorBody(404, `没有这个接口：${unrouted[1]} ${unrouted[2]} — ${exception.message}`);
      const r = response as { message?: unknown; errors?: ErrorBody['errors']; code?: unknown };
      const message = Array.isArray(r.message)
        ? r.message.join('; ')
        : String(r.message ?? exception.message);
      return errorBody(status, message, {
        ...(typeof r.code === 'string' ? { code: r.code } : {}),
        ...(r.errors ? { errors: r.errors } : {}),
      });
    }
    // A PostgreSQL error that the input caused (unique, check, bad value…) is a 4xx.
    const database = databaseErrorBody(exception);
    if (database) {
      // Not a crash, but worth seeing: a check or a race the code did not catch earlier.
      this.logger.warn(`${database.code}: ${exception instanceof Error ? exception.message : ''}`);
      return database;
    }
    return errorBody(
      500,
      '服务器内部错误，已记录，请稍后重试 — internal error; the incident was logged',
    );
  }
}
