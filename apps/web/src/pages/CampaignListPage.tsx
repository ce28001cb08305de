import { useState } from 'react';
import { call, client, fromUrl } from '../api';
import { CAMPAIGN_STATE_LABEL } from '../campaigns';
import { ErrorBox, Loading, Pager, useAsync } from '../components/ui';
import { Link } from '../router';

/** 督查: the campaigns the caller can see, open ones first. */
export function CampaignListPage() {
  const [state, setState] = useState('');
  const [page, setPage] = useState(1);
  const { data, error, loading } = useAsync(
    () =>
      call(
        client.GET('/api/v1/campaigns', {
          params: { query: fromUrl('/api/v1/campaigns', { state, page, pageSize: 20 }) },
        }),
      ),
    [state, page],
  );
  return (
    <>
      <h1>督查</h1>
      <div className="toolbar">
        <label htmlFor="campaign-state">
          状态
          <select
            id="campaign-state"
            value={state}
            onChange={(e) => {
              setState(e.target.value);
              setPage(1);
            }}
          >
            <option value="">全部</option>
            <option value="open">进行中</option>
            <option value="closed">已结束</option>
          </select>
        </label>
        <Link to="/campaigns/new" className="button primary">
          组织督查
        </Link>
      </div>
      <ErrorBox error={error} />
      {loading && !data && <Loading />}
      {data && (
        <section className="card">
          {data.items.length === 0 ? (
            <p className="muted">暂无督查。</p>
          ) : (
            <div className="table-wrap">
              <table className="problems">
                <thead>
                  <tr>
                    <th>名称</th>
                    <th>类型</th>
                    <th>发起组织</th>
                    <th>时间</th>
                    <th>对象</th>
                    <th>状态</th>
                  </tr>
                </thead>
                <tbody>
                  {data.items.map((c) => (
                    <tr key={c.id}>
                      <td data-label="名称">
                        <Link to={`/campaigns/${c.id}`}>{c.name}</Link>
                      </td>
                      <td data-label="类型">{c.kindLabel}</td>
                      <td data-label="发起组织">{c.raisedByOrgName}</td>
                      <td data-label="时间">
                        {c.startsOn} 至 {c.endsOn}
                      </td>
                      <td data-label="对象">{c.targetCount} 个</td>
                      <td data-label="状态">{CAMPAIGN_STATE_LABEL[c.state]}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          <Pager page={page} pageSize={20} total={data.total} onPage={setPage} />
        </section>
      )}
    </>
  );
}
