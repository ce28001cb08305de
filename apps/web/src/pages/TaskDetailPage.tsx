import {
  createContext,
  useContext,
  useEffect,
  useState,
  type FormEvent,
  type ReactNode,
} from 'react';
import { ApiError, call, client, ifMatch } from '../api';
import { AttachmentList, AttachmentPicker } from '../components/attachments';
import {
  ErrorBox,
  LevelBadge,
  LightBadge,
  Loading,
  Section,
  StateBadge,
  useAsync,
} from '../components/ui';
import { namesAround } from '../directory';
import { formatDateTime, formatDeadline, todayLocal } from '../format';
import {
  CHECK_LABEL,
  EVENT_LABEL,
  MODE_LABEL,
  SEVERITY_LABEL,
  STATE_LABEL,
  label,
} from '../labels';
import { ReassignForm } from '../components/admin-forms';
import { Link } from '../router';
import type { Attachment, Task, TimelineEvent } from '../types';

async function loadTask(id: string) {
  const [task, timeline, escalations, extensions] = await Promise.all([
    call(client.GET('/api/v1/tasks/{id}', { params: { path: { id } } })),
    call(client.GET('/api/v1/tasks/{id}/timeline', { params: { path: { id } } })),
    call(client.GET('/api/v1/tasks/{id}/escalations', { params: { path: { id } } })),
    call(client.GET('/api/v1/tasks/{id}/extensions', { params: { path: { id } } })),
  ]);
  const names = await namesAround([task.responsibleOrgId, task.raisingOrgId]);
  // The API names the people on the task and the actors of its timeline for whoever sees it,
  // also those in orgs above the caller (whose rosters the caller may not read).
  if (task.responsibleUserName) names.set(task.responsibleUserId, task.responsibleUserName);
  if (task.leaderUserId && task.leaderUserName) names.set(task.leaderUserId, task.leaderUserName);
  for (const e of timeline) if (e.actorId && e.actorName) names.set(e.actorId, e.actorName);
  return { task, timeline, escalations, extensions, names };
}

const text = (v: unknown) => (typeof v === 'string' && v.trim() ? v : null);
const ids = (v: unknown) => (Array.isArray(v) ? (v as string[]) : []);

/** The failed verification a task is back from, while it has not been submitted again. */
function returnedBy(task: Task, timeline: TimelineEvent[]): TimelineEvent | null {
  if (task.state !== 'in_progress' && task.state !== 'assigned') return null;
  for (let i = timeline.length - 1; i >= 0; i--) {
    const e = timeline[i];
    if (e.type === 'verification_failed') return e;
    if (e.type === 'submitted' || e.type === 'reopened') return null;
  }
  return null;
}

/** Why the caller has nothing to do on a task that waits for someone: who it waits for. */
function waitingFor(task: Task): string | null {
  if (task.state === 'submitted' && !task.actions.includes('verify')) {
    return '待验收：由上级督查人员验收；整改责任人和参与整改的人不能验收自己的工作。';
  }
  if (task.state === 'verified' && !task.actions.includes('close')) {
    return '待销号：由上级党组织书记批准销号；验收人和参与整改的人不能批准。';
  }
  return null;
}

/** The last submission of a task: what the approver of the closure looks at. */
function lastSubmission(timeline: TimelineEvent[]): TimelineEvent | null {
  for (let i = timeline.length - 1; i >= 0; i--) {
    if (timeline[i].type === 'submitted') return timeline[i];
  }
  return null;
}

