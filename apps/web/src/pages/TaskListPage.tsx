import { useState, type FormEvent } from 'react';
import { call, callFile, client, fromUrl, saveBlob } from '../api';
import { OrgSelect } from '../components/OrgSelect';
import { TaskTable } from '../components/TaskTable';
import { ErrorBox, Loading, Pager, useAsync } from '../components/ui';
import { getOrg } from '../directory';
import { LIGHTS, LIGHT_LABEL, STATES, STATE_LABEL } from '../labels';
import { navigate, useLocation } from '../router';

const FILTERS = [
  'orgId',
  'state',
  'light',
  'overdue',
  'q',
  'campaign',
  'category',
  'responsibleUserId',
  'escalationLevel',
] as const;

export function TaskListPage() {
  const { query } = useLocation();
  const current = Object.fromEntries(FILTERS.map((f) => [f, query.get(f) ?? ''])) as Record<
    (typeof FILTERS)[number],
    string
  >;
  const page = Number(query.get('page') ?? 1) || 1;
  const [form, setForm] = useState(current);
  const [exportError, setExportError] = useState<unknown>(null);
  const [exporting, setExporting] = useState(false);

  /** 台账: the same filters as the list, as the server's xlsx or csv file. */
  async function exportLedger(format: 'xlsx' | 'csv') {
    setExporting(true);
    setExportError(null);
    try {
      const { orgId, state, light, category, campaign, overdue } = current;
      const { blob, fileName } = await callFile(
        client.GET('/api/v1/reports/ledger', {
          params: {
            query: fromUrl('/api/v1/reports/ledger', {
              format,
              orgId,
              state,
              light,
              category,
              campaign,
              overdue,
            }),
          },
          parseAs: 'blob',
        }),
      );
      saveBlob(blob, fileName ?? `台账.${format}`);
    } catch (e) {
      setExportError(e);
    } finally {
      setExporting(false);
    }
  }
  const categories = useAsync(() => call(client.GET('/api/v1/categories')), []);
  const list = useAsync(
    () =>
      call(
        client.GET('/api/v1/tasks', {
          params: { query: fromUrl('/api/v1/tasks', { ...current, page, pageSize: 50 }) },
        }),
      ),
    [query.toString()],
  );
  const org = useAsync(
    () => (current.orgId ? getOrg(current.orgId) : Promise.resolve(null)),
    [current.orgId],
  );

  function go(values: Record<string, string>, p = 1) {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(values)) if (v) params.set(k, v);
    if (p > 1) params.set('page', String(p));
    navigate(`/tasks${params.toString() ? `?${params}` : ''}`);
  }
  const set = (k: string, v: string) => setForm((f) => ({ ...f, [k]: v }));
  const submit = (e: FormEvent) => {
    e.preventDefault();
    go(form);
  };
  const described = [
    org.data?.name,
    current.light && LIGHT_LABEL[current.light as keyof typeof LIGHT_LABEL],
    current.state && STATE_LABEL[current.state as keyof typeof STATE_LABEL],
    current.overdue === 'true' && '已逾期',
    current.escalationLevel !== '' &&
      (current.escalationLevel === '0' ? '尚未升级' : `升级至${current.escalationLevel}级`),
  ].filter(Boolean);

  return (
    <div className="page">
      <h1>
        任务清单
        {described.length > 0 && <span className="subtitle">（{described.join(' · ')}）</span>}
      </h1>
      <form className="filters card" onSubmit={submit} aria-label="筛选任务">
        <label>
          关键词
          <input
            type="search"
            value={form.q}
            onChange={(e) => set('q', e.target.value)}
            placeholder="措施或问题标题"
          />
        </label>
        <OrgSelect
          id="task-org"
          label="责任单位（含下级）"
          value={form.orgId}
          allowEmpty
          onChange={(v) => set('orgId', v)}
        />
        <label>
          预警
          <select value={form.light} onChange={(e) => set('light', e.target.value)}>
            <option value="">全部</option>
            {LIGHTS.map((l) => (
              <option key={l} value={l}>
                {LIGHT_LABEL[l]}
              </option>
            ))}
          </select>
        </label>
        <label>
          状态
          <select value={form.state} onChange={(e) => set('state', e.target.value)}>
            <option value="">全部</option>
            {STATES.map((s) => (
              <option key={s} value={s}>
                {STATE_LABEL[s]}
              </option>
            ))}
          </select>
        </label>
        <label>
          分类
          <select value={form.category} onChange={(e) => set('category', e.target.value)}>
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
          <input value={form.campaign} onChange={(e) => set('campaign', e.target.value)} />
        </label>
        <label>
          升级级别
          <select
            value={form.escalationLevel}
            onChange={(e) => set('escalationLevel', e.target.value)}
          >
            <option value="">全部</option>
            <option value="0">尚未升级</option>
            {[1, 2, 3, 4].map((n) => (
              <option key={n} value={String(n)}>
                {n}级
              </option>
            ))}
            {Number(form.escalationLevel) > 4 && (
              <option value={form.escalationLevel}>{form.escalationLevel}级</option>
            )}
          </select>
        </label>
        <label className="check">
          <input
            type="checkbox"
            checked={form.overdue === 'true'}
            onChange={(e) => set('overdue', e.target.checked ? 'true' : '')}
          />
          仅已逾期
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
      <div className="toolbar" aria-label="导出台账">
        <span>导出台账（按当前筛选）：</span>
        <button type="button" disabled={exporting} onClick={() => exportLedger('xlsx')}>
          Excel（xlsx）
        </button>
        <button type="button" disabled={exporting} onClick={() => exportLedger('csv')}>
          CSV
        </button>
        {(current.q || current.responsibleUserId) && (
          <span className="hint">关键词和责任人筛选不参与导出</span>
        )}
      </div>
      <ErrorBox error={exportError} />
      <ErrorBox error={list.error} />
      {list.loading && !list.data && <Loading />}
      {list.data && (
        <section className="card" aria-label="任务列表">
          <TaskTable tasks={list.data.items} empty="没有符合条件的任务" />
          <Pager page={page} pageSize={50} total={list.data.total} onPage={(p) => go(current, p)} />
        </section>
      )}
    </div>
  );
}
