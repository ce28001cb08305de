import { ApiError, call, client, fromUrl, mapLimit } from '../api';
import { CircularPanel } from '../components/CircularPanel';
import { OrgSelect, orgsInScope } from '../components/OrgSelect';
import { ErrorBox, Loading, Section, useAsync } from '../components/ui';
import { getOrg } from '../directory';
import { formatDateTime } from '../format';
import { LIGHTS, LIGHT_LABEL, LIGHT_MEANING, STATES, STATE_LABEL } from '../labels';
import { Link, navigate, useLocation, withQueryString } from '../router';
import { useMe } from '../session';
import type { Light, Me, Org, QuarterSummary, TaskState } from '../types';

type Counts = Record<Light, number> & { overdue: number; closed: number; total: number };

async function count(query: Record<string, string | boolean>): Promise<number> {
  return (
    await call(
      client.GET('/api/v1/tasks', {
        params: { query: fromUrl('/api/v1/tasks', { ...query, pageSize: 1 }) },
      }),
    )
  ).total;
}

async function countsFor(orgId: string): Promise<Counts> {
  const [red, yellow, blue, green, overdue, closed] = await Promise.all([
    ...LIGHTS.map((light) => count({ orgId, light })),
    count({ orgId, overdue: true }),
    count({ orgId, state: 'closed' }),
  ]);
  return { red, yellow, blue, green, overdue, closed, total: red + yellow + blue + green };
}

async function defaultOrg(me: Me): Promise<string | null> {
  const fromRoles = me.roles.find((r) => r.orgId)?.orgId;
  if (fromRoles) {
    // The highest of the user's organisations: the widest view they have.
    const orgs = await Promise.all(
      me.roles.filter((r) => r.orgId).map((r) => getOrg(r.orgId as string)),
    );
    const top = orgs.filter((o): o is Org => o !== null).sort((a, b) => a.depth - b.depth)[0];
    return top?.id ?? fromRoles;
  }
  return (await orgsInScope())[0]?.id ?? null;
}

/** Overdue tasks grouped by the escalation level they reached (read up to 1000 of them). */
async function overdueByLevel(
  orgId: string,
): Promise<{ byLevel: Map<number, number>; read: number }> {
  const byLevel = new Map<number, number>();
  let read = 0;
  for (let page = 1; page <= 5; page++) {
    const res = await call(
      client.GET('/api/v1/tasks', {
        params: { query: { orgId, overdue: true, page, pageSize: 200 } },
      }),
    );
    for (const t of res.items)
      byLevel.set(t.escalationLevel, (byLevel.get(t.escalationLevel) ?? 0) + 1);
    read += res.items.length;
    if (page * 200 >= res.total) break;
  }
  return { byLevel, read };
}

/** 按期销号率 without the summary report: closed on or before the deadline, among the latest. */
async function onTimeFromList(orgId: string): Promise<{ rate: number | null; note: string }> {
  const res = await call(
    client.GET('/api/v1/tasks', { params: { query: { orgId, state: 'closed', pageSize: 200 } } }),
  );
  if (res.items.length === 0) return { rate: null, note: '' };
  const onTime = res.items.filter((t) => !t.dueAt || (t.closedAt && t.closedAt <= t.dueAt)).length;
  return {
    rate: onTime / res.items.length,
    note: res.total > res.items.length ? `最近 ${res.items.length} 项` : `已销号 ${res.total} 项`,
  };
}

type Tally = QuarterSummary['totals'];

const countsOf = (t: Tally): Counts => ({
  ...t.byLight,
  overdue: t.overdue,
  closed: t.byState.closed,
  total: t.total,
});

async function summaryOf(orgId: string, quarter?: string): Promise<QuarterSummary | null> {
  try {
    return await call(
      client.GET('/api/v1/reports/summary', { params: { query: { orgId, quarter } } }),
    );
  } catch (e) {
    // A server without the summary report: count through the task list instead.
    if (e instanceof ApiError && e.status === 404 && /Cannot GET/i.test(e.message)) return null;
    throw e;
  }
}

