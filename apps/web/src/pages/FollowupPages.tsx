// 回头看 and 负面清单: one simple page each (the lists, a result form, a lift form, an export).
import { useState, type FormEvent } from 'react';
import { call, callFile, client, fromUrl, saveBlob } from '../api';
import { ErrorBox, Loading, Section, useAsync } from '../components/ui';
import { formatDate, formatDateTime } from '../format';
import { Link } from '../router';
import type { NegativeEntry, Reinspection } from '../types';

const STATE_LABELS: Record<Reinspection['state'], string> = {
  pending: '待复查',
  held: '巩固',
  relapsed: '反弹',
};

const REASON_LABELS: Record<string, string> = {
  recurrence: '同类问题12个月内反复出现',
  relapse: '回头看发现整改反弹',
  accountability_cases: '12个月内两次被问责',
  circulated_twice: '一年内两次整改逾期被通报',
};

function ResultForm({ item, onDone }: { item: Reinspection; onDone: () => void }) {
  const [outcome, setOutcome] = useState('held');
  const [note, setNote] = useState('');
  const [error, setError] = useState<unknown>(null);
  async function submit(e: FormEvent) {
    e.preventDefault();
    setError(null);
    try {
      await call(
        client.POST('/api/v1/reinspections/{id}/result', {
          params: { path: { id: item.id } },
          body: { outcome: outcome as 'held' | 'relapsed', note },
        }),
      );
      onDone();
    } catch (err) {
      setError(err);
    }
  }
  return (
    <form
      onSubmit={submit}
      className="inline-form"
      aria-label={`登记复查结果：${item.taskMeasure}`}
    >
      <select value={outcome} onChange={(e) => setOutcome(e.target.value)} aria-label="复查结果">
        <option value="held">巩固</option>
        <option value="relapsed">反弹（重新打开整改）</option>
      </select>
      <input
        value={note}
        onChange={(e) => setNote(e.target.value)}
        placeholder="复查情况"
        aria-label="复查情况"
        required
      />
      <button type="submit">登记</button>
      {error !== null && <ErrorBox error={error} />}
    </form>
  );
}

export function ReinspectionsPage() {
  const [state, setState] = useState('pending');
  const { data, error, reload } = useAsync(
    () =>
      call(
        client.GET('/api/v1/reinspections', {
          params: { query: fromUrl('/api/v1/reinspections', { state }) },
        }),
      ),
    [state],
  );
  if (error) return <ErrorBox error={error} />;
  return (
    <div className="page">
      <h1>回头看</h1>
      <p className="muted">
        每季度结束后按规则随机抽取已销号的整改措施复查；复查人不得是验收或销号的人。
      </p>
      <label>
        状态{' '}
        <select value={state} onChange={(e) => setState(e.target.value)}>
          <option value="pending">待复查</option>
          <option value="held">巩固</option>
          <option value="relapsed">反弹</option>
          <option value="">全部</option>
        </select>
      </label>
      {!data ? (
        <Loading />
      ) : (
        <Section title="复查任务" count={data.length}>
          {data.length === 0 ? (
            <p className="muted">没有符合条件的回头看任务。</p>
          ) : (
            <ul className="plain-list" data-testid="reinspections">
              {data.map((r) => (
                <li key={r.id}>
                  <Link to={`/tasks/${r.taskId}`}>{r.taskMeasure}</Link>（{r.responsibleOrgName}，
                  {r.quarter}）— {STATE_LABELS[r.state]}
                  {r.state === 'pending' && (
                    <span className={r.overdue ? 'warning' : 'muted'}>
                      {' '}
                      复查期限 {formatDate(r.dueAt)}
                      {r.overdue ? '（已逾期）' : ''}
                    </span>
                  )}
                  {r.note && <div className="muted">复查情况：{r.note}</div>}
                  {r.state === 'pending' && <ResultForm item={r} onDone={reload} />}
                </li>
              ))}
            </ul>
          )}
        </Section>
      )}
    </div>
  );
}

function LiftForm({ entry, onDone }: { entry: NegativeEntry; onDone: () => void }) {
  const [reason, setReason] = useState('');
  const [error, setError] = useState<unknown>(null);
  async function submit(e: FormEvent) {
    e.preventDefault();
    setError(null);
    try {
      await call(
        client.POST('/api/v1/negative-list/{id}/lift', {
          params: { path: { id: entry.id } },
          body: { reason },
        }),
      );
      onDone();
    } catch (err) {
      setError(err);
    }
  }
  return (
    <form onSubmit={submit} className="inline-form" aria-label={`提前移出：${entry.subjectName}`}>
      <input
        value={reason}
        onChange={(e) => setReason(e.target.value)}
        placeholder="提前移出的理由"
        aria-label="提前移出的理由"
        required
      />
      <button type="submit">提前移出</button>
      {error !== null && <ErrorBox error={error} />}
    </form>
  );
}

export function NegativeListPage() {
  const { data, error, reload } = useAsync(
    () =>
      call(client.GET('/api/v1/negative-list')).then(
        // Without format=csv the answer is the JSON list.
        (d) => (Array.isArray(d) ? d : []),
      ),
    [],
  );
  const [exportError, setExportError] = useState<unknown>(null);
  async function exportCsv() {
    setExportError(null);
    try {
      const { blob, fileName } = await callFile(
        client.GET('/api/v1/negative-list', {
          params: { query: { format: 'csv' } },
          parseAs: 'blob',
        }),
      );
      saveBlob(blob, fileName ?? '负面清单.csv');
    } catch (err) {
      setExportError(err);
    }
  }
  if (error) return <ErrorBox error={error} />;
  if (!data) return <Loading />;
  return (
    <div className="page">
      <h1>负面清单</h1>
      <p className="muted">
        列入期间：新发现问题提高一个等级督办，整改措施须由立项党组织书记审批销号；连续12个月无新情况自动移出。
      </p>
      <button type="button" onClick={exportCsv}>
        导出 CSV
      </button>
      {exportError !== null && <ErrorBox error={exportError} />}
      <Section title="清单" count={data.filter((e) => e.listed).length}>
        {data.length === 0 ? (
          <p className="muted">负面清单为空。</p>
        ) : (
          <ul className="plain-list" data-testid="negative-list">
            {data.map((e) => (
              <li key={e.id}>
                <strong>{e.subjectName}</strong>（{e.subjectType === 'org' ? '单位' : '个人'}）—{' '}
                {e.listed
                  ? `在列，自 ${formatDate(e.since)}`
                  : `${e.liftKind === 'lifted' ? '已提前移出' : '期满移出'}，${formatDateTime(e.liftedAt)}`}
                <ul>
                  {e.reasons.map((r, i) => (
                    <li key={i} className="muted">
                      {REASON_LABELS[r.kind] ?? r.kind}（{formatDate(r.at)}）
                    </li>
                  ))}
                </ul>
                {e.liftReason && <div className="muted">移出理由：{e.liftReason}</div>}
                {e.listed && <LiftForm entry={e} onDone={reload} />}
              </li>
            ))}
          </ul>
        )}
      </Section>
    </div>
  );
}
