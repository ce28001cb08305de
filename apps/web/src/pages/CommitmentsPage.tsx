import { useState, type FormEvent } from 'react';
import { call, client, type Pending, saveBlob } from '../api';
import { OrgSelect } from '../components/OrgSelect';
import { ErrorBox, Loading, Section, useAsync } from '../components/ui';
import {
  COMMITMENT_STATE_LABEL,
  RESULT_LABEL,
  type Commitment,
  type ItemResult,
} from '../loop-types';

const THIS_YEAR = new Date().getFullYear();

interface ItemDraft {
  title: string;
  target: string;
  dueDate: string;
}

const emptyItem = (year: number): ItemDraft => ({
  title: '',
  target: '',
  dueDate: `${year}-12-31`,
});

/** 订诺: an org files its commitments for a year, item by item. */
function FileForm({ onFiled }: { onFiled: () => void }) {
  const [orgId, setOrgId] = useState('');
  const [year, setYear] = useState(THIS_YEAR);
  const [items, setItems] = useState<ItemDraft[]>([emptyItem(THIS_YEAR)]);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const set = (i: number, patch: Partial<ItemDraft>) =>
    setItems(items.map((it, n) => (n === i ? { ...it, ...patch } : it)));
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await call(client.POST('/api/v1/commitments', { body: { orgId, year, items } }));
      setItems([emptyItem(year)]);
      onFiled();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="card" onSubmit={submit} aria-label="订诺">
      <h2>订诺：填报年度承诺</h2>
      <div className="row">
        <OrgSelect
          id="commitment-org"
          label="承诺组织"
          value={orgId}
          onChange={setOrgId}
          required
        />
        <label>
          年度
          <input
            type="number"
            name="year"
            value={year}
            onChange={(e) => setYear(Number(e.target.value))}
          />
        </label>
      </div>
      {items.map((it, i) => (
        <fieldset key={i} className="commitment-item">
          <legend>承诺事项 {i + 1}</legend>
          <label>
            事项
            <input
              name={`title-${i}`}
              value={it.title}
              onChange={(e) => set(i, { title: e.target.value })}
              required
            />
          </label>
          <label>
            可衡量的目标
            <input
              name={`target-${i}`}
              value={it.target}
              onChange={(e) => set(i, { target: e.target.value })}
              required
            />
          </label>
          <label>
            完成时限
            <input
              type="date"
              name={`due-${i}`}
              value={it.dueDate}
              onChange={(e) => set(i, { dueDate: e.target.value })}
              required
            />
          </label>
        </fieldset>
      ))}
      <div className="buttons">
        <button
          type="button"
          className="button"
          onClick={() => setItems([...items, emptyItem(year)])}
        >
          增加事项
        </button>
        <button type="submit" className="button primary" disabled={busy || !orgId}>
          保存为草稿
        </button>
      </div>
      <ErrorBox error={error} />
    </form>
  );
}

