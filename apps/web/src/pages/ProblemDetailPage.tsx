import { call, client } from '../api';
import { EditProblemForm, WithdrawProblemForm } from '../components/admin-forms';
import { TaskTable } from '../components/TaskTable';
import { ErrorBox, Loading, Section, useAsync } from '../components/ui';
import { namesAround } from '../directory';
import { formatDateTime } from '../format';
import { SEVERITY_LABEL, SOURCE_LABEL, label } from '../labels';
import { Link } from '../router';

export function ProblemDetailPage({ id }: { id: string }) {
  const { data, error, reload } = useAsync(async () => {
    const problem = await call(client.GET('/api/v1/problems/{id}', { params: { path: { id } } }));
    const names = await namesAround([
      problem.orgId,
      problem.raisedByOrgId,
      ...new Set(problem.tasks.map((t) => t.responsibleOrgId)),
    ]);
    return { problem, names };
  }, [id]);
  if (error) return <ErrorBox error={error} />;
  if (!data) return <Loading />;
  const { problem: p, names } = data;
  return (
    <div className="page">
      <p className="crumbs">
        <Link to="/problems">问题清单</Link>
      </p>
      <h1>
        {p.title}
        {p.recurring && <span className="tag danger">屡改屡犯 ×{p.recurrenceCount}</span>}
      </h1>
      <dl className="grid-dl">
        <dt>状态</dt>
        <dd data-testid="problem-state">
          {p.state === 'withdrawn'
            ? `已撤回（${formatDateTime(p.withdrawnAt ?? null)}）`
            : p.state === 'open'
              ? '整改中'
              : `已销号（${formatDateTime(p.closedAt)}）`}
        </dd>
        <dt>所在组织</dt>
        <dd>{p.orgName}</dd>
        <dt>分类</dt>
        <dd>{p.categoryName}</dd>
        <dt>严重程度</dt>
        <dd>{label(SEVERITY_LABEL, p.severity)}</dd>
        <dt>来源</dt>
        <dd>{label(SOURCE_LABEL, p.source)}</dd>
        <dt>批次</dt>
        <dd>{p.campaign ?? '—'}</dd>
        <dt>立项</dt>
        <dd>
          {formatDateTime(p.createdAt)}，{names.get(p.raisedBy) ?? '—'}
        </dd>
      </dl>
      {p.state === 'withdrawn' && (
        <div className="warn" role="note" data-testid="withdrawn-note">
          <p>该问题已撤回，理由：{p.withdrawReason}。未销号的整改措施不再办理和升级。</p>
        </div>
      )}
      {p.description && (
        <Section title="问题描述">
          <p className="prewrap">{p.description}</p>
        </Section>
      )}
      {p.warnings && p.warnings.length > 0 && (
        <div className="warn" role="note">
          {p.warnings.map((w) => (
            <p key={w}>{w}</p>
          ))}
        </div>
      )}
      {p.recurrenceOf.length > 0 && (
        <Section title="此前同类问题">
          <ul className="list">
            {p.recurrenceOf.map((rid) => (
              <li key={rid}>
                <Link to={`/problems/${rid}`}>查看此前问题</Link>
              </li>
            ))}
          </ul>
        </Section>
      )}
      <Section title="整改措施" count={p.tasks.length} id="measures">
        <TaskTable tasks={p.tasks} showProblem={false} people={names} />
      </Section>
      {p.state !== 'withdrawn' && (
        <div className="admin-forms">
          <EditProblemForm problem={p} onDone={reload} />
          {p.state === 'open' && <WithdrawProblemForm problem={p} onDone={reload} />}
        </div>
      )}
    </div>
  );
}
