import { useState } from 'react';
import { call, client, fromUrl, ifMatch } from '../api';
import { type CommitmentItemDue, QuarterlyFeedbackForm } from '../components/QuarterlyFeedback';
import { TaskTable } from '../components/TaskTable';
import { ErrorBox, Loading, Section, useAsync } from '../components/ui';
import { getOrg } from '../directory';
import { formatDateTime, quarterLabel, quarterName, quarterStart } from '../format';
import { Link } from '../router';
import { orgsWithRole, useMe } from '../session';
import type {
  AccountabilityCase,
  BulkCloseResult,
  Me,
  Task,
  TaskAction,
  TaskState,
} from '../types';

/** How far one list is read; beyond it the page says so rather than pretending to be complete. */
const PAGE_SIZE = 200;
const MAX_PAGES = 5;

async function scan(
  query: Record<string, string>,
  action: TaskAction,
): Promise<{ tasks: Task[]; truncated: boolean }> {
  const tasks: Task[] = [];
  for (let page = 1; page <= MAX_PAGES; page++) {
    const res = await call(
      client.GET('/api/v1/tasks', {
        params: { query: fromUrl('/api/v1/tasks', { ...query, page, pageSize: PAGE_SIZE }) },
      }),
    );
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
  const page = await call(
    client.GET('/api/v1/accountability-cases', {
      params: { query: { state: 'open', pageSize: 200 } },
    }),
  );
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

/**
 * 践诺: the items of published commitments I report on (my own, or my org's where I am its
 * secretary, deputy or admin) with nothing reported this quarter — they go into the same
 * quarterly feedback as the measures.
 */
async function commitmentItemsDue(me: Me): Promise<CommitmentItemDue[]> {
  const quarter = quarterLabel(new Date());
  const reporting = new Set(orgsWithRole(me, ['secretary', 'deputy', 'admin']).map((o) => o.id));
  const list = await call(
    client.GET('/api/v1/commitments', {
      params: { query: { year: Number(quarter.slice(0, 4)) } },
    }),
  );
  return list
    .filter(
      (c) => c.state === 'published' && (c.userId ? c.userId === me.id : reporting.has(c.orgId)),
    )
    .flatMap((c) =>
      c.items
        .filter((i) => !i.progress.some((p) => p.quarter === quarter))
        .map((i) => ({
          commitmentId: c.id,
          itemId: i.id,
          orgName: c.orgName,
          title: i.title,
          target: i.target,
          dueDate: i.dueDate,
        })),
    );
}

async function loadMyWork(me: Me) {
  const since = quarterStart(new Date()).toISOString();
  const [toAccept, inProgress, toVerify, toClose, toDecide, cases, commitments] = await Promise.all(
    [
      responsibleSide(me, 'assigned', 'accept'),
      responsibleSide(me, 'in_progress', 'reportProgress'),
      scan({ state: 'submitted' }, 'verify'),
      scan({ state: 'verified' }, 'close'),
      scan({ state: 'in_progress' }, 'decideExtension'),
      casesToDecide(me),
      commitmentItemsDue(me),
    ],
  );
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
    commitments,
    truncated,
  };
}

export function MyWorkPage() {
  const me = useMe();
  const { data, error, loading, reload } = useAsync(() => loadMyWork(me), [me.id]);
  const [busy, setBusy] = useState<string | null>(null);
  const [actionError, setActionError] = useState<unknown>(null);
  const [done, setDone] = useState<string | null>(null);

  async function act(task: Task, _action: 'accept', what: string) {
    setBusy(task.id);
    setActionError(null);
    setDone(null);
    try {
      await call(
        client.POST('/api/v1/tasks/{id}/accept', {
          params: { path: { id: task.id } },
          headers: ifMatch(task.version),
          body: {},
        }),
      );
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
    ['待反馈进展', data.owed.length + data.commitments.length, '#progress'],
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
          {(data.owed.length > 0 || data.commitments.length > 0) && (
            <Section
              title={`待反馈进展（${quarter}）`}
              count={data.owed.length + data.commitments.length}
              id="progress"
            >
              <QuarterlyFeedbackForm
                quarter={quarter}
                measures={data.owed}
                items={data.commitments}
                onDone={(n) => {
                  setDone(`已反馈${quarter}进展 ${n} 项`);
                  reload();
                }}
              />
            </Section>
          )}
          {data.reported.length > 0 && (
            <Section title="整改中（本季度已反馈）" count={data.reported.length} id="reported">
              <TaskTable
                tasks={data.reported}
                action={(t) => (
                  <Link className="button" to={`/tasks/${t.id}#submit`}>
                    提交验收
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
              <BulkClose tasks={data.toClose} onDone={reload} />
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

/**
 * 待批准销号: each measure opens on its page with the evidence (审阅销号); several chosen ones
 * can be approved at once, after a confirmation that lists them. Each is checked on its own
 * (POST /tasks/close), and the ones refused say why.
 */
function BulkClose({ tasks, onDone }: { tasks: Task[]; onDone: () => void }) {
  const [chosen, setChosen] = useState<Set<string>>(new Set());
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [outcome, setOutcome] = useState<{ closed: number; refused: BulkCloseResult[] } | null>(
    null,
  );
  const selected = tasks.filter((t) => chosen.has(t.id));
  const toggle = (id: string, on: boolean) =>
    setChosen((c) => {
      const next = new Set(c);
      if (on) next.add(id);
      else next.delete(id);
      return next;
    });
  const measureOf = (id: string) => tasks.find((t) => t.id === id)?.measure ?? id;

  async function approve() {
    setBusy(true);
    setError(null);
    try {
      const results = await call(
        client.POST('/api/v1/tasks/close', { body: { taskIds: selected.map((t) => t.id) } }),
      );
      setOutcome({
        closed: results.filter((r) => r.ok).length,
        refused: results.filter((r) => !r.ok),
      });
      setChosen(new Set());
      setConfirming(false);
      onDone();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="bulk-close">
      {outcome && (
        <div role="status" className={outcome.refused.length ? 'warn' : 'ok'}>
          <p>已批量销号 {outcome.closed} 项。</p>
          {outcome.refused.length > 0 && (
            <ul className="list" aria-label="未能销号">
              {outcome.refused.map((r) => (
                <li key={r.taskId}>
                  {measureOf(r.taskId)}：{r.message ?? r.code ?? r.status}
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
      <div className="toolbar">
        <label className="check">
          <input
            type="checkbox"
            checked={tasks.length > 0 && chosen.size === tasks.length}
            onChange={(e) => setChosen(new Set(e.target.checked ? tasks.map((t) => t.id) : []))}
          />
          全选
        </label>
        <button
          type="button"
          className="primary"
          disabled={selected.length === 0 || busy}
          onClick={() => setConfirming(true)}
        >
          批量批准销号（{selected.length}）
        </button>
      </div>
      {confirming && selected.length > 0 && (
        <div className="warn" role="alertdialog" aria-label="确认批量销号">
          <p>
            将批准以下 {selected.length}{' '}
            项措施销号。销号前请确认已逐项查阅整改材料（点“审阅销号”可查看）：
          </p>
          <ul className="list">
            {selected.map((t) => (
              <li key={t.id}>
                {t.measure}（{t.responsibleOrgName}）
              </li>
            ))}
          </ul>
          <div className="buttons">
            <button type="button" className="primary" disabled={busy} onClick={approve}>
              确认批量销号
            </button>
            <button type="button" disabled={busy} onClick={() => setConfirming(false)}>
              取消
            </button>
          </div>
        </div>
      )}
      <ErrorBox error={error} />
      <TaskTable
        tasks={tasks}
        empty="没有待批准销号的任务"
        action={(t) => (
          <>
            <label className="check">
              <input
                type="checkbox"
                checked={chosen.has(t.id)}
                onChange={(e) => toggle(t.id, e.target.checked)}
                aria-label={`选择：${t.measure}`}
              />
              选择
            </label>
            <Link className="button primary" to={`/tasks/${t.id}#close`}>
              审阅销号
            </Link>
            <Link className="button" to={`/tasks/${t.id}`}>
              查看
            </Link>
          </>
        )}
      />
    </div>
  );
}