function EventDetails({ event, names }: { event: TimelineEvent; names: Map<string, string> }) {
  const d = event.data ?? {};
  const parts: ReactNode[] = [];
  const line = (k: string, v: ReactNode) =>
    parts.push(
      <div key={k}>
        <span className="muted">{k}：</span>
        {v}
      </div>,
    );
  switch (event.type) {
    case 'assigned':
      line('责任人', names.get(String(d.responsibleUserId)) ?? '—');
      line('期限', formatDeadline(d.dueAt as string | null));
      break;
    case 'progress_reported':
      if (text(d.content)) line('进展', text(d.content));
      if (typeof d.percent === 'number') line('完成比例', `${d.percent}%`);
      break;
    case 'submitted':
      line('整改情况', text(d.summary));
      break;
    case 'check_recorded':
      line('督查结论', label(CHECK_LABEL, d.result as string));
      if (text(d.note)) line('发现', text(d.note));
      break;
    case 'reopened':
      line('原因', text(d.reason));
      if (d.newDueAt) line('新期限', formatDeadline(d.newDueAt as string));
      break;
    case 'extension_requested':
      line('申请期限', formatDeadline(d.requestedDueAt as string));
      line('理由', text(d.reason));
      line('当前进展', text(d.progress));
      break;
    case 'extension_approved':
      line(
        '期限',
        `${formatDeadline(d.oldDueAt as string)} → ${formatDeadline(d.newDueAt as string)}`,
      );
      break;
    case 'escalated':
      line('升级', `${d.level}级 ${d.name ?? ''}`);
      line('通知', `${ids(d.notified).length} 人`);
      break;
    case 'reminded':
      line('提醒', `${ids(d.notified).length} 人`);
      break;
    case 'reassigned': {
      const from = (d.from ?? {}) as Record<string, string | null>;
      const to = (d.to ?? {}) as Record<string, string | null>;
      const person = (id: string | null | undefined) =>
        id ? (names.get(id) ?? '（其他用户）') : '—';
      if (from.responsibleUserId !== to.responsibleUserId)
        line('责任人', `${person(from.responsibleUserId)} → ${person(to.responsibleUserId)}`);
      if (from.leaderUserId !== to.leaderUserId)
        line('分管领导', `${person(from.leaderUserId)} → ${person(to.leaderUserId)}`);
      if (from.responsibleOrgId !== to.responsibleOrgId) line('责任单位', '已变更');
      line('理由', text(d.reason));
      break;
    }
    case 'withdrawn':
      line('理由', text(d.reason));
      break;
    case 'talk_due':
      line('约谈对象', names.get(String(d.leaderUserId)) ?? '分管领导');
      break;
  }
  if (text(d.comment)) line('意见', text(d.comment));
  const files = ids(d.attachmentIds);
  return (
    <>
      {parts}
      {files.length > 0 && <AttachmentList ids={files} />}
    </>
  );
}

/** Clears the last success message when another action starts. */
const ClearFlash = createContext<() => void>(() => undefined);
/** Loads the task again in place (offered when the server says the version shown is stale). */
const ReloadTask = createContext<(() => void) | undefined>(undefined);

/** One action form: posts with If-Match, shows the API's refusal verbatim, reloads on success. */
function ActionForm({
  id,
  title,
  onSubmit,
  children,
  buttons,
}: {
  id: string;
  title: string;
  onSubmit: (submitter: string) => Promise<void>;
  children?: ReactNode;
  buttons: { name: string; label: string; primary?: boolean; danger?: boolean }[];
}) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const clearFlash = useContext(ClearFlash);
  const reloadTask = useContext(ReloadTask);
  async function handle(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    clearFlash();
    const submitter = (e.nativeEvent as SubmitEvent).submitter as HTMLButtonElement | null;
    setBusy(true);
    setError(null);
    try {
      await onSubmit(submitter?.name ?? buttons[0].name);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }
  return (
    <form className="action-form" id={id} onSubmit={handle} aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>{title}</h3>
      {children}
      <ErrorBox error={error} onReload={reloadTask} />
      <div className="buttons">
        {buttons.map((b) => (
          <button
            key={b.name}
            type="submit"
            name={b.name}
            disabled={busy}
            className={b.primary ? 'primary' : b.danger ? 'danger' : undefined}
          >
            {b.label}
          </button>
        ))}
      </div>
    </form>
  );
}