function CommitmentCard({ c, onChange }: { c: Commitment; onChange: () => void }) {
  const [error, setError] = useState<unknown>(null);
  const [comment, setComment] = useState('');
  const [progress, setProgress] = useState<Record<string, string>>({});
  const [ratings, setRatings] = useState<Record<string, ItemResult>>({});
  const at = { params: { path: { id: c.id } } };
  const act = async (send: () => Pending) => {
    setError(null);
    try {
      await call(send());
      onChange();
    } catch (err) {
      setError(err);
    }
  };
  return (
    <article className="card" data-testid="commitment" aria-label={`${c.orgName} ${c.year} 年承诺`}>
      <h3>
        {c.orgName} · {c.year} 年承诺{' '}
        <span className="state" data-testid="commitment-state">
          {COMMITMENT_STATE_LABEL[c.state]}
        </span>
      </h3>
      {c.returnComment && c.state === 'returned' && (
        <p className="warn-text">退回意见：{c.returnComment}</p>
      )}
      <ol>
        {c.items.map((i) => (
          <li key={i.id}>
            <strong>{i.title}</strong>：{i.target}（{i.dueDate} 前）
            {i.result && <span className="tag"> {RESULT_LABEL[i.result]}</span>}
            {i.progress.map((p) => (
              <p key={p.reportedAt} className="muted">
                {p.quarter} 进展：{p.content}
              </p>
            ))}
            {c.state === 'published' && (
              <div className="row">
                <input
                  aria-label={`「${i.title}」的季度进展`}
                  value={progress[i.id] ?? ''}
                  onChange={(e) => setProgress({ ...progress, [i.id]: e.target.value })}
                />
                <button
                  type="button"
                  className="button"
                  onClick={() =>
                    act(() =>
                      client.POST('/api/v1/commitments/{id}/items/{itemId}/progress', {
                        params: { path: { id: c.id, itemId: i.id } },
                        body: { content: progress[i.id] ?? '' },
                      }),
                    )
                  }
                >
                  报告进展
                </button>
                <select
                  aria-label={`评诺「${i.title}」`}
                  value={ratings[i.id] ?? ''}
                  onChange={(e) => setRatings({ ...ratings, [i.id]: e.target.value as ItemResult })}
                >
                  <option value="">评诺…</option>
                  {Object.entries(RESULT_LABEL).map(([k, v]) => (
                    <option key={k} value={k}>
                      {v}
                    </option>
                  ))}
                </select>
              </div>
            )}
          </li>
        ))}
      </ol>
      <div className="buttons actions">
        {(c.state === 'draft' || c.state === 'returned') && (
          <button
            type="button"
            className="button primary"
            onClick={() => act(() => client.POST('/api/v1/commitments/{id}/submit', at))}
          >
            提交审核
          </button>
        )}
        {c.state === 'submitted' && (
          <>
            <button
              type="button"
              className="button primary"
              onClick={() => act(() => client.POST('/api/v1/commitments/{id}/approve', at))}
            >
              审核通过
            </button>
            <input
              aria-label="退回意见"
              placeholder="退回意见"
              value={comment}
              onChange={(e) => setComment(e.target.value)}
            />
            <button
              type="button"
              className="button"
              onClick={() =>
                act(() =>
                  client.POST('/api/v1/commitments/{id}/return', { ...at, body: { comment } }),
                )
              }
            >
              退回修改
            </button>
          </>
        )}
        {c.state === 'approved' && (
          <button
            type="button"
            className="button primary"
            onClick={() => act(() => client.POST('/api/v1/commitments/{id}/publish', at))}
          >
            公示（亮诺）
          </button>
        )}
        {c.state === 'published' && (
          <button
            type="button"
            className="button"
            onClick={() =>
              act(() =>
                client.POST('/api/v1/commitments/{id}/evaluation', {
                  ...at,
                  body: {
                    items: c.items.map((i) => ({ itemId: i.id, result: ratings[i.id] })),
                  },
                }),
              )
            }
          >
            提交评诺
          </button>
        )}
      </div>
      <ErrorBox error={error} />
    </article>
  );
}

/** 承诺: filing and reviewing (/commitments), or the public 亮诺 view (/commitments/public). */
export function CommitmentsPage({ publicView = false }: { publicView?: boolean }) {
  const [orgId, setOrgId] = useState('');
  const [year, setYear] = useState(THIS_YEAR);
  const { data, error, loading, reload } = useAsync(
    () => call(client.GET('/api/v1/commitments', { params: { query: { orgId, year } } })),
    [orgId, year],
  );
  const shown = (data ?? []).filter(
    (c) => !publicView || c.state === 'published' || c.state === 'evaluated',
  );
  const exportSheet = async () =>
    saveBlob(
      await call(
        client.GET('/api/v1/commitments/export', {
          params: { query: { year, ...(orgId ? { orgId } : {}) } },
          parseAs: 'blob',
        }),
      ),
      `承诺公示-${year}.xlsx`,
    );
  return (
    <>
      <h1>{publicView ? '亮诺公示' : '承诺（订诺 · 审诺 · 亮诺 · 践诺 · 评诺）'}</h1>
      <div className="filters card">
        <OrgSelect id="commitments-org" label="组织" value={orgId} onChange={setOrgId} allowEmpty />
        <label>
          年度
          <input type="number" value={year} onChange={(e) => setYear(Number(e.target.value))} />
        </label>
        <div className="buttons">
          <button type="button" className="button" onClick={exportSheet}>
            导出公示表
          </button>
        </div>
      </div>
      {!publicView && <FileForm onFiled={reload} />}
      <Section title={publicView ? '已公示的承诺' : '承诺'} count={shown.length}>
        {loading && <Loading />}
        <ErrorBox error={error} />
        {shown.length === 0 && !loading && <p className="muted">暂无承诺</p>}
        {shown.map((c) =>
          publicView ? (
            <article key={c.id} className="card" data-testid="commitment">
              <h3>
                {c.orgName} · {c.year} 年承诺
              </h3>
              <ol>
                {c.items.map((i) => (
                  <li key={i.id}>
                    <strong>{i.title}</strong>：{i.target}（{i.dueDate} 前）
                    {i.result && <span className="tag"> {RESULT_LABEL[i.result]}</span>}
                  </li>
                ))}
              </ol>
            </article>
          ) : (
            <CommitmentCard key={c.id} c={c} onChange={reload} />
          ),
        )}
      </Section>
    </>
  );
}
