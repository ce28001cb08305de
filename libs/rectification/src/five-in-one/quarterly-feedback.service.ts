import { Injectable } from '@nestjs/common';
import { type Actor, DomainError, validateQuarterlyFeedback } from '#duban/domain';
import { TasksService } from '../tasks/tasks.service';
import { CommitmentsService } from './commitments.service';

export interface QuarterlyFeedbackInput {
  measures?: { taskId: string; content: string; percent?: number; attachmentIds?: string[] }[];
  commitmentItems?: {
    commitmentId: string;
    itemId: string;
    content: string;
    attachmentIds?: string[];
  }[];
}

/** One entry of a quarterly feedback: recorded, or refused as the single call would refuse it. */
export type QuarterlyFeedbackEntryResult =
  | { kind: 'measure' | 'commitment_item'; id: string; ok: true }
  | { kind: 'measure' | 'commitment_item'; id: string; ok: false; error: DomainError };

/**
 * 季度进展反馈: a unit's one submission for the quarter, carrying the progress of its measures
 * and of its commitment items (践诺) together. Each entry is checked and recorded on its own,
 * exactly as the single calls (POST /tasks/{id}/progress, POST
 * /commitments/{id}/items/{itemId}/progress) would, so the rules stay in one place; a refused
 * entry says why and does not hold back the others.
 */
@Injectable()
export class QuarterlyFeedbackService {
  constructor(
    private readonly tasks: TasksService,
    private readonly commitments: CommitmentsService,
  ) {}

  async submit(
    actor: Actor,
    input: QuarterlyFeedbackInput,
  ): Promise<QuarterlyFeedbackEntryResult[]> {
    const measures = input.measures ?? [];
    const items = input.commitmentItems ?? [];
    validateQuarterlyFeedback({ measures, commitmentItems: items });
    const results: QuarterlyFeedbackEntryResult[] = [];
    const record = async (
      kind: 'measure' | 'commitment_item',
      id: string,
      run: () => Promise<unknown>,
    ) => {
      try {
        await run();
        results.push({ kind, id, ok: true });
      } catch (e) {
        if (!(e instanceof DomainError)) throw e;
        results.push({ kind, id, ok: false, error: e });
      }
    };
    for (const m of measures)
      await record('measure', m.taskId, () =>
        this.tasks.transition(actor, m.taskId, {
          action: 'reportProgress',
          input: { content: m.content, percent: m.percent, attachmentIds: m.attachmentIds },
        }),
      );
    for (const i of items)
      await record('commitment_item', i.itemId, () =>
        this.commitments.progress(actor, i.commitmentId, i.itemId, {
          content: i.content,
          attachmentIds: i.attachmentIds,
        }),
      );
    return results;
  }
}
