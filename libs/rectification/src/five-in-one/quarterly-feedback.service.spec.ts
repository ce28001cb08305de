import { type Actor, conflict, DomainError, notFound } from '#duban/domain';
import type { TasksService } from '../tasks/tasks.service';
import type { CommitmentsService } from './commitments.service';
import { QuarterlyFeedbackService } from './quarterly-feedback.service';

const actor: Actor = { userId: 'u', systemAdmin: false, grants: [] };

/** In-memory stand-ins recording what the one submission asked of each single call. */
function world(refuse: Record<string, DomainError> = {}) {
  const calls: string[] = [];
  const tasks = {
    transition: async (_a: Actor, taskId: string, command: { action: string }) => {
      calls.push(`${command.action} ${taskId}`);
      if (refuse[taskId]) throw refuse[taskId];
      return {};
    },
  } as unknown as TasksService;
  const commitments = {
    progress: async (_a: Actor, commitmentId: string, itemId: string) => {
      calls.push(`progress ${commitmentId}/${itemId}`);
      if (refuse[itemId]) throw refuse[itemId];
      return {};
    },
  } as unknown as CommitmentsService;
  return { calls, service: new QuarterlyFeedbackService(tasks, commitments) };
}

describe('季度进展反馈: one submission, each entry recorded as its single call', () => {
  it('records measures and commitment items through their own rules, in order', async () => {
    const { calls, service } = world();
    const results = await service.submit(actor, {
      measures: [{ taskId: 't1', content: '甲' }],
      commitmentItems: [
        { commitmentId: 'c', itemId: 'i1', content: '乙' },
        { commitmentId: 'c', itemId: 'i2', content: '丙' },
      ],
    });
    expect(calls).toEqual(['reportProgress t1', 'progress c/i1', 'progress c/i2']);
    expect(results.map((r) => [r.kind, r.id, r.ok])).toEqual([
      ['measure', 't1', true],
      ['commitment_item', 'i1', true],
      ['commitment_item', 'i2', true],
    ]);
  });

  it('a refused entry says why and does not hold back the others', async () => {
    const { calls, service } = world({
      t1: conflict('not accepted yet', 'state', 'invalid_state'),
      i1: notFound('no such item', 'item_not_found'),
    });
    const results = await service.submit(actor, {
      measures: [
        { taskId: 't1', content: '甲' },
        { taskId: 't2', content: '乙' },
      ],
      commitmentItems: [{ commitmentId: 'c', itemId: 'i1', content: '丙' }],
    });
    expect(calls).toHaveLength(3);
    expect(results.map((r) => (r.ok ? 'ok' : r.error.code))).toEqual([
      'invalid_state',
      'ok',
      'item_not_found',
    ]);
  });

  it('refuses an empty submission before calling anything; other failures are not swallowed', async () => {
    const { calls, service } = world();
    await expect(service.submit(actor, {})).rejects.toMatchObject({ field: 'measures' });
    expect(calls).toEqual([]);
    const broken = new QuarterlyFeedbackService(
      {
        transition: async () => {
          throw new Error('database gone');
        },
      } as unknown as TasksService,
      {} as CommitmentsService,
    );
    await expect(
      broken.submit(actor, { measures: [{ taskId: 't', content: 'x' }] }),
    ).rejects.toThrow('database gone');
  });
});
