import { useState, type FormEvent } from 'react';
import { call, client, fromUrl } from '../api';
import { OrgSelect } from '../components/OrgSelect';
import { ErrorBox, Loading, Pager, useAsync } from '../components/ui';
import { formatDate } from '../format';
import { SEVERITY_LABEL, SOURCE_LABEL, label } from '../labels';
import { Link, navigate, useLocation } from '../router';

const FILTERS = ['state', 'category', 'campaign', 'orgId', 'q', 'recurring', 'overdue'] as const;

export function ProblemListPage() {
  const { query } = useLocation();
  const current = Object.fromEntries(FILTERS.map((f) => [f, query.get(f) ?? ''])) as Record<
    (typeof FILTERS)[number],
    string
  >;
  const page = Number(query.get('page') ?? 1) || 1;
  const [form, setForm] = useState(current);
  const categories = useAsync(() => call(client.GET('/api/v1/categories')), []);
  const list = useAsync(
    () =>
      call(
        client.GET('/api/v1/problems', {
          params: { query: fromUrl('/api/v1/problems', { ...current, page, pageSize: 50 }) },
        }),
      ),
    [query.toString()],
  );

  function go(values: Record<string, string>, p = 1) {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(values)) if (v) params.set(k, v);
    if (p > 1) params.set('page', String(p));
    navigate(`/problems${params.toString() ? `?${params}` : ''}`);
  }
  const set = (k: string, v: string) => setForm((f) => ({ ...f, [k]: v }));
  const submit = (e: FormEvent) => {
    e.preventDefault();
    go(form);
  };

  return (
    <div className="page">
      <h1>
        问题清单
        {current.recurring === 'true' && <span className="tag danger">负面清单（屡改屡犯）</span>}
      </h1>
      <form className="filters card" onSubmit={submit} aria-label="筛选问题">
        <label>
          关键词
          <input
            type="search"
            name="q"
            value={form.q}
            onChange={(e) => set('q', e.target.value)}
            placeholder="标题或描述"
          />
        </label>
        <label>
          状态
          <select name="state" value={form.state} onChange={(e) => set('state', e.target.value)}>
            <option value="">全部</option>
            <option value="open">整改中</option>
            <option value="closed">已销号</option>
          </select>
        </label>
        <label>
          分类
          <select
            name="category"
            value={form.category}
            onChange={(e) => set('category', e.target.value)}
          >
            <option value="">全部</option>
            {categories.data?.map((c) => (
              <option key={c.code} value={c.code}>
                {c.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          批次
          <input
            name="campaign"
            value={form.campaign}
            onChange={(e) => set('campaign', e.target.value)}
            placeholder="如 2026年第四季度党建督查"
          />
        </label>
        <OrgSelect
          id="problem-org"
          label="组织（含下级）"
          value={form.orgId}
          allowEmpty
          onChange={(v) => set('orgId', v)}
        />
        <label className="check">
          <input
            type="checkbox"
            checked={form.overdue === 'true'}
            onChange={(e) => set('overdue', e.target.checked ? 'true' : '')}
          />
          有逾期措施
        </label>
        <label className="check">
          <input
            type="checkbox"
            checked={form.recurring === 'true'}
            onChange={(e) => set('recurring', e.target.checked ? 'true' : '')}
          />
          仅负面清单
        </label>
        <div className="buttons">
          <button type="submit" className="primary">
            筛选
          </button>
          <button
            type="button"
            onClick={() => {
              setForm(Object.fromEntries(FILTERS.map((f) => [f, ''])) as typeof form);
              go({});
            }}
          >
            清除
          </button>
        </div>
      </form>
      <ErrorBox error={list.error} />
      {list.loading && !list.data && <Loading />}
      {list.data && (
        <section className="card" aria-label="问题列表">
          {list.data.items.length === 0 ? (
            <p className="muted">没有符合条件的问题</p>
          ) : (
            <div className="table-wrap">
              <table className="problems">
                <thead>
                  <tr>
                    <th scope="col">问题</th>
                    <th scope="col">所在组织</th>
                    <th scope="col">分类</th>
                    <th scope="col">严重程度</th>
                    <th scope="col">来源 / 批次</th>
                    <th scope="col">措施（未完成/共）</th>
                    <th scope="col">状态</th>
                    <th scope="col">立项</th>
                  </tr>
                </thead>
                <tbody>
                  {list.data.items.map((p) => (
                    <tr key={p.id}>
                      <td data-label="问题">
                        <Link to={`/problems/${p.id}`}>{p.title}</Link>
                        {p.recurring && (
                          <span className="tag danger" title="同一组织同类问题一年内再次出现">
                            屡改屡犯 ×{p.recurrenceCount}
                          </span>
                        )}
                      </td>
                      <td data-label="所在组织">{p.orgName}</td>
                      <td data-label="分类">{p.categoryName}</td>
                      <td data-label="严重程度">{label(SEVERITY_LABEL, p.severity)}</td>
                      <td data-label="来源 / 批次">
                        {label(SOURCE_LABEL, p.source)}
                        {p.campaign && <div className="muted">{p.campaign}</div>}
                      </td>
                      <td data-label="措施">
                        {p.openTaskCount}/{p.taskCount}
                      </td>
                      <td data-label="状态">{p.state === 'open' ? '整改中' : '已销号'}</td>
                      <td data-label="立项">{formatDate(p.createdAt)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          <Pager page={page} pageSize={50} total={list.data.total} onPage={(p) => go(current, p)} />
        </section>
      )}
    </div>
  );
}
