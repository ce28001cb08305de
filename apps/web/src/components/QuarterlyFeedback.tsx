import { useState, type FormEvent } from 'react';
import { call, client } from '../api';
import { Link } from '../router';
import type { Commitment, CommitmentItem, QuarterlyFeedbackEntry, Task } from '../types';
import { TaskTable } from './TaskTable';
import { ErrorBox } from './ui';

/**
 * A commitment item owing this quarter's progress (践诺): an item of a published commitment, with
 * the ids the feedback names it by. Built by the workspace from GET /commitments.
 */
export type CommitmentItemDue = Pick<CommitmentItem, 'title' | 'target' | 'dueDate'> & {
  commitmentId: Commitment['id'];
  itemId: CommitmentItem['id'];
  orgName: Commitment['orgName'];
};

/**
 * 季度进展反馈: the one form of the quarter. It lists the measures that owe a report and the
 * published commitment items (践诺) the unit reports on, and sends them in one submission
 * (POST /quarterly-feedback); lines left empty are not sent.
 */
export function QuarterlyFeedbackForm({
  quarter,
  measures,
  items,
  onDone,
}: {
  quarter: string;
  measures: Task[];
  items: CommitmentItemDue[];
  /** After a submission, with how many entries were recorded. */
  onDone: (recorded: number) => void;
}) {
  const [text, setText] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [outcome, setOutcome] = useState<{
    recorded: number;
    refused: QuarterlyFeedbackEntry[];
  } | null>(null);
  const filled = (id: string) => (text[id] ?? '').trim();
  const nameOf = (r: QuarterlyFeedbackEntry) =>
    r.kind === 'measure'
      ? (measures.find((t) => t.id === r.id)?.measure ?? r.id)
      : (items.find((i) => i.itemId === r.id)?.title ?? r.id);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setError(null);
    setOutcome(null);
    const body = {
      measures: measures
        .filter((t) => filled(t.id))
        .map((t) => ({ taskId: t.id, content: filled(t.id) })),
      commitmentItems: items
        .filter((i) => filled(i.itemId))
        .map((i) => ({
          commitmentId: i.commitmentId,
          itemId: i.itemId,
          content: filled(i.itemId),
        })),
    };
    if (body.measures.length + body.commitmentItems.length === 0) {
      setError(new Error('请至少填写一项整改措施或承诺事项的本季度进展'));
      return;
    }
    setBusy(true);
    try {
      const res = await call(client.POST('/api/v1/quarterly-feedback', { body }));
      const refused = res.results.filter((r) => !r.ok);
      setOutcome({ recorded: res.recorded, refused });
      // What was refused stays in its field, to be corrected; the rest is done.
      setText(Object.fromEntries(refused.map((r) => [r.id, text[r.id] ?? ''])));
      onDone(res.recorded);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  const field = (id: string, label: string) => (
    <textarea
      aria-label={label}
      placeholder="本季度进展"
      rows={2}
      value={text[id] ?? ''}
      onChange={(e) => setText({ ...text, [id]: e.target.value })}
    />
  );

  return (
    <form className="quarterly-feedback" onSubmit={submit} aria-label="季度进展反馈">
      <p className="muted">
        {quarter}的整改措施进展和承诺践诺进展在此一次填报、一并提交；未填写的事项不提交。
        需要上传佐证材料的，可在措施页面单独反馈。
      </p>
      {outcome && (
        <div role="status" className={outcome.refused.length ? 'warn' : 'ok'}>
          <p>已反馈 {outcome.recorded} 项进展。</p>
          {outcome.refused.length > 0 && (
            <ul className="list" aria-label="未能反馈">
              {outcome.refused.map((r) => (
                <li key={r.id}>
                  {nameOf(r)}：{r.message ?? r.code ?? r.status}
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
      {measures.length > 0 && (
        <fieldset>
          <legend>整改措施（{measures.length} 项）</legend>
          <TaskTable
            tasks={measures}
            action={(t) => (
              <div className="feedback-entry">
                {field(t.id, `「${t.measure}」的本季度进展`)}
                <Link className="button" to={`/tasks/${t.id}#progress`}>
                  单独反馈进展（附佐证）
                </Link>
                {t.actions.includes('submit') && (
                  <Link className="button" to={`/tasks/${t.id}#submit`}>
                    提交验收
                  </Link>
                )}
              </div>
            )}
          />
        </fieldset>
      )}
      {items.length > 0 && (
        <fieldset>
          <legend>承诺事项（践诺，{items.length} 项）</legend>
          <ol className="feedback-list">
            {items.map((i) => (
              <li key={i.itemId} data-testid="feedback-commitment">
                <strong>{i.title}</strong>
                <span className="muted">
                  （{i.orgName}，目标：{i.target}，{i.dueDate} 前）
                </span>
                {field(i.itemId, `承诺「${i.title}」的本季度进展`)}
              </li>
            ))}
          </ol>
        </fieldset>
      )}
      <div className="buttons">
        <button type="submit" className="primary" disabled={busy}>
          提交本季度进展反馈
        </button>
      </div>
      <ErrorBox error={error} />
    </form>
  );
}
