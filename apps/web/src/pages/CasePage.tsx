import { useState, type FormEvent } from 'react';
import { call, client } from '../api';
import { ErrorBox, Loading, Section, useAsync } from '../components/ui';
import { namesAround } from '../directory';
import { formatDateTime } from '../format';
import { OUTCOME_GROUPS } from '../labels';
import { Link } from '../router';
import type { CaseOutcome } from '../types';

export function CasePage({ id }: { id: string }) {
  const { data, error, reload } = useAsync(async () => {
    const c = await call(
      client.GET('/api/v1/accountability-cases/{id}', { params: { path: { id } } }),
    );
    const names = await namesAround([c.subjectOrgId, c.raisingOrgId]);
    return { c, names };
  }, [id]);
  const [outcome, setOutcome] = useState('');
  const [reason, setReason] = useState('');
  const [decideError, setDecideError] = useState<unknown>(null);

  async function decide(e: FormEvent) {
    e.preventDefault();
    setDecideError(null);
    try {
      await call(
        client.POST('/api/v1/accountability-cases/{id}/decision', {
          params: { path: { id } },
          body: { outcome: outcome as CaseOutcome, reason },
        }),
      );
      reload();
    } catch (err) {
      setDecideError(err);
    }
  }

  if (error) return <ErrorBox error={error} />;
  if (!data) return <Loading />;
  const { c, names } = data;
  return (
    <div className="page">
      <h1>问责案件</h1>
      <dl className="grid-dl">
        <dt>问责对象</dt>
        <dd>
          {c.subjectOrgName}；
          {c.subjectUserIds.map((u) => names.get(u) ?? '（其他人员）').join('、')}
        </dd>
        <dt>整改措施</dt>
        <dd>
          <Link to={`/tasks/${c.taskId}`}>{c.measure}</Link>
        </dd>
        <dt>问题</dt>
        <dd>
          <Link to={`/problems/${c.problemId}`}>{c.problemTitle}</Link>
        </dd>
        <dt>启动时间</dt>
        <dd>{formatDateTime(c.openedAt)}</dd>
        <dt>状态</dt>
        <dd>{c.state === 'open' ? '待决定' : `已决定：${c.outcomeLabel}`}</dd>
        {c.reason && (
          <>
            <dt>理由</dt>
            <dd className="prewrap">{c.reason}</dd>
          </>
        )}
      </dl>
      <Section title="升级经过" count={c.escalations?.length ?? 0}>
        <ol className="ladder-reached">
          {c.escalations?.map((e) => (
            <li key={e.key}>
              {e.kind === 'step' ? `${e.level}级 ${e.name}` : '到期提醒'}{' '}
              <span className="muted">
                {formatDateTime(e.at)}，通知 {e.notified.length} 人
              </span>
            </li>
          ))}
        </ol>
      </Section>
      {c.state === 'open' && c.decideRefusal && (
        <Section title="作出决定">
          <p className="muted" data-testid="decide-refusal">
            {c.decideRefusal.message}
          </p>
        </Section>
      )}
      {c.state === 'open' && (c.actions ?? ['decide']).includes('decide') && !c.decideRefusal && (
        <Section title="作出决定">
          <form onSubmit={decide} aria-label="问责决定">
            <p className="muted">
              由立项党组织（或其上级）的纪检或立项党组织的书记决定，问责对象及在被问责党组织任职者回避；只能决定一次；容错免责须写明理由（三个区分开来）。
            </p>
            <label>
              问责方式
              <select value={outcome} onChange={(e) => setOutcome(e.target.value)} required>
                <option value="">请选择</option>
                {OUTCOME_GROUPS.map((g) => (
                  <optgroup key={g.label} label={g.label}>
                    {g.outcomes.map(([code, name]) => (
                      <option key={code} value={code}>
                        {name}
                      </option>
                    ))}
                  </optgroup>
                ))}
              </select>
            </label>
            <label>
              理由
              <textarea
                value={reason}
                onChange={(e) => setReason(e.target.value)}
                rows={4}
                required
              />
            </label>
            <ErrorBox error={decideError} />
            <div className="buttons">
              <button type="submit" className="primary">
                作出决定
              </button>
            </div>
          </form>
        </Section>
      )}
    </div>
  );
}
