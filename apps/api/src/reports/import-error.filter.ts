import { ArgumentsHost, Catch, ExceptionFilter } from '@nestjs/common';
import type { Response } from 'express';
import {
  DuplicateImportError,
  ImportFormatError,
  ImportRejectedError,
  ImportTooLargeError,
} from '#duban/rectification';
import { errorBody } from '../http/error.filter';

/**
 * The import's own answers: a 400 that lists every row error (`rows`), 413 for too many rows,
 * 415 for a file that is not a ledger. Everything else goes on to the global ErrorFilter.
 */
@Catch(ImportRejectedError, ImportTooLargeError, ImportFormatError, DuplicateImportError)
export class ImportErrorFilter implements ExceptionFilter {
  catch(
    exception: ImportRejectedError | ImportTooLargeError | ImportFormatError | DuplicateImportError,
    host: ArgumentsHost,
  ): void {
    const res = host.switchToHttp().getResponse<Response>();
    if (exception instanceof DuplicateImportError) {
      const e = exception.earlier;
      res.status(409).json({
        ...errorBody(409, exception.message, { code: exception.code }),
        earlierImport: { ...e, importedAt: e.importedAt.toISOString() },
      });
    } else if (exception instanceof ImportRejectedError) {
      res.status(400).json({ ...errorBody(400, exception.message), rows: exception.rows });
    } else if (exception instanceof ImportTooLargeError) {
      res.status(413).json(errorBody(413, exception.message));
    } else {
      res.status(415).json(errorBody(415, exception.message));
    }
  }
}