/** The quarter and the three before it: "2026Q4" → ["2026Q4", "2026Q3", "2026Q2", "2026Q1"]. */
function recentQuarters(quarter: string): string[] {
  const m = /^(\d{4})Q([1-4])$/.exec(quarter);
  if (!m) return [quarter];
  let year = Number(m[1]);
  let q = Number(m[2]);
  const out: string[] = [];
  for (let i = 0; i < 4; i++) {
    out.push(`${year}Q${q}`);
    q -= 1;
    if (q === 0) {
      q = 4;
      year -= 1;
    }
  }
  return out;
}

async function loadDashboard(orgId: string, quarter?: string) {
  const org = await getOrg(orgId);
  if (!org) throw new Error('该组织不存在或不在您的管辖范围内');
  const [trail, summary, levels, policy, recurring] = await Promise.all([
    Promise.all(org.path.map(getOrg)),
    summaryOf(orgId, quarter),
    overdueByLevel(orgId),
    call(
      client.GET('/api/v1/orgs/{orgId}/escalation-policy', { params: { path: { orgId } } }),
    ).catch(() => null),
    call(
      client.GET('/api/v1/problems', {
        params: { query: { orgId, recurring: true, pageSize: 10 } },
      }),
    ),
  ]);
  const common = {
    org,
    trail: trail.filter((o): o is Org => o !== null),
    levels,
    stepNames: new Map((policy?.steps ?? []).map((s) => [s.level, s.name])),
    recurring,
  };
  if (summary) {
    const t = summary.totals;
    return {
      ...common,
      summary,
      totals: countsOf(t),
      states: t.byState,
      rate: {
        rate: t.onTimeRate,
        note: `${summary.quarter} 到期 ${t.dueInQuarter} 项`,
      },
      perChild: summary.children.map((c) => ({
        child: { id: c.orgId, name: c.orgName },
        counts: countsOf(c),
      })),
      own: summary.own.total > 0 ? countsOf(summary.own) : null,
    };
  }
  const [totals, states, children, rate] = await Promise.all([
    countsFor(orgId),
    Promise.all(STATES.map((state) => count({ orgId, state }))),
    call(
      client.GET('/api/v1/orgs/{id}/children', {
        params: { path: { id: orgId }, query: { pageSize: 200 } },
      }),
    ),
    onTimeFromList(orgId),
  ]);
  const perChild = await mapLimit(children.items, 4, async (child) => ({
    child: { id: child.id, name: child.name },
    counts: await countsFor(child.id),
  }));
  return {
    ...common,
    summary: null,
    totals,
    states: Object.fromEntries(STATES.map((s, i) => [s, states[i]])) as Record<TaskState, number>,
    rate,
    perChild,
    own: null,
  };
}

function Bar({ parts, max }: { parts: { light: Light; n: number }[]; max: number }) {
  const width = 100;
  let x = 0;
  return (
    <svg
      className="bar"
      viewBox={`0 0 ${width} 10`}
      preserveAspectRatio="none"
      role="img"
      aria-label={parts.map((p) => `${LIGHT_LABEL[p.light]} ${p.n}`).join('，')}
    >
      {parts.map((p) => {
        const w = max ? (p.n / max) * width : 0;
        const rect = (
          <rect key={p.light} x={x} y={0} width={w} height={10} className={`fill-${p.light}`} />
        );
        x += w;
        return rect;
      })}
    </svg>
  );
}

