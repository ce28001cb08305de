import { useState, type FormEvent } from 'react';
import { call, client, type Pending, saveBlob } from '../api';
import { OrgSelect } from '../components/OrgSelect';
import { ErrorBox, Loading, Section, useAsync } from '../components/ui';
import { useMe } from '../session';
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

/** 评诺 result of one item: the superior's evaluation beside the members' tally. */
function ItemResultLine({ item }: { item: Commitment['items'][number] }) {
  if (!item.result) return null;
  const t = item.memberTally;
  return (
    <p className="muted" data-testid="item-result">
      上级评诺：<span className="tag">{RESULT_LABEL[item.result]}</span>
      {item.resultComment ? `（${item.resultComment}）` : ''}
      {t &&
        `；党员评价：已兑现 ${t.fulfilled}，部分兑现 ${t.partly}，未兑现 ${t.not_fulfilled}（${t.raters} 人评价）`}
    </p>
  );
}

function CommitmentCard({ c, onChange }: { c: Commitment; onChange: () => void }) {
  const me = useMe();
  const [error, setError] = useState<unknown>(null);
  const [comment, setComment] = useState('');
  const [ratings, setRatings] = useState<Record<string, ItemResult>>({});
  // 党员评诺 is for people with a role in the org itself (not the subject of a personal
  // commitment); 评诺 by the superior for the others who may act on it.
  const member = me.roles.some((r) => r.orgId === c.orgId) && c.userId !== me.id;
  const toRate = c.items.filter((i) => !c.myRatedItemIds.includes(i.id));
  const at = { params: { path: { id: c.id } } };
  const act = async (send: () => Pending) => {
    setError(null);
    try {
      await call(send());
      setRatings({});
      onChange();
    } catch (err) {
      setError(err);
    }
  };
  const ratingSelect = (i: Commitment['items'][number], label: string) => (
    <select
      aria-label={label}
      value={ratings[i.id] ?? ''}
      onChange={(e) => setRatings({ ...ratings, [i.id]: e.target.value as ItemResult })}
    >
      <option value="">请选择…</option>
      {Object.entries(RESULT_LABEL).map(([k, v]) => (
        <option key={k} value={k}>
          {v}
        </option>
      ))}
    </select>
  );
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
            {i.progress.map((p) => (
              <p key={p.reportedAt} className="muted">
                {p.quarter} 进展：{p.content}
              </p>
            ))}
            <ItemResultLine item={i} />
            {c.state === 'published' && member && (
              <div className="row">
                {c.myRatedItemIds.includes(i.id) ? (
                  <span className="muted">已提交党员评价</span>
                ) : (
                  ratingSelect(i, `党员评价「${i.title}」`)
                )}
              </div>
            )}
            {c.state === 'published' && !member && (
              <div className="row">{ratingSelect(i, `评诺「${i.title}」`)}</div>
            )}
          </li>
        ))}
      </ol>
      {c.state === 'published' && (
        <p className="muted">
          践诺进展随整改措施一起在“待办”的季度进展反馈中填报，不另设表单。
          {member && '党员评价每项一次，匿名计数，上级评诺后公布。'}
        </p>
      )}
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
        {c.state === 'published' && member && toRate.length > 0 && (
          <button
            type="button"
            className="button primary"
            onClick={() =>
              act(() =>
                client.POST('/api/v1/commitments/{id}/member-ratings', {
                  ...at,
                  body: {
                    items: toRate
                      .filter((i) => ratings[i.id])
                      .map((i) => ({ itemId: i.id, result: ratings[i.id] })),
                  },
                }),
              )
            }
          >
            提交党员评价
          </button>
        )}
        {c.state === 'published' && !member && (
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
                    <ItemResultLine item={i} />
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
