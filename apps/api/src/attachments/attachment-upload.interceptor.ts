import {
  BadRequestException,
  CallHandler,
  ExecutionContext,
  HttpException,
  Inject,
  Injectable,
  NestInterceptor,
  PayloadTooLargeException,
  UnsupportedMediaTypeException,
} from '@nestjs/common';
import type { Request, RequestHandler, Response } from 'express';
import multer from 'multer';
import { finalize, Observable } from 'rxjs';
import { APP_CONFIG, type AppConfig } from '#duban/config';
import { AttachmentStore, type ReceivedUpload } from '#duban/evidence';

/** The multipart field that carries the file. */
export const ATTACHMENT_FIELD = 'file';

/** What the route handler gets from `@UploadedFile()`: multer's description plus the received file. */
export interface UploadedAttachment extends Express.Multer.File {
  upload: ReceivedUpload;
}

/** A multer storage engine that hands each file to the AttachmentStore's temporary area. */
class ReceivingStorage implements multer.StorageEngine {
  constructor(private readonly store: AttachmentStore) {}

  _handleFile(
    _req: Request,
    file: Express.Multer.File,
    callback: (error?: unknown, info?: Partial<UploadedAttachment>) => void,
  ): void {
    this.store.receive(file.stream).then(
      (upload) => callback(null, { path: upload.tempPath, size: upload.size, upload }),
      (e: unknown) => callback(e),
    );
  }

  _removeFile(
    _req: Request,
    file: Partial<UploadedAttachment>,
    callback: (error: Error | null) => void,
  ): void {
    const tempPath = file.upload?.tempPath ?? file.path;
    if (!tempPath) return callback(null);
    this.store.discard({ tempPath }).then(() => callback(null), callback);
  }
}

function formatBytes(n: number): string {
  if (n >= 1024 * 1024 && n % (1024 * 1024) === 0) return `${n / (1024 * 1024)} MiB`;
  if (n >= 1024 && n % 1024 === 0) return `${n / 1024} KiB`;
  return `${n} bytes`;
}

/**
 * Receives the one file of an attachment upload before the handler runs: streamed to a
 * temporary file (never whole in memory), at most DUBAN_ATTACHMENT_MAX_BYTES, names decoded
 * as UTF-8 (multer's default is latin1, which garbles Chinese names). Whatever the handler
 * does not keep is removed when it is done. Multer's and busboy's errors become 400/413/415
 * saying what was wrong.
 */
@Injectable()
export class AttachmentUploadInterceptor implements NestInterceptor {
  private readonly receive: RequestHandler;
  private readonly maxBytes: number;

  constructor(
    private readonly store: AttachmentStore,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.maxBytes = config.DUBAN_ATTACHMENT_MAX_BYTES;
    this.receive = multer({
      storage: new ReceivingStorage(store),
      defParamCharset: 'utf8',
      limits: { fileSize: this.maxBytes, files: 1, fields: 0, parts: 1, headerPairs: 20 },
    }).single(ATTACHMENT_FIELD);
  }

  async intercept(context: ExecutionContext, next: CallHandler): Promise<Observable<unknown>> {
    const http = context.switchToHttp();
    const req = http.getRequest<Request>();
    await new Promise<void>((resolve, reject) =>
      this.receive(req, http.getResponse<Response>(), (err?: unknown) =>
        err ? reject(this.toHttpError(err)) : resolve(),
      ),
    );
    const file = req.file as Partial<UploadedAttachment> | undefined;
    return next.handle().pipe(
      finalize(() => {
        if (file?.upload) void this.store.discard(file.upload);
      }),
    );
  }

  private toHttpError(err: unknown): unknown {
    if (err instanceof multer.MulterError) {
      switch (err.code) {
        case 'LIMIT_FILE_SIZE':
          return new PayloadTooLargeException(
            `文件超过 ${formatBytes(this.maxBytes)} 的上限 — ` +
              `${ATTACHMENT_FIELD}: larger than the limit of ${formatBytes(this.maxBytes)} ` +
              `(${this.maxBytes} bytes)`,
          );
        case 'LIMIT_UNEXPECTED_FILE':
        case 'LIMIT_FILE_COUNT':
        case 'LIMIT_FIELD_COUNT':
        case 'LIMIT_PART_COUNT':
          return new BadRequestException(
            `请只上传一个文件，放在字段“${ATTACHMENT_FIELD}”中，不带其他字段 — ` +
              `${ATTACHMENT_FIELD}: send exactly one file, in the multipart field "${ATTACHMENT_FIELD}", ` +
              'and no other fields',
          );
        default:
          return new BadRequestException(`上传的内容有误 — body: ${err.message}`);
      }
    }
    if (err instanceof HttpException || !(err instanceof Error)) return err;
    // busboy reports malformed bodies as plain errors without a code; file system errors have one.
    if ((err as NodeJS.ErrnoException).code === undefined) {
      if (err.message.startsWith('Unsupported content type')) {
        return new UnsupportedMediaTypeException(
          `请以 multipart/form-data 上传文件，放在字段“${ATTACHMENT_FIELD}”中 — body: send the file as multipart/form-data, in the field "${ATTACHMENT_FIELD}"`,
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
    }
    return err;
  }
}
