import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { scopeCondition, scopeParams, type ScopeOwner } from '#duban/persistence';

export const ATTACHMENT_PURPOSES = ['progress', 'submission'] as const;
/** Why an attachment is linked to a task: a progress report or the completion submission. */
export type AttachmentPurpose = (typeof ATTACHMENT_PURPOSES)[number];

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

/** A digest the attachments cite, with the size they recorded and up to three file names. */
export interface ReferencedContent {
  sha256: string;
  size: number;
  names: string[];
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

/** Digests `referencedPage` reads at a time. */
export const REFERENCED_PAGE = 500;

/**
 * Every statement about evidence records (佐证材料); the only writer of `attachments` and
 * `task_attachments`. The content itself is the blob store's.
 */
@Injectable()
export class AttachmentsRepository {
  async insert(m: EntityManager, a: AttachmentView): Promise<void> {
    await m.query(
      `INSERT INTO attachments (id, sha256, size, content_type, file_name, uploaded_by, uploaded_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [a.id, a.sha256, a.size, a.contentType, a.fileName, a.uploadedBy, a.uploadedAt],
    );
  }

  /** The attachment if `viewer` may see it (see ATTACHMENT_VISIBLE), else null. */
  async findVisible(
    m: EntityManager,
    viewer: ScopeOwner,
    id: string,
  ): Promise<AttachmentView | null> {
    const rows: AttachmentRow[] = await m.query(
      `SELECT a.* FROM attachments a WHERE a.id = $1 AND ${ATTACHMENT_VISIBLE}`,
      [id, viewer.userId, ...scopeParams(viewer)],
    );
    return rows.length === 0 ? null : toView(rows[0]);
  }

  /**
   * Of `ids`, those `actorId` may cite: uploaded by them, or (given `taskId`) linked to that
   * task already.
   */
  async usableIds(
    m: EntityManager,
    actorId: string,
    ids: readonly string[],
    taskId: string | null,
  ): Promise<Set<string>> {
    const rows: { id: string }[] = await m.query(
      `SELECT a.id FROM attachments a
        WHERE a.id = ANY($1::uuid[])
          AND (a.uploaded_by = $2::uuid OR EXISTS (
            SELECT 1 FROM task_attachments ta WHERE ta.attachment_id = a.id AND ta.task_id = $3::uuid))`,
      [[...ids], actorId, taskId],
    );
    return new Set(rows.map((r) => r.id));
  }

  /** Links that exist already are kept as they are. */
  async link(
    m: EntityManager,
    l: {
      taskId: string;
      attachmentIds: readonly string[];
      linkedBy: string;
      purpose: AttachmentPurpose;
      at: Date;
    },
  ): Promise<void> {
    await m.query(
      `INSERT INTO task_attachments (task_id, attachment_id, linked_by, linked_at, purpose)
       SELECT $1, attachment_id, $3, $4, $5 FROM unnest($2::uuid[]) AS attachment_id
       ON CONFLICT (task_id, attachment_id) DO NOTHING`,
      [l.taskId, [...l.attachmentIds], l.linkedBy, l.at, l.purpose],
    );
  }

  /** Whether `viewer` sees the task (its responsible org or the org that raised it). */
  async taskVisible(m: EntityManager, viewer: ScopeOwner, taskId: string): Promise<boolean> {
    const tasks: unknown[] = await m.query(
      `SELECT 1 FROM tasks t WHERE t.id = $1 AND ${taskInScope('$2', '$3')}`,
      [taskId, ...scopeParams(viewer)],
    );
    return tasks.length > 0;
  }

  /** The attachments linked to a task, in the order they were linked. */
  async linkedTo(m: EntityManager, taskId: string): Promise<TaskAttachmentView[]> {
    const rows: (AttachmentRow & {
      purpose: AttachmentPurpose;
      linked_by: string;
      linked_at: Date;
    })[] = await m.query(
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

  /** Distinct digests the attachments cite after `after`, in order, REFERENCED_PAGE at most. */
  async referencedPage(m: EntityManager, after: string): Promise<ReferencedContent[]> {
    const rows: { sha256: string; size: string; names: string[] }[] = await m.query(
      `SELECT sha256, min(size) AS size, (array_agg(file_name ORDER BY uploaded_at, id))[1:3] AS names
         FROM attachments WHERE sha256 > $1 GROUP BY sha256 ORDER BY sha256 LIMIT ${REFERENCED_PAGE}`,
      [after],
    );
    return rows.map((r) => ({ sha256: r.sha256, size: Number(r.size), names: r.names }));
  }
}