function Actions({
  task,
  submission,
  onDone,
}: {
  task: Task;
  submission: TimelineEvent | null;
  onDone: (message: string) => void;
}) {
  const [confirmingClose, setConfirmingClose] = useState(false);
  const [comment, setComment] = useState('');
  const [content, setContent] = useState('');
  const [percent, setPercent] = useState('');
  const [progressFiles, setProgressFiles] = useState<Attachment[]>([]);
  const [summary, setSummary] = useState('');
  const [submitFiles, setSubmitFiles] = useState<Attachment[]>([]);
  const [verifyComment, setVerifyComment] = useState('');
  const [closeComment, setCloseComment] = useState('');
  const [reopenReason, setReopenReason] = useState('');
  const [reopenDate, setReopenDate] = useState('');
  const [extDate, setExtDate] = useState('');
  const [extReason, setExtReason] = useState('');
  const [extProgress, setExtProgress] = useState('');
  const [decision, setDecision] = useState('');
  const [checkResult, setCheckResult] = useState('on_track');
  const [checkNote, setCheckNote] = useState('');

  // Every action names the task and the version it was read at (If-Match).
  const at = { params: { path: { id: task.id } }, headers: ifMatch(task.version) };
  /** What the server would refuse, said before sending (the server checks it again). */
  const refuse = (message: string) => {
    throw new ApiError(400, message);
  };
  const finish = (message: string) => onDone(message);
  const has = (a: Task['actions'][number]) => task.actions.includes(a);

  if (task.actions.length === 0) {
    return <p className="muted">您现在对此任务没有可办理的操作。</p>;
  }
  return (
    <div className="action-forms">
      {has('accept') && (
        <ActionForm
          id="accept"
          title="签收"
          buttons={[{ name: 'accept', label: '签收', primary: true }]}
          onSubmit={async () => {
            await call(
              client.POST('/api/v1/tasks/{id}/accept', { ...at, body: comment ? { comment } : {} }),
            );
            return finish('已签收');
          }}
        >
          <label>
            签收意见（可不填）
            <input value={comment} onChange={(e) => setComment(e.target.value)} />
          </label>
        </ActionForm>
      )}
      {has('reportProgress') && (
        <ActionForm
          id="progress"
          title="反馈进展"
          buttons={[{ name: 'progress', label: '提交进展', primary: true }]}
          onSubmit={async () => {
            await call(
              client.POST('/api/v1/tasks/{id}/progress', {
                ...at,
                body: {
                  content,
                  ...(percent !== '' ? { percent: Number(percent) } : {}),
                  attachmentIds: progressFiles.map((f) => f.id),
                },
              }),
            );
            setContent('');
            setPercent('');
            setProgressFiles([]);
            return finish('进展已反馈');
          }}
        >
          <label>
            进展情况
            <textarea
              name="content"
              value={content}
              onChange={(e) => setContent(e.target.value)}
              rows={3}
            />
          </label>
          <label>
            完成比例（%）
            <input
              type="number"
              min={0}
              max={100}
              value={percent}
              onChange={(e) => setPercent(e.target.value)}
            />
          </label>
          <AttachmentPicker id="progress-files" value={progressFiles} onChange={setProgressFiles} />
        </ActionForm>
      )}
      {has('submit') && (
        <ActionForm
          id="submit"
          title="提交验收"
          buttons={[{ name: 'submit', label: '提交验收', primary: true }]}
          onSubmit={async () => {
            await call(
              client.POST('/api/v1/tasks/{id}/submit', {
                ...at,
                body: { summary, attachmentIds: submitFiles.map((f) => f.id) },
              }),
            );
            setSummary('');
            setSubmitFiles([]);
            return finish('已申请销号，等待验收');
          }}
        >
          <label>
            整改完成情况
            <textarea
              name="summary"
              value={summary}
              onChange={(e) => setSummary(e.target.value)}
              rows={3}
            />
          </label>
          <AttachmentPicker id="submit-files" value={submitFiles} onChange={setSubmitFiles} />
        </ActionForm>
      )}
      {has('verify') && (
        <ActionForm
          id="verify"
          title="验收"
          buttons={[
            { name: 'pass', label: '验收通过', primary: true },
            { name: 'fail', label: '退回重改', danger: true },
          ]}
          onSubmit={async (which) => {
            const passed = which === 'pass';
            if (!passed && !verifyComment.trim()) refuse('退回重改须写明需要重改的内容');
            await call(
              client.POST('/api/v1/tasks/{id}/verify', {
                ...at,
                body: { passed, ...(verifyComment ? { comment: verifyComment } : {}) },
              }),
            );
            setVerifyComment('');
            return finish(passed ? '验收通过' : '已退回重改');
          }}
        >
          <label>
            验收意见（退回时必填）
            <textarea
              name="verifyComment"
              value={verifyComment}
              onChange={(e) => setVerifyComment(e.target.value)}
              rows={2}
            />
          </label>
        </ActionForm>
      )}
      {has('close') && (
        <ActionForm
          id="close"
          title="批准销号"
          buttons={
            confirmingClose
              ? [
                  { name: 'confirm', label: '确认销号', primary: true },
                  { name: 'cancel', label: '取消' },
                ]
              : [{ name: 'close', label: '批准销号', primary: true }]
          }
          onSubmit={async (which) => {
            // Closing is final: the approver looks at the evidence, then confirms.
            if (which === 'close') return setConfirmingClose(true);
            if (which === 'cancel') return setConfirmingClose(false);
            await call(
              client.POST('/api/v1/tasks/{id}/close', {
                ...at,
                body: closeComment ? { comment: closeComment } : {},
              }),
            );
            return finish('已销号');
          }}
        >
          <div className="close-evidence" data-testid="close-evidence">
            <p>
              <strong>整改完成情况：</strong>
              {text(submission?.data?.summary) ?? '（未填写）'}
            </p>
            {ids(submission?.data?.attachmentIds).length > 0 ? (
              <AttachmentList ids={ids(submission?.data?.attachmentIds)} />
            ) : (
              <p className="muted">未上传佐证材料</p>
            )}
          </div>
          <label>
            审批意见（可不填）
            <input value={closeComment} onChange={(e) => setCloseComment(e.target.value)} />
          </label>
          {confirmingClose && (
            <p className="warn" role="alert" data-testid="confirm-close">
              销号后此项整改即告完成，不能撤回（发现反弹只能“回头看”重新打开）。确认已查阅上述整改材料并批准销号？
            </p>
          )}
        </ActionForm>
      )}
      {has('decideExtension') && task.pendingExtension && (
        <ActionForm
          id="extension"
          title="审批延期"
          buttons={[
            { name: 'approve', label: '同意延期', primary: true },
            { name: 'reject', label: '驳回', danger: true },
          ]}
          onSubmit={async (which) => {
            const decided = {
              params: { path: { id: task.pendingExtension!.id } },
              body: decision ? { comment: decision } : {},
            };
            await call(
              which === 'approve'
                ? client.POST('/api/v1/extensions/{id}/approve', decided)
                : client.POST('/api/v1/extensions/{id}/reject', decided),
            );
            setDecision('');
            return finish(which === 'approve' ? '已同意延期' : '已驳回延期申请');
          }}
        >
          <p>
            申请延期至 <strong>{formatDeadline(task.pendingExtension.newDueAt)}</strong>
            ，理由：{task.pendingExtension.reason}
          </p>
          <label>
            审批意见
            <input value={decision} onChange={(e) => setDecision(e.target.value)} />
          </label>
        </ActionForm>
      )}
      {has('requestExtension') && (
        <ActionForm
          id="request-extension"
          title="申请延期（须在期限前提出）"
          buttons={[{ name: 'request', label: '提交延期申请' }]}
          onSubmit={async () => {
            if (!extDate) refuse('请填写延期至的日期');
            // The server's rule, which needs no clock: later than the deadline in force.
            const current = task.dueAt ? todayLocal(new Date(task.dueAt)) : null;
            if (current && extDate <= current)
              refuse(`延期至的日期须晚于当前的完成期限（${formatDeadline(task.dueAt)}）`);
            if (!extReason.trim()) refuse('请填写延期理由');
            await call(
              client.POST('/api/v1/tasks/{id}/extensions', {
                ...at,
                body: {
                  newDueDate: extDate,
                  reason: extReason,
                  ...(extProgress ? { progress: extProgress } : {}),
                },
              }),
            );
            setExtReason('');
            setExtProgress('');
            return finish('延期申请已提交');
          }}
        >
          <label>
            延期至
            <input
              type="date"
              name="extDate"
              value={extDate}
              onChange={(e) => setExtDate(e.target.value)}
            />
          </label>
          <label>
            理由
            <textarea value={extReason} onChange={(e) => setExtReason(e.target.value)} rows={2} />
          </label>
          <label>
            目前进展（不填则取最近一次进展反馈）
            <textarea
              value={extProgress}
              onChange={(e) => setExtProgress(e.target.value)}
              rows={2}
            />
          </label>
        </ActionForm>
      )}
      {has('recordCheck') && (
        <ActionForm
          id="check"
          title="记录督查"
          buttons={[{ name: 'check', label: '记录督查结论' }]}
          onSubmit={async () => {
            await call(
              client.POST('/api/v1/tasks/{id}/checks', {
                ...at,
                body: {
                  result: checkResult as NonNullable<Task['lastCheckResult']>,
                  ...(checkNote ? { note: checkNote } : {}),
                },
              }),
            );
            setCheckNote('');
            return finish('督查结论已记录');
          }}
        >
          <label>
            督查结论
            <select value={checkResult} onChange={(e) => setCheckResult(e.target.value)}>
              {Object.entries(CHECK_LABEL).map(([code, name]) => (
                <option key={code} value={code}>
                  {name}
                </option>
              ))}
            </select>
          </label>
          <label>
            发现的问题（滞后、表面整改时必填）
            <textarea value={checkNote} onChange={(e) => setCheckNote(e.target.value)} rows={2} />
          </label>
        </ActionForm>
      )}
      {has('reopen') && (
        <ActionForm
          id="reopen"
          title="回头看：重新打开"
          buttons={[{ name: 'reopen', label: '重新打开', danger: true }]}
          onSubmit={async () => {
            if (!reopenReason.trim()) refuse('请填写重新打开的原因');
            await call(
              client.POST('/api/v1/tasks/{id}/reopen', {
                ...at,
                body: {
                  reason: reopenReason,
                  ...(reopenDate ? { newDueDate: reopenDate } : {}),
                },
              }),
            );
            setReopenReason('');
            return finish('已重新打开');
          }}
        >
          <label>
            原因
            <textarea
              value={reopenReason}
              onChange={(e) => setReopenReason(e.target.value)}
              rows={2}
            />
          </label>
          <label>
            新期限（可不填）
            <input type="date" value={reopenDate} onChange={(e) => setReopenDate(e.target.value)} />
          </label>
        </ActionForm>
      )}
    </div>
  );
}

