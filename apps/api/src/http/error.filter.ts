import {
  ArgumentsHost,
  Catch,
  ExceptionFilter,
  HttpException,
  HttpStatus,
  Logger,
} from '@nestjs/common';
import type { Response } from 'express';
import { DomainError } from '#duban/identity';
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

/** Every error leaves as `{statusCode, error, message}`; nothing unexpected leaks as a stack. */
@Catch()
export class ErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('ErrorFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    const body = this.toBody(exception);
    if (body.statusCode >= 500) {
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
        return errorBody(status, exception.message, { code, errors: [...exception.errors] });
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
    return errorBody(500, 'internal error; the incident was logged');
  }
}
