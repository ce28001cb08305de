import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import { DataSource, EntityManager } from 'typeorm';
import { CLOCK, type Clock, invalid, notFound } from '#duban/domain';
import type { ScopeOwner } from '#duban/persistence';
import { AttachmentStore, type ReceivedUpload } from './attachment-store';
import {
  type AttachmentPurpose,
  AttachmentsRepository,
  type AttachmentView,
  type TaskAttachmentView,
} from './attachments.repository';
import { sanitizeFileName } from './file-name';
import { ALLOWED_EVIDENCE_KINDS } from './sniff';

/** The most attachments one progress report or submission may carry. */
export const MAX_ATTACHMENTS_PER_COMMAND = 20;

/** The content is none of the kinds of evidence accepted; the api answers 415. */
export class UnsupportedContentError extends Error {
  constructor() {
    super(
      `文件内容不是可接受的佐证材料类型，可接受 ${ALLOWED_EVIDENCE_KINDS}（按文件内容判断，不看文件名） — ` +
        `file: its content is not an accepted kind of evidence; accepted are ${ALLOWED_EVIDENCE_KINDS} ` +
        '(the kind is read from the bytes, not from the file name)',
    );
    this.name = 'UnsupportedContentError';
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Evidence (佐证材料): uploaded files, and their links to progress reports and submissions. */
@Injectable()
export class EvidenceService {
  constructor(
    private readonly db: DataSource,
    private readonly store: AttachmentStore,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly attachments: AttachmentsRepository,
  ) {}

  /**
   * Keeps a received file as an attachment of the uploader: checks its kind from its bytes,
   * stores the content once per digest (in the same transaction as the record, with the
   * database store), and records this upload with its (sanitised) name.
   * The temporary file is gone afterwards, whatever the outcome.
   */
  async upload(
    uploader: ScopeOwner,
    upload: ReceivedUpload,
    fileName: string,
  ): Promise<AttachmentView> {
    try {
      if (upload.size === 0)
        throw invalid(
          'file',
          '文件是空的，请上传有内容的文件 — file: is empty; attach a file with content',
        );
      const contentType = await this.store.identify(upload);
      if (contentType === null) throw new UnsupportedContentError();
      const view: AttachmentView = {
        id: randomUUID(),
        sha256: upload.sha256,
        size: upload.size,
        contentType,
        fileName: sanitizeFileName(fileName),
        uploadedBy: uploader.userId,
        uploadedAt: this.clock.now().toISOString(),
      };
      // With the database store, the content commits (or not) together with its record; other
      // stores keep it first (an unreferenced copy left by a failed insert is harmless).
      if (!this.store.blobs.transactional) await this.store.keep(upload);
      await this.db.transaction(async (m) => {
        if (this.store.blobs.transactional) await this.store.keep(upload, m);
        await this.attachments.insert(m, view);
      });
      return view;
    } finally {
      await this.store.discard(upload);
    }
  }

  /** An attachment's metadata if the caller may see it; otherwise "not found", whether it exists or not. */
  async get(viewer: ScopeOwner, id: string): Promise<AttachmentView> {
    if (!UUID.test(id)) throw invalid('id', `编号须为 UUID — id must be a UUID, got "${id}"`);
    const attachment = await this.attachments.findVisible(this.db.manager, viewer, id);
    if (!attachment) {
      throw notFound(
        `附件不存在或不在你的范围内 — attachment ${id} does not exist or is outside your scope`,
      );
    }
    return attachment;
  }

  /**
   * The metadata and the content of an attachment the caller may see, checked against its
   * digest (EvidenceCorruptedError, EvidenceMissingError; see AttachmentStore.open).
   */
  async download(
    viewer: ScopeOwner,
    id: string,
  ): Promise<{ attachment: AttachmentView; content: Readable }> {
    const attachment = await this.get(viewer, id);
    return {
      attachment,
      content: await this.store.open({ sha256: attachment.sha256, size: attachment.size }),
    };
  }

  /**
   * Refuses, naming the first offending id, unless every id is an attachment that `actorId`
   * uploaded, or (given `taskId`) one already linked to that task. At most
   * MAX_ATTACHMENTS_PER_COMMAND distinct ids; repeats count once. Meant to run inside the
   * caller's transaction, before `link`.
   */
  async assertUsable(
    manager: EntityManager,
    actorId: string,
    attachmentIds: string[],
    taskId?: string,
  ): Promise<void> {
    const ids = distinctIds(attachmentIds);
    if (ids.length === 0) return;
    const usable = await this.attachments.usableIds(manager, actorId, ids, taskId ?? null);
    const bad = ids.find((id) => !usable.has(id));
    if (bad) {
      throw invalid(
        'attachmentIds',
        `附件不存在或不是你上传的 — attachmentIds: attachment ${bad} does not exist or was not uploaded by you; ` +
          'upload the file with POST /api/v1/attachments and use the id it returns',
      );
    }
  }

  /** Links attachments to a task inside the caller's transaction; links that exist are kept as they are. */
  async link(
    manager: EntityManager,
    taskId: string,
    attachmentIds: string[],
    actorId: string,
    purpose: AttachmentPurpose,
    at: Date,
  ): Promise<void> {
    const ids = distinctIds(attachmentIds);
    if (ids.length === 0) return;
    await this.attachments.link(manager, {
      taskId,
      attachmentIds: ids,
      linkedBy: actorId,
      purpose,
      at,
    });
  }

  /** The attachments linked to a task the caller may see, in the order they were linked. */
  async forTask(viewer: ScopeOwner, taskId: string): Promise<TaskAttachmentView[]> {
    if (!UUID.test(taskId))
      throw invalid('taskId', `任务编号须为 UUID — taskId must be a UUID, got "${taskId}"`);
    if (!(await this.attachments.taskVisible(this.db.manager, viewer, taskId)))
      throw notFound(
        `任务不存在或不在你的范围内 — task ${taskId} does not exist or is outside your scope`,
      );
    return this.attachments.linkedTo(this.db.manager, taskId);
  }
}

/** Lower-cased, repeats removed, each checked to be a UUID, at most MAX_ATTACHMENTS_PER_COMMAND. */
function distinctIds(attachmentIds: readonly string[]): string[] {
  const ids = [...new Set(attachmentIds.map((id) => String(id).toLowerCase()))];
  const malformed = ids.find((id) => !UUID.test(id));
  if (malformed !== undefined) {
    throw invalid(
      'attachmentIds',
      `附件编号须为 UUID — attachmentIds: "${malformed}" is not a UUID`,
    );
  }
  if (ids.length > MAX_ATTACHMENTS_PER_COMMAND) {
    throw invalid(
      'attachmentIds',
      `一次至多 ${MAX_ATTACHMENTS_PER_COMMAND} 个附件 — attachmentIds: at most ${MAX_ATTACHMENTS_PER_COMMAND} attachments at once, got ${ids.length}`,
    );
  }
  return ids;
}
