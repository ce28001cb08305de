import { useState } from 'react';
import { api } from '../api';
import { TaskTable } from '../components/TaskTable';
import { ErrorBox, Loading, Section, useAsync } from '../components/ui';
import { getOrg } from '../directory';
import { formatDateTime, quarterName, quarterStart } from '../format';
import { Link } from '../router';
import { orgsWithRole, useMe } from '../session';
import type { AccountabilityCase, Me, Page, Task, TaskAction, TaskState } from '../types';

/** How far one list is read; beyond it the page says so rather than pretending to be complete. */
const PAGE_SIZE = 200;
const MAX_PAGES = 5;

async function scan(
  query: Record<string, string>,
  action: TaskAction,
): Promise<{ tasks: Task[]; truncated: boolean }> {
  const tasks: Task[] = [];
  for (let page = 1; page <= MAX_PAGES; page++) {
    const res = await api<Page<Task>>('/tasks', {
      query: { ...query, page, pageSize: PAGE_SIZE },
    });
    tasks.push(...res.items.filter((t) => t.actions.includes(action)));
    if (page * PAGE_SIZE >= res.total) return { tasks, truncated: false };
  }
  return { tasks, truncated: true };
}

/** Tasks on the doing side: mine, and those of the orgs where I am secretary. */
async function responsibleSide(me: Me, state: TaskState, action: TaskAction) {
  const queries: Record<string, string>[] = [{ responsibleUserId: me.id, state }];
  for (const org of orgsWithRole(me, ['secretary'])) queries.push({ orgId: org.id, state });
  const results = await Promise.all(queries.map((q) => scan(q, action)));
  const byId = new Map<string, Task>();
  results.forEach((r) => r.tasks.forEach((t) => byId.set(t.id, t)));
  return {
    tasks: [...byId.values()].sort((a, b) => (a.dueAt ?? '9').localeCompare(b.dueAt ?? '9')),
    truncated: results.some((r) => r.truncated),
  };
}

async function casesToDecide(me: Me): Promise<AccountabilityCase[]> {
  const page = await api<Page<AccountabilityCase>>('/accountability-cases', {
    query: { state: 'open', pageSize: 200 },
  });
  const discipline = new Set(orgsWithRole(me, ['discipline']).map((o) => o.id));
  const secretary = new Set(orgsWithRole(me, ['secretary']).map((o) => o.id));
  const mine: AccountabilityCase[] = [];
  for (const c of page.items) {
    if (secretary.has(c.raisingOrgId)) {
      mine.push(c);
      continue;
    }
    const raising = await getOrg(c.raisingOrgId);
    if (raising?.path.some((id) => discipline.has(id))) mine.push(c);
  }
  return mine;
}

async function loadMyWork(me: Me) {
  const since = quarterStart(new Date()).toISOString();
  const [toAccept, inProgress, toVerify, toClose, toDecide, cases] = await Promise.all([
    responsibleSide(me, 'assigned', 'accept'),
    responsibleSide(me, 'in_progress', 'reportProgress'),
    scan({ state: 'submitted' }, 'verify'),
    scan({ state: 'verified' }, 'close'),
    scan({ state: 'in_progress' }, 'decideExtension'),
    casesToDecide(me),
  ]);
  const owed = inProgress.tasks.filter((t) => !t.lastProgressAt || t.lastProgressAt < since);
  const reported = inProgress.tasks.filter((t) => t.lastProgressAt && t.lastProgressAt >= since);
  const truncated = [toAccept, inProgress, toVerify, toClose, toDecide].some((r) => r.truncated);
  return {
    toAccept: toAccept.tasks,
    owed,
    reported,
    toVerify: toVerify.tasks,
    toClose: toClose.tasks,
    toDecide: toDecide.tasks,
    cases,
    truncated,
  };
}

