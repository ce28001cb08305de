import { useState } from 'react';
import { call, client, saveBlob } from '../api';
import { OrgSelect } from '../components/OrgSelect';
import { ErrorBox, Loading, Section, useAsync } from '../components/ui';
import { formatDateTime } from '../format';
import { GRADE_LABEL, SOURCE_LABEL, type DrillDown, type Grade } from '../loop-types';
import { Link } from '../router';

const GRADES = Object.keys(GRADE_LABEL) as Grade[];

/** 考核: the assessments I may see, per year and assessing committee, each linking to its table. */
export function AssessmentListPage() {
  const [year, setYear] = useState<number | ''>(new Date().getFullYear());
  const [orgId, setOrgId] = useState('');
  const { data, error, loading } = useAsync(
    () =>
      call(
        client.GET('/api/v1/assessments', {
          params: { query: { ...(year ? { year } : {}), ...(orgId ? { orgId } : {}) } },
        }),
      ),
    [year, orgId],
  );
  return (
    <>
      <h1>年度党建考核</h1>
      <div className="filters card">
        <label>
          年度
          <input
            type="number"
            value={year}
            onChange={(e) => setYear(e.target.value ? Number(e.target.value) : '')}
          />
        </label>
        <OrgSelect
          id="assessments-org"
          label="考核组织"
          value={orgId}
          onChange={setOrgId}
          allowEmpty
        />
      </div>
      <Section title="考核结果" count={data?.length}>
        {loading && <Loading />}
        <ErrorBox error={error} />
        {data?.length === 0 && <p className="muted">暂无考核结果</p>}
        <ul className="list" aria-label="考核列表">
          {(data ?? []).map((a) => (
            <li key={a.id} data-testid="assessment">
              <Link to={`/assessments/${a.id}`}>
                {a.orgName} {a.year} 年度党建考核
              </Link>{' '}
              （{a.state === 'confirmed' ? '已确认' : '待确认'}，{formatDateTime(a.computedAt)}{' '}
              计算）
              <span className="muted">
                {' '}
                共 {a.rows} 个组织：
                {GRADES.map((g) => `${GRADE_LABEL[g]} ${a.grades[g]}`).join('，')}
              </span>
            </li>
          ))}
        </ul>
      </Section>
    </>
  );
}

const fmt = (source: string, v: number | null) =>
  v === null
    ? '—'
    : source === 'on_time_rate' || source === 'commitments'
      ? `${Math.round(v * 1000) / 10}%`
      : String(v);

/** 考核: the table of one assessment, each value a link to the rows behind it. */
export function AssessmentPage({ id }: { id: string }) {
  const {
    data: a,
    error,
    loading,
  } = useAsync(
    () => call(client.GET('/api/v1/assessments/{id}', { params: { path: { id } } })),
    [id],
  );
  const [drill, setDrill] = useState<{ orgName: string; data: DrillDown } | null>(null);
  const [drillError, setDrillError] = useState<unknown>(null);
  if (loading && !a) return <Loading />;
  if (!a) return <ErrorBox error={error} />;
  const codes = a.rows[0]?.indicators ?? [];
  const open = async (orgId: string, orgName: string, code: string) => {
    setDrillError(null);
    try {
      setDrill({
        orgName,
        data: await call(
          client.GET('/api/v1/assessments/{id}/rows/{orgId}/indicators/{code}', {
            params: { path: { id, orgId, code } },
          }),
        ),
      });
    } catch (err) {
      setDrillError(err);
    }
  };
  return (
    <>
      <h1>
        {a.year} 年度党建考核{a.state === 'confirmed' ? '（已确认）' : '（待确认）'}
      </h1>
      <div className="buttons">
        <Link className="button" to="/assessments">
          考核列表
        </Link>
        <button
          type="button"
          className="button"
          onClick={async () =>
            saveBlob(
              await call(
                client.GET('/api/v1/assessments/{id}/export', {
                  params: { path: { id } },
                  parseAs: 'blob',
                }),
              ),
              `考核结果-${a.year}.xlsx`,
            )
          }
        >
          导出 Excel
        </button>
      </div>
      <div className="card table-wrap">
        <table aria-label="考核结果">
          <thead>
            <tr>
              <th>组织</th>
              {codes.map((c) => (
                <th key={c.code}>{SOURCE_LABEL[c.source] ?? c.code}（原始值 / 得分）</th>
              ))}
              <th>总分</th>
              <th>等次</th>
            </tr>
          </thead>
          <tbody>
            {a.rows.map((r) => (
              <tr key={r.orgId} data-testid="assessment-row">
                <th scope="row">{r.orgName}</th>
                {r.indicators.map((i) => (
                  <td key={i.code}>
                    <button
                      type="button"
                      className="link-button"
                      onClick={() => open(r.orgId, r.orgName, i.code)}
                    >
                      {fmt(i.source, i.value)}
                    </button>{' '}
                    / {i.score}
                  </td>
                ))}
                <td>{r.total}</td>
                <td data-testid="grade">{GRADE_LABEL[r.grade]}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <ErrorBox error={drillError} />
      {drill && (
        <section className="card" aria-label="明细">
          <h2>
            {drill.orgName} · {SOURCE_LABEL[drill.data.source]}：
            {fmt(drill.data.source, drill.data.value)}（得分 {drill.data.score}）
          </h2>
          {drill.data.items.length === 0 ? (
            <p className="muted">无明细</p>
          ) : (
            <ul data-testid="drill-down">
              {drill.data.items.map((item, n) => (
                <li key={n}>
                  {String(item.measure ?? item.summary ?? item.title ?? '')}
                  {item.dueAt ? `，期限 ${String(item.dueAt).slice(0, 10)}` : ''}
                  {item.onTime === true
                    ? '，按期销号'
                    : item.onTime === false
                      ? '，未按期销号'
                      : ''}
                  {typeof item.overdueDays === 'number' && item.overdueDays > 0
                    ? `，超期 ${item.overdueDays} 天`
                    : ''}
                </li>
              ))}
            </ul>
          )}
        </section>
      )}
    </>
  );
}