export function DashboardPage() {
  const me = useMe();
  const { query } = useLocation();
  const requested = query.get('orgId');
  const fallback = useAsync(
    () => (requested ? Promise.resolve(requested) : defaultOrg(me)),
    [requested],
  );
  const orgId = requested ?? fallback.data ?? null;
  const quarter = query.get('quarter') ?? undefined;
  const { data, error, loading } = useAsync(
    () => (orgId ? loadDashboard(orgId, quarter) : Promise.resolve(null)),
    [orgId, quarter],
  );

  const list = (q: Record<string, string>) =>
    withQueryString('/tasks', { orgId: orgId ?? '', ...q });

  return (
    <div className="page dashboard">
      <h1>督办看板{data ? ` · ${data.org.name}` : ''}</h1>
      <div className="toolbar">
        <OrgSelect
          id="dashboard-org"
          label="查看组织（含下级）"
          value={orgId ?? ''}
          onChange={(id) =>
            id && navigate(withQueryString('/dashboard', { orgId: id, quarter: quarter ?? '' }))
          }
        />
        {data?.summary && (
          <label>
            季度
            <select
              value={data.summary.quarter}
              onChange={(e) =>
                navigate(
                  withQueryString('/dashboard', { orgId: orgId ?? '', quarter: e.target.value }),
                )
              }
            >
              {recentQuarters(quarter ?? data.summary.quarter).map((q) => (
                <option key={q} value={q}>
                  {q.replace('Q', '年第')}季度
                </option>
              ))}
            </select>
          </label>
        )}
        {data && data.trail.length > 1 && (
          <nav aria-label="上级组织" className="crumbs">
            {data.trail.map((o, i) =>
              i === data.trail.length - 1 ? (
                <span key={o.id}>{o.name}</span>
              ) : (
                <span key={o.id}>
                  <Link to={`/dashboard?orgId=${o.id}`}>{o.name}</Link> ›{' '}
                </span>
              ),
            )}
          </nav>
        )}
      </div>
      <ErrorBox error={error ?? fallback.error} />
      {(loading || fallback.loading) && !data && <Loading what="正在统计" />}
      {!orgId && !fallback.loading && <p className="card">您还没有所属组织，无法查看看板。</p>}
      {data && (
        <>
          <p className="muted" data-testid="dashboard-basis">
            {data.summary
              ? `统计口径：${data.summary.quarter.replace('Q', '年第')}季度内在办的整改措施，截至 ${formatDateTime(data.summary.asOf)}。点击数字查看对应任务清单。`
              : '统计口径：管辖范围内全部整改措施。点击数字查看对应任务清单。'}
          </p>
          <Section title="预警（三色预警）" id="lights">
            <ul className="figures">
              {LIGHTS.map((l) => (
                <li key={l} className={`figure figure-${l}`}>
                  <Link to={list({ light: l })} data-testid={`light-count-${l}`}>
                    <span className="figure-n">{data.totals[l]}</span>
                    <span className="figure-label">
                      {LIGHT_LABEL[l]} · {LIGHT_MEANING[l]}
                    </span>
                  </Link>
                </li>
              ))}
              <li className="figure figure-overdue">
                <Link to={list({ overdue: 'true' })} data-testid="overdue-count">
                  <span className="figure-n">{data.totals.overdue}</span>
                  <span className="figure-label">已逾期</span>
                </Link>
              </li>
              <li className="figure">
                <span className="figure-n" data-testid="on-time-rate">
                  {data.rate.rate === null ? '—' : `${Math.round(data.rate.rate * 100)}%`}
                </span>
                <span className="figure-label">
                  按期销号率{data.rate.note ? `（${data.rate.note}）` : ''}
                </span>
              </li>
              {data.summary?.unreachedSteps !== undefined && (
                <li className="figure">
                  <span className="figure-n" data-testid="unreached-steps">
                    {data.summary.unreachedSteps}
                  </span>
                  <span className="figure-label">升级无人接收（本季度）</span>
                </li>
              )}
              {data.summary?.overdueTalks !== undefined && (
                <li className="figure">
                  <span className="figure-n" data-testid="overdue-talks">
                    {data.summary.overdueTalks}
                  </span>
                  <span className="figure-label">约谈逾期</span>
                </li>
              )}
            </ul>
          </Section>
          <Section title="办理状态" id="states">
            <ul className="figures">
              {STATES.map((s) => (
                <li key={s} className="figure">
                  <Link to={list({ state: s })} data-testid={`state-count-${s}`}>
                    <span className="figure-n">{data.states[s]}</span>
                    <span className="figure-label">{STATE_LABEL[s]}</span>
                  </Link>
                </li>
              ))}
            </ul>
          </Section>
          <Section title="逾期任务按升级层级" id="levels">
            {data.totals.overdue === 0 ? (
              <p className="muted">没有逾期任务</p>
            ) : (
              <ul className="level-bars">
                {[...data.levels.byLevel.entries()]
                  .sort((a, b) => a[0] - b[0])
                  .map(([level, n]) => (
                    <li key={level} data-testid={`overdue-level-${level}`}>
                      <span className="level-name">
                        {level === 0 ? '尚未升级' : `${level}级 ${data.stepNames.get(level) ?? ''}`}
                      </span>
                      <span className="level-track" aria-hidden="true">
                        <span
                          className={`level-fill level-${Math.min(level, 4)}`}
                          style={{ width: `${(n / data.levels.read) * 100}%` }}
                        />
                      </span>
                      <Link
                        to={list({ overdue: 'true', escalationLevel: String(level) })}
                        className="level-n"
                      >
                        {n} 项
                      </Link>
                    </li>
                  ))}
              </ul>
            )}
          </Section>
          <Section title="下级组织" count={data.perChild.length} id="children">
            {data.perChild.length === 0 ? (
              <p className="muted">没有下级组织</p>
            ) : (
              <div className="table-wrap">
                <table className="children">
                  <thead>
                    <tr>
                      <th scope="col">组织</th>
                      {LIGHTS.map((l) => (
                        <th scope="col" key={l}>
                          {LIGHT_LABEL[l]}
                        </th>
                      ))}
                      <th scope="col">逾期</th>
                      <th scope="col">已销号</th>
                      <th scope="col">合计</th>
                      <th scope="col" className="chart-col">
                        分布
                      </th>
                    </tr>
                  </thead>
                  <tbody>
                    {data.perChild.map(({ child, counts }) => {
                      const max = Math.max(
                        1,
                        data.own?.total ?? 0,
                        ...data.perChild.map((c) => c.counts.total),
                      );
                      const cell = (n: number, q: Record<string, string>, testid?: string) => (
                        <Link
                          to={withQueryString('/tasks', { orgId: child.id, ...q })}
                          data-testid={testid}
                        >
                          {n}
                        </Link>
                      );
                      return (
                        <tr key={child.id} data-org-id={child.id}>
                          <th scope="row" data-label="组织">
                            <Link to={`/dashboard?orgId=${child.id}`}>{child.name}</Link>
                          </th>
                          {LIGHTS.map((l) => (
                            <td
                              key={l}
                              data-label={LIGHT_LABEL[l]}
                              className={counts[l] && l === 'red' ? 'hot' : undefined}
                            >
                              {cell(counts[l], { light: l }, `child-${l}`)}
                            </td>
                          ))}
                          <td data-label="逾期">{cell(counts.overdue, { overdue: 'true' })}</td>
                          <td data-label="已销号">{cell(counts.closed, { state: 'closed' })}</td>
                          <td data-label="合计">{cell(counts.total, {})}</td>
                          <td className="chart-col" data-label="分布">
                            <Bar
                              max={max}
                              parts={LIGHTS.map((l) => ({ light: l, n: counts[l] }))}
                            />
                          </td>
                        </tr>
                      );
                    })}
                    {data.own && (
                      <tr className="own-row">
                        <th scope="row" data-label="组织">
                          {data.org.name}（本级）
                        </th>
                        {LIGHTS.map((l) => (
                          <td key={l} data-label={LIGHT_LABEL[l]}>
                            {data.own![l]}
                          </td>
                        ))}
                        <td data-label="逾期">{data.own.overdue}</td>
                        <td data-label="已销号">{data.own.closed}</td>
                        <td data-label="合计">{data.own.total}</td>
                        <td className="chart-col" data-label="分布">
                          <Bar
                            max={Math.max(
                              1,
                              data.own.total,
                              ...data.perChild.map((c) => c.counts.total),
                            )}
                            parts={LIGHTS.map((l) => ({ light: l, n: data.own![l] }))}
                          />
                        </td>
                      </tr>
                    )}
                  </tbody>
                </table>
              </div>
            )}
          </Section>
          <Section title="负面清单（屡改屡犯）" count={data.recurring.total} id="recurring">
            {data.recurring.items.length === 0 ? (
              <p className="muted">暂无反复出现的问题</p>
            ) : (
              <ul className="list">
                {data.recurring.items.map((p) => (
                  <li key={p.id}>
                    <Link to={`/problems/${p.id}`}>{p.title}</Link>{' '}
                    <span className="muted">
                      {p.orgName} · {p.categoryName} · 屡改屡犯 ×{p.recurrenceCount}
                    </span>
                  </li>
                ))}
              </ul>
            )}
            <p>
              <Link to={`/problems?recurring=true&orgId=${orgId}`}>查看完整负面清单</Link>
            </p>
          </Section>
          {orgId && data.summary && <CircularPanel orgId={orgId} quarter={data.summary.quarter} />}
        </>
      )}
    </div>
  );
}
