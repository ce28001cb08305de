import {
  Controller,
  Get,
  InternalServerErrorException,
  Logger,
  Param,
  Post,
  Res,
  StreamableFile,
  UnsupportedMediaTypeException,
  UploadedFile,
  UseInterceptors,
} from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiBody,
  ApiConsumes,
  ApiOperation,
  ApiProduces,
  ApiResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { Response } from 'express';
import type { Actor } from '#duban/domain';
import {
  contentDisposition,
  EVIDENCE_CONTENT_TYPES,
  EvidenceCorruptedError,
  EvidenceMissingError,
  EvidenceService,
  UnsupportedContentError,
} from '#duban/evidence';
import { invalid } from '#duban/domain';
import { CurrentActor } from '../auth/decorators';
import { errorBody } from '../http/error.filter';
import { uuidParam } from '../http/uuid.pipe';
import {
  ATTACHMENT_FIELD,
  AttachmentUploadInterceptor,
  type UploadedAttachment,
} from './attachment-upload.interceptor';
import { AttachmentResponse, AttachmentUploadRequest } from './attachments.dto';

const NOT_VISIBLE =
  'Not found, or not visible: only the uploader sees an attachment until it is linked to a ' +
  'task, then everyone who sees that task';

@ApiTags('attachments')
@ApiBearerAuth()
@ApiResponse({ status: 400, description: 'A field is missing or invalid; the message names it' })
@ApiResponse({ status: 401, description: 'No valid token' })
@Controller('api/v1/attachments')
export class AttachmentsController {
  private readonly logger = new Logger('Attachments');

  constructor(private readonly evidence: EvidenceService) {}

  @Post()
  @UseInterceptors(AttachmentUploadInterceptor)
  @ApiOperation({
    summary: 'Upload evidence (佐证材料)',
    description:
      'Multipart field `file`. The kind is detected from the bytes; identical content is stored ' +
      'once. The attachment is visible to the uploader until a progress report or submission ' +
      'links it to a task.',
  })
  @ApiConsumes('multipart/form-data')
  @ApiBody({ type: AttachmentUploadRequest })
  @ApiResponse({ status: 201, type: AttachmentResponse })
  @ApiResponse({ status: 413, description: 'Larger than DUBAN_ATTACHMENT_MAX_BYTES' })
  @ApiResponse({ status: 415, description: 'Not an accepted kind of file; the message lists them' })
  async upload(
    @CurrentActor() actor: Actor,
    @UploadedFile() file: UploadedAttachment | undefined,
  ): Promise<AttachmentResponse> {
    if (!file) {
      throw invalid(
        ATTACHMENT_FIELD,
        `请上传文件（multipart/form-data，字段“${ATTACHMENT_FIELD}”） — ${ATTACHMENT_FIELD}: missing; send the file as multipart/form-data in the field "${ATTACHMENT_FIELD}"`,
      );
    }
    try {
      return await this.evidence.upload(actor, file.upload, file.originalname);
    } catch (e) {
      if (e instanceof UnsupportedContentError) throw new UnsupportedMediaTypeException(e.message);
      throw e;
    }
  }

  @Get(':id')
  @ApiOperation({ summary: 'Download an attachment (always as a download, never inline)' })
  // The type detected from the bytes at upload (sniff.ts), not a generic octet-stream.
  @ApiProduces(...Object.values(EVIDENCE_CONTENT_TYPES))
  @ApiResponse({
    status: 200,
    description:
      'The bytes, with the Content-Type detected at upload, Content-Length, Content-Disposition and X-Content-SHA256',
    schema: { type: 'string', format: 'binary' },
  })
  @ApiResponse({ status: 404, description: NOT_VISIBLE })
  @ApiResponse({
    status: 500,
    description:
      'The stored content does not match its SHA-256 (code evidence_corrupted) or is missing ' +
      '(code evidence_missing); the file is refused rather than delivered wrong',
  })
  async download(
    @CurrentActor() actor: Actor,
    @Param('id', uuidParam('id')) id: string,
    @Res({ passthrough: true }) res: Response,
  ): Promise<StreamableFile> {
    let download;
    try {
      download = await this.evidence.download(actor, id);
    } catch (e) {
      throw this.storeFailure(e);
    }
    const { attachment, content } = download;
    res.setHeader('X-Content-SHA256', attachment.sha256);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Cache-Control', 'private, no-cache');
    const file = new StreamableFile(content, {
      type: attachment.contentType,
      length: attachment.size,
      disposition: contentDisposition(attachment.fileName),
    });
    // Content found altered while it is being sent (files over 20 MiB are checked as they go):
    // the response is cut off, so the client sees a failed download, never a complete wrong file.
    file.setErrorHandler((err) => {
      this.logger.error(`download of attachment ${id} failed: ${err.message}`);
      if (res.headersSent) {
        res.destroy();
        return;
      }
      // Failed before the first byte went out (a one-chunk file is held back whole).
      const code = err instanceof EvidenceCorruptedError ? 'evidence_corrupted' : 'internal_error';
      res.removeHeader('Content-Disposition');
      res.removeHeader('Content-Length');
      res.status(500).json(errorBody(500, err.message, { code }));
    });
    return file;
  }

  /** Evidence that cannot be delivered as stored: 500 with a code saying why (the filter logs it). */
  private storeFailure(e: unknown): unknown {
    if (e instanceof EvidenceCorruptedError) {
      return new InternalServerErrorException({ message: e.message, code: 'evidence_corrupted' });
    }
    if (e instanceof EvidenceMissingError) {
      return new InternalServerErrorException({ message: e.message, code: 'evidence_missing' });
    }
    return e;
  }

  @Get(':id/meta')
  @ApiOperation({ summary: 'The metadata of an attachment' })
  @ApiResponse({ status: 200, type: AttachmentResponse })
  @ApiResponse({ status: 404, description: NOT_VISIBLE })
  meta(
    @CurrentActor() actor: Actor,
    @Param('id', uuidParam('id')) id: string,
  ): Promise<AttachmentResponse> {
    return this.evidence.get(actor, id);
  }
}
