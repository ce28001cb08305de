import { Injectable } from '@nestjs/common';
import { JOB, OnJob } from '#duban/scheduling';
import { AUDIT_QUEUE, AuditAnchorService } from './anchor.service';

/** The periodic audit anchor (scheduled by the worker when it holds the signing key). */
@Injectable()
export class AnchorJobs {
  constructor(private readonly anchors: AuditAnchorService) {}

  /** Without a key (DUBAN_AUDIT_KEY_FILE) the job does nothing; the service warns once. */
  @OnJob(JOB.auditAnchor, {
    queue: AUDIT_QUEUE,
    options: { attempts: 1, removeOnComplete: { count: 100 }, removeOnFail: { count: 1000 } },
  })
  async anchor(): Promise<{ at: string; streams: number; root: string } | null> {
    const anchor = await this.anchors.anchor();
    return anchor && { at: anchor.at, streams: anchor.streams, root: anchor.root };
  }
}
