import { invalid } from '../kernel/errors';

/**
 * 季度进展反馈: one submission for the quarter carries the progress of the measures (整改措施)
 * and of the commitment items (践诺) together — never a second form. Each entry names its
 * measure or item once.
 */
export function validateQuarterlyFeedback(input: {
  measures: readonly { taskId: string }[];
  commitmentItems: readonly { commitmentId: string; itemId: string }[];
}): void {
  if (input.measures.length + input.commitmentItems.length === 0)
    throw invalid(
      'measures',
      'measures / commitmentItems：至少填报一项整改措施或承诺事项的进展',
      'required',
    );
  const tasks = new Set<string>();
  input.measures.forEach((e, i) => {
    if (tasks.has(e.taskId))
      throw invalid(
        `measures[${i}].taskId`,
        `measures[${i}].taskId：同一整改措施在一次反馈中只能填报一次`,
        'duplicate',
      );
    tasks.add(e.taskId);
  });
  const items = new Set<string>();
  input.commitmentItems.forEach((e, i) => {
    if (items.has(e.itemId))
      throw invalid(
        `commitmentItems[${i}].itemId`,
        `commitmentItems[${i}].itemId：同一承诺事项在一次反馈中只能填报一次`,
        'duplicate',
      );
    items.add(e.itemId);
  });
}
