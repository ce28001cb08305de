import { ApiProperty } from '@nestjs/swagger';
import { EVIDENCE_CONTENT_TYPES } from '#duban/evidence';

/** The multipart body of an upload, for the OpenAPI document. */
export class AttachmentUploadRequest {
  @ApiProperty({
    type: 'string',
    format: 'binary',
    description:
      'The file. Its kind is read from its bytes: PDF, PNG, JPEG, GIF, WebP, docx/xlsx/pptx, ' +
      'doc/xls/ppt, OFD or UTF-8 text. At most DUBAN_ATTACHMENT_MAX_BYTES (20 MiB by default).',
  })
  file!: unknown;
}

export class AttachmentResponse {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ pattern: '^[0-9a-f]{64}$', description: 'SHA-256 of the content, hex' })
  sha256!: string;
  @ApiProperty({ description: 'Bytes' }) size!: number;
  @ApiProperty({
    enum: Object.values(EVIDENCE_CONTENT_TYPES),
    description: 'Detected from the bytes, not taken from the client',
  })
  contentType!: string;
  @ApiProperty({ example: '整改报告.pdf', description: 'The uploaded name, sanitised' })
  fileName!: string;
  @ApiProperty({ format: 'uuid' }) uploadedBy!: string;
  @ApiProperty({ format: 'date-time' }) uploadedAt!: string;
}