export function TaskDetailPage({ id }: { id: string }) {
  const { data, error, loading, reload } = useAsync(() => loadTask(id), [id]);
  const [flash, setFlash] = useState<string | null>(null);
  const hash = typeof window !== 'undefined' ? window.location.hash.slice(1) : '';

  useEffect(() => {
    if (!data || !hash) return;
    const el = document.getElementById(hash);
    if (el) {
      el.scrollIntoView({ block: 'start' });
      el.querySelector<HTMLElement>('input, textarea, select, button')?.focus({
        preventScroll: true,
      });
    }
  }, [data, hash]);

  if (error) return <ErrorBox error={error} />;
  if (!data) return <Loading />;
  const { task, timeline, escalations, extensions, names } = data;
  const who = (userId: string | null) => (userId ? (names.get(userId) ?? '（其他用户）') : '系统');
  const returned = returnedBy(task, timeline);
  const waiting = waitingFor(task);
  const progress = timeline.filter((e) => e.type === 'progress_reported');
  const checks = timeline.filter((e) => e.type === 'check_recorded');
  const evidence = [
    ...new Set(
      timeline
        .filter((e) => e.type === 'progress_reported' || e.type === 'submitted')
        .flatMap((e) => ids(e.data?.attachmentIds)),
    ),
  ];

  return (
    <div className="page task-page" aria-busy={loading}>
      <p className="crumbs">
        <Link to={`/problems/${task.problemId}`}>问题：{task.problemTitle}</Link>
      </p>
      <h1>{task.measure}</h1>
      {returned && (
        <div className="returned" role="alert" data-testid="returned">
          <strong>已退回</strong>
          <span>
            {who(returned.actorId)}于{formatDateTime(returned.at)}验收未通过，退回重改
            {text(returned.data?.comment) ? `：${text(returned.data?.comment)}` : '。'}
          </span>
        </div>
      )}
      <div className="facts">
        <LightBadge light={task.light} />
        <StateBadge state={task.state} />
        {returned && <span className="tag danger">已退回</span>}
        <LevelBadge
          level={task.escalationLevel}
          name={escalations.find((e) => e.level === task.escalationLevel)?.name}
        />
      </div>
      <dl className="grid-dl">
        <dt>责任单位</dt>
        <dd>{task.responsibleOrgName}</dd>
        <dt>责任人</dt>
        <dd>{who(task.responsibleUserId)}</dd>
        <dt>分管领导</dt>
        <dd>{task.leaderUserId ? who(task.leaderUserId) : '—'}</dd>
        <dt>整改方式</dt>
        <dd>{MODE_LABEL[task.mode]}</dd>
        <dt>期限</dt>
        <dd data-testid="task-deadline">{formatDeadline(task.dueAt)}</dd>
        <dt>严重程度</dt>
        <dd>{label(SEVERITY_LABEL, task.severity)}</dd>
        {task.policyInherited !== undefined && (
          <>
            <dt>升级规则</dt>
            <dd data-testid="task-policy">
              <Link to={`/policy?orgId=${task.policyOrgId ?? task.raisingOrgId}`}>
                {task.policyOrgId === null || task.policyOrgId === undefined
                  ? '按系统默认规则（立项党组织及其上级均未自定）'
                  : task.policyInherited
                    ? '按立项党组织沿用的上级规则'
                    : '按立项党组织自定规则'}
              </Link>
            </dd>
          </>
        )}
        <dt>最近进展</dt>
        <dd>{formatDateTime(task.lastProgressAt)}</dd>
        <dt>最近督查</dt>
        <dd>
          {task.lastCheckResult
            ? `${label(CHECK_LABEL, task.lastCheckResult)}（${formatDateTime(task.lastCheckAt)}）`
            : '—'}
        </dd>
        {task.relapse && (
          <>
            <dt>回头看</dt>
            <dd className="warning" data-testid="task-relapse">
              销号后回头看发现反弹，已重新打开整改
            </dd>
          </>
        )}
        {task.talk && task.talk.state !== 'none' && (
          <>
            <dt>约谈</dt>
            <dd data-testid="task-talk" className={task.talk.state === 'overdue' ? 'warning' : ''}>
              {task.talk.state === 'held'
                ? '已约谈'
                : `应于 ${formatDateTime(task.talk.dueBy)} 前约谈${task.talk.state === 'overdue' ? '（已逾期）' : ''}`}
            </dd>
          </>
        )}
      </dl>

      <Section title="可办理的操作" id="actions">
        <div aria-live="polite">
          {flash && (
            <p className="ok" role="status" data-testid="flash">
              {flash}
            </p>
          )}
        </div>
        {task.conflictOfInterest && (
          <p className="warn" role="note" data-testid="conflict-of-interest">
            回避：{task.conflictOfInterest}，不能验收、销号或督查此任务。
          </p>
        )}
        {waiting && !task.conflictOfInterest && (
          <p className="muted" role="note" data-testid="waiting-for">
            {waiting}
          </p>
        )}
        {task.withdrawn && (
          <p className="warn" role="note" data-testid="task-withdrawn">
            已撤回：该问题已撤回，此整改措施不再办理和升级。
          </p>
        )}
        <ClearFlash.Provider value={() => setFlash(null)}>
          <ReloadTask.Provider value={reload}>
            <Actions
              key={`${task.version}-${task.state}`}
              task={task}
              submission={lastSubmission(timeline)}
              onDone={(message) => {
                setFlash(message);
                reload();
              }}
            />
          </ReloadTask.Provider>
        </ClearFlash.Provider>
      </Section>

      {!task.withdrawn && task.state !== 'verified' && task.state !== 'closed' && (
        <ReassignForm
          key={`reassign-${task.version}`}
          task={task}
          onDone={() => {
            setFlash('已改派');
            reload();
          }}
        />
      )}

      <div className="two-col">
        <Section title="全程记录" count={timeline.length} id="timeline">
          <ol className="timeline">
            {timeline.map((e) => (
              <li key={e.seq} className={`event event-${e.type}`} data-event={e.type}>
                <div className="event-head">
                  <strong>{EVENT_LABEL[e.type] ?? e.type}</strong>
                  {e.to && e.from !== e.to && (
                    <span className="muted"> → {label(STATE_LABEL, e.to)}</span>
                  )}
                  <span className="muted">
                    {' '}
                    · {who(e.actorId)} · <time dateTime={e.at}>{formatDateTime(e.at)}</time>
                  </span>
                </div>
                <EventDetails event={e} names={names} />
              </li>
            ))}
          </ol>
        </Section>
        <div>
          <Section title="佐证材料" id="evidence">
            {evidence.length ? <AttachmentList ids={evidence} /> : <p className="muted">暂无</p>}
          </Section>
          <Section title="进展反馈" count={progress.length} id="progress-list">
            {progress.length === 0 ? (
              <p className="muted">暂无</p>
            ) : (
              <ul className="list">
                {progress.map((e) => (
                  <li key={e.seq}>
                    {formatDateTime(e.at)} {text(e.data.content)}
                    {typeof e.data.percent === 'number' && `（${e.data.percent}%）`}
                  </li>
                ))}
              </ul>
            )}
          </Section>
          <Section title="督查记录" count={checks.length} id="checks">
            {checks.length === 0 ? (
              <p className="muted">暂无</p>
            ) : (
              <ul className="list">
                {checks.map((e) => (
                  <li key={e.seq}>
                    {formatDateTime(e.at)} {label(CHECK_LABEL, e.data.result as string)}{' '}
                    {text(e.data.note)}
                  </li>
                ))}
              </ul>
            )}
          </Section>
          <Section title="逾期升级" count={escalations.length} id="escalations">
            {escalations.length === 0 ? (
              <p className="muted">未升级</p>
            ) : (
              <ol className="ladder-reached">
                {escalations.map((e) => (
                  <li key={`${e.level}-${e.at}`} data-level={e.level}>
                    <strong>
                      {e.level}级 {e.name}
                    </strong>{' '}
                    <span className="muted">
                      {formatDateTime(e.at)}，通知 {e.notified.length} 人
                    </span>
                  </li>
                ))}
              </ol>
            )}
          </Section>
          <Section title="延期申请" count={extensions.length} id="extensions">
            {extensions.length === 0 ? (
              <p className="muted">暂无</p>
            ) : (
              <ul className="list">
                {extensions.map((x) => (
                  <li key={x.id}>
                    {formatDateTime(x.requestedAt)} {who(x.requestedBy)} 申请延期至{' '}
                    {formatDeadline(x.newDueAt)}：{x.reason}（
                    {x.state === 'pending'
                      ? '待审批'
                      : x.state === 'approved'
                        ? '已同意'
                        : '已驳回'}
                    ）
                  </li>
                ))}
              </ul>
            )}
          </Section>
        </div>
      </div>
    </div>
  );
}
