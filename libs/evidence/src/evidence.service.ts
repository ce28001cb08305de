import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import { DataSource, EntityManager } from 'typeorm';
import { CLOCK, type Clock, invalid, notFound } from '#duban/domain';
import { scopeCondition, scopeParams, type ScopeOwner } from '#duban/persistence';
import { AttachmentStore, type ReceivedUpload } from './attachment-store';
import { sanitizeFileName } from './file-name';
import { ALLOWED_EVIDENCE_KINDS } from './sniff';

export const ATTACHMENT_PURPOSES = ['progress', 'submission'] as const;
/** Why an attachment is linked to a task: a progress report or the completion submission. */
export type AttachmentPurpose = (typeof ATTACHMENT_PURPOSES)[number];

/** The most attachments one progress report or submission may carry. */
export const MAX_ATTACHMENTS_PER_COMMAND = 20;

export interface AttachmentView {
  id: string;
  sha256: string;
  size: number;
  contentType: string;
  fileName: string;
  uploadedBy: string;
  uploadedAt: string;
}

export interface TaskAttachmentView extends AttachmentView {
  purpose: AttachmentPurpose;
  linkedBy: string;
  linkedAt: string;
}

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

interface AttachmentRow {
  id: string;
  sha256: string;
  size: string;
  content_type: string;
  file_name: string;
  uploaded_by: string;
  uploaded_at: Date;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function toView(r: AttachmentRow): AttachmentView {
  return {
    id: r.id,
    sha256: r.sha256,
    size: Number(r.size),
    contentType: r.content_type,
    fileName: r.file_name,
    uploadedBy: r.uploaded_by,
    uploadedAt: r.uploaded_at.toISOString(),
  };
}

/** A task is in scope for whoever sees its responsible org or the org that raised it. */
const taskInScope = (pathsParam: string, adminParam: string) =>
  `(${scopeCondition('t.responsible_org_path', pathsParam, adminParam)}
    OR ${scopeCondition('t.raising_org_path', pathsParam, adminParam)})`;

/**
 * Who may see an attachment ($2 the caller's id, $3 and $4 their scopeParams): its uploader,
 * and once it is linked to a task, everyone who may see one of those tasks.
 */
const ATTACHMENT_VISIBLE = `(a.uploaded_by = $2::uuid OR EXISTS (
  SELECT 1 FROM task_attachments ta JOIN tasks t ON t.id = ta.task_id
   WHERE ta.attachment_id = a.id AND ${taskInScope('$3', '$4')}))`;

/** Evidence (佐证材料): uploaded files, and their links to progress reports and submissions. */
@Injectable()
export class EvidenceService {
  constructor(
    private readonly db: DataSource,
    private readonly store: AttachmentStore,
    @Inject(CLOCK) private readonly clock: Clock,
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
        await m.query(
          `INSERT INTO attachments (id, sha256, size, content_type, file_name, uploaded_by, uploaded_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7)`,
          [
            view.id,
            view.sha256,
            view.size,
            view.contentType,
            view.fileName,
            view.uploadedBy,
            view.uploadedAt,
          ],
        );
      });
      return view;
    } finally {
      await this.store.discard(upload);
    }
  }

  /** An attachment's metadata if the caller may see it; otherwise "not found", whether it exists or not. */
  async get(viewer: ScopeOwner, id: string): Promise<AttachmentView> {
    if (!UUID.test(id)) throw invalid('id', `编号须为 UUID — id must be a UUID, got "${id}"`);
    const rows: AttachmentRow[] = await this.db.query(
      `SELECT a.* FROM attachments a WHERE a.id = $1 AND ${ATTACHMENT_VISIBLE}`,
      [id, viewer.userId, ...scopeParams(viewer)],
    );
    if (rows.length === 0) {
      throw notFound(
        `附件不存在或不在你的范围内 — attachment ${id} does not exist or is outside your scope`,
      );
    }
    return toView(rows[0]);
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
    const rows: { id: string }[] = await manager.query(
      `SELECT a.id FROM attachments a
        WHERE a.id = ANY($1::uuid[])
          AND (a.uploaded_by = $2::uuid OR EXISTS (
            SELECT 1 FROM task_attachments ta WHERE ta.attachment_id = a.id AND ta.task_id = $3::uuid))`,
      [ids, actorId, taskId ?? null],
    );
    const usable = new Set(rows.map((r) => r.id));
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
    await manager.query(
      `INSERT INTO task_attachments (task_id, attachment_id, linked_by, linked_at, purpose)
       SELECT $1, attachment_id, $3, $4, $5 FROM unnest($2::uuid[]) AS attachment_id
       ON CONFLICT (task_id, attachment_id) DO NOTHING`,
      [taskId, ids, actorId, at, purpose],
    );
  }

  /** The attachments linked to a task the caller may see, in the order they were linked. */
  async forTask(viewer: ScopeOwner, taskId: string): Promise<TaskAttachmentView[]> {
    if (!UUID.test(taskId))
      throw invalid('taskId', `任务编号须为 UUID — taskId must be a UUID, got "${taskId}"`);
    const tasks: unknown[] = await this.db.query(
      `SELECT 1 FROM tasks t WHERE t.id = $1 AND ${taskInScope('$2', '$3')}`,
      [taskId, ...scopeParams(viewer)],
    );
    if (tasks.length === 0)
      throw notFound(
        `任务不存在或不在你的范围内 — task ${taskId} does not exist or is outside your scope`,
      );
    const rows: (AttachmentRow & {
      purpose: AttachmentPurpose;
      linked_by: string;
      linked_at: Date;
    })[] = await this.db.query(
      `SELECT a.*, ta.purpose, ta.linked_by, ta.linked_at
         FROM task_attachments ta JOIN attachments a ON a.id = ta.attachment_id
        WHERE ta.task_id = $1
        ORDER BY ta.linked_at, a.uploaded_at, a.id`,
      [taskId],
    );
    return rows.map((r) => ({
      ...toView(r),
      purpose: r.purpose,
      linkedBy: r.linked_by,
      linkedAt: r.linked_at.toISOString(),
    }));
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
