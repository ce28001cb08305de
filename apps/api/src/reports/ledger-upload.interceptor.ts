import {
  BadRequestException,
  CallHandler,
  ExecutionContext,
  HttpException,
  Injectable,
  NestInterceptor,
  PayloadTooLargeException,
  UnsupportedMediaTypeException,
} from '@nestjs/common';
import type { Request, RequestHandler, Response } from 'express';
import multer from 'multer';
import { Observable } from 'rxjs';

/** The multipart field that carries the ledger file. */
export const LEDGER_FILE_FIELD = 'file';

/** A ledger of 5,000 rows is well under 2 MiB as xlsx and about 3 MiB as csv. */
export const LEDGER_MAX_BYTES = 10 * 1024 * 1024;

/** Fields a ledger upload may carry beside the file (they may also go in the query). */
const FIELDS = ['raisedByOrgId', 'dryRun'];

/**
 * Receives an uploaded ledger into memory before the handler runs: one file of at most
 * LEDGER_MAX_BYTES in the field `file`, plus the import's options as text fields. Multer's and
 * busboy's errors become 400/413/415 saying what was wrong.
 */
@Injectable()
export class LedgerUploadInterceptor implements NestInterceptor {
  private readonly receive: RequestHandler = multer({
    storage: multer.memoryStorage(),
    defParamCharset: 'utf8',
    limits: {
      fileSize: LEDGER_MAX_BYTES,
      files: 1,
      fields: FIELDS.length,
      parts: FIELDS.length + 1,
      fieldSize: 1024,
      headerPairs: 20,
    },
  }).single(LEDGER_FILE_FIELD);

  async intercept(context: ExecutionContext, next: CallHandler): Promise<Observable<unknown>> {
    const http = context.switchToHttp();
    const req = http.getRequest<Request>();
    await new Promise<void>((resolve, reject) =>
      this.receive(req, http.getResponse<Response>(), (err?: unknown) =>
        err ? reject(toHttpError(err)) : resolve(),
      ),
    );
    return next.handle();
  }
}

function toHttpError(err: unknown): unknown {
  if (err instanceof multer.MulterError) {
    switch (err.code) {
      case 'LIMIT_FILE_SIZE':
        return new PayloadTooLargeException(
          `台账文件超过 ${LEDGER_MAX_BYTES / (1024 * 1024)} MiB 的上限，请拆分后上传 — ` +
            `${LEDGER_FILE_FIELD}: larger than the limit of ${LEDGER_MAX_BYTES / (1024 * 1024)} MiB; split the ledger`,
        );
      case 'LIMIT_UNEXPECTED_FILE':
      case 'LIMIT_FILE_COUNT':
      case 'LIMIT_FIELD_COUNT':
      case 'LIMIT_PART_COUNT':
        return new BadRequestException(
          `请只上传一个台账文件，放在字段“${LEDGER_FILE_FIELD}”中 — ` +
            `${LEDGER_FILE_FIELD}: send exactly one file, in the multipart field "${LEDGER_FILE_FIELD}", ` +
            `and no fields but ${FIELDS.join(', ')}`,
        );
      default:
        return new BadRequestException(`上传的内容有误 — body: ${err.message}`);
    }
  }
  if (err instanceof HttpException || !(err instanceof Error)) return err;
  if (err.message.startsWith('Unsupported content type')) {
    return new UnsupportedMediaTypeException(
      `请以 multipart/form-data 上传台账，放在字段“${LEDGER_FILE_FIELD}”中 — body: send the ledger as multipart/form-data, in the field "${LEDGER_FILE_FIELD}"`,
    );
  }
  if (/^(Multipart|Malformed|Unexpected end|Missing Content-Type)/.test(err.message)) {
    return new BadRequestException(
      `上传的内容格式不正确（multipart/form-data） — body: malformed multipart/form-data (${err.message})`,
    );
  }
  if (/^Request (aborted|closed)/.test(err.message)) {
    return new BadRequestException(
      `上传未完整到达，请重新上传 — body: the upload did not arrive whole (${err.message})`,
    );
  }
  return err;
}