export function MyWorkPage() {
  const me = useMe();
  const { data, error, loading, reload } = useAsync(() => loadMyWork(me), [me.id]);
  const [busy, setBusy] = useState<string | null>(null);
  const [actionError, setActionError] = useState<unknown>(null);
  const [done, setDone] = useState<string | null>(null);

  async function act(task: Task, action: 'accept' | 'close', what: string) {
    setBusy(task.id);
    setActionError(null);
    setDone(null);
    try {
      await api(`/tasks/${task.id}/${action}`, { method: 'POST', body: {}, ifMatch: task.version });
      setDone(`${what}：${task.measure}`);
      reload();
    } catch (e) {
      setActionError(e);
    } finally {
      setBusy(null);
    }
  }

  const quarter = quarterName(new Date());
  const counts = data && [
    ['待签收', data.toAccept.length, '#accept'],
    ['待反馈进展', data.owed.length, '#progress'],
    ['待验收', data.toVerify.length, '#verify'],
    ['待批准销号', data.toClose.length, '#close'],
    ['待审批延期', data.toDecide.length, '#extensions'],
    ['待决定问责', data.cases.length, '#cases'],
  ];

  return (
    <div className="page">
      <h1>待办</h1>
      <p className="muted">
        等您处理的事项，每项一步直达。{quarter}的进展反馈以本季度是否已反馈为准。
      </p>
      {counts && (
        <ul className="chips" aria-label="待办数量">
          {counts.map(([label, n, href]) => (
            <li key={label as string}>
              {n ? (
                <a href={href as string} className="chip hot">
                  {label} <strong>{n}</strong>
                </a>
              ) : (
                <span className="chip">
                  {label} <strong>0</strong>
                </span>
              )}
            </li>
          ))}
        </ul>
      )}
      <div aria-live="polite">
        {done && (
          <p className="ok" role="status">
            已完成 · {done}
          </p>
        )}
        <ErrorBox error={actionError} />
      </div>
      <ErrorBox error={error} />
      {loading && !data && <Loading />}
      {data && (
        <>
          {counts?.every(([, n]) => n === 0) && data.reported.length === 0 && (
            <p className="card">暂无待办事项。</p>
          )}
          {data.truncated && (
            <p className="warn">
              事项较多，以下仅列出按期限最近的部分，请在任务清单中筛选查看全部。
            </p>
          )}
          {data.toAccept.length > 0 && (
            <Section title="待签收" count={data.toAccept.length} id="accept">
              <TaskTable
                tasks={data.toAccept}
                empty="没有待签收的任务"
                action={(t) => (
                  <button
                    type="button"
                    className="primary"
                    disabled={busy === t.id}
                    onClick={() => act(t, 'accept', '已签收')}
                  >
                    签收
                  </button>
                )}
              />
            </Section>
          )}
          {data.owed.length > 0 && (
            <Section title={`待反馈进展（${quarter}）`} count={data.owed.length} id="progress">
              <TaskTable
                tasks={data.owed}
                empty="本季度的进展都已反馈"
                action={(t) => (
                  <>
                    <Link className="button primary" to={`/tasks/${t.id}#progress`}>
                      反馈进展
                    </Link>
                    {t.actions.includes('submit') && (
                      <Link className="button" to={`/tasks/${t.id}#submit`}>
                        申请销号
                      </Link>
                    )}
                  </>
                )}
              />
            </Section>
          )}
          {data.reported.length > 0 && (
            <Section title="整改中（本季度已反馈）" count={data.reported.length} id="reported">
              <TaskTable
                tasks={data.reported}
                action={(t) => (
                  <Link className="button" to={`/tasks/${t.id}#submit`}>
                    申请销号
                  </Link>
                )}
              />
            </Section>
          )}
          {data.toVerify.length > 0 && (
            <Section title="待验收" count={data.toVerify.length} id="verify">
              <TaskTable
                tasks={data.toVerify}
                empty="没有待验收的任务"
                action={(t) => (
                  <Link className="button primary" to={`/tasks/${t.id}#verify`}>
                    去验收
                  </Link>
                )}
              />
            </Section>
          )}
          {data.toClose.length > 0 && (
            <Section title="待批准销号" count={data.toClose.length} id="close">
              <TaskTable
                tasks={data.toClose}
                empty="没有待批准销号的任务"
                action={(t) => (
                  <>
                    <button
                      type="button"
                      className="primary"
                      disabled={busy === t.id}
                      onClick={() => act(t, 'close', '已批准销号')}
                    >
                      批准销号
                    </button>
                    <Link className="button" to={`/tasks/${t.id}`}>
                      查看
                    </Link>
                  </>
                )}
              />
            </Section>
          )}
          {data.toDecide.length > 0 && (
            <Section title="待审批延期" count={data.toDecide.length} id="extensions">
              <TaskTable
                tasks={data.toDecide}
                empty="没有待审批的延期申请"
                action={(t) => (
                  <Link className="button primary" to={`/tasks/${t.id}#extension`}>
                    审批延期
                  </Link>
                )}
              />
            </Section>
          )}
          {data.cases.length > 0 && (
            <Section title="待决定问责" count={data.cases.length} id="cases">
              {data.cases.length === 0 ? (
                <p className="muted">没有待决定的问责案件</p>
              ) : (
                <ul className="list">
                  {data.cases.map((c) => (
                    <li key={c.id}>
                      <Link to={`/cases/${c.id}`}>
                        {c.subjectOrgName}：{c.measure}
                      </Link>
                      <span className="muted">（{formatDateTime(c.openedAt)} 启动）</span>{' '}
                      <Link className="button primary" to={`/cases/${c.id}`}>
                        作出决定
                      </Link>
                    </li>
                  ))}
                </ul>
              )}
            </Section>
          )}
        </>
      )}
    </div>
  );
}
