// 改派 on the task page; 编辑 and 撤回 on the problem page. Each shows the server's refusal
// verbatim and reloads the page on success.
import { useEffect, useState, type FormEvent, type ReactNode } from 'react';
import { call, client, ifMatch } from '../api';
import { getOrg, peopleOf } from '../directory';
import { ROLE_LABEL } from '../labels';
import { useSession } from '../session';
import type { Problem, Role, Task } from '../types';
import { OrgSelect } from './OrgSelect';
import { ErrorBox } from './ui';

function AdminForm({
  id,
  title,
  submitLabel,
  danger,
  onSubmit,
  children,
}: {
  id: string;
  title: string;
  submitLabel: string;
  danger?: boolean;
  onSubmit: () => Promise<void>;
  children: ReactNode;
}) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  async function handle(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await onSubmit();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }
  return (
    <details className="card admin-form" id={id}>
      <summary>{title}</summary>
      <form onSubmit={handle} aria-label={title}>
        {children}
        <ErrorBox error={error} />
        <div className="buttons">
          <button type="submit" disabled={busy} className={danger ? 'danger' : 'primary'}>
            {submitLabel}
          </button>
        </div>
      </form>
    </details>
  );
}

function ReasonField({
  id,
  value,
  onChange,
  placeholder,
}: {
  id: string;
  value: string;
  onChange: (v: string) => void;
  placeholder: string;
}) {
  return (
    <label htmlFor={id}>
      理由（必填，将记入全程记录）
      <textarea
        id={id}
        required
        maxLength={500}
        value={value}
        placeholder={placeholder}
        onChange={(e) => onChange(e.target.value)}
      />
    </label>
  );
}

/**
 * Whether the signed-in person holds one of `roles` in the org or one above it — the server
 * decides; this only spares others a form they may not use.
 */
function useHoldsRoleOver(orgId: string, roles: readonly Role[]): boolean {
  const { me } = useSession();
  const [path, setPath] = useState<string[]>([orgId]);
  useEffect(() => {
    let live = true;
    getOrg(orgId)
      .then((org) => live && org && setPath(org.path))
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, [orgId]);
  return (me?.roles ?? []).some(
    (r) => r.orgId !== null && path.includes(r.orgId) && roles.includes(r.role),
  );
}

const SUPERVISING: Role[] = ['secretary', 'deputy', 'supervisor', 'admin'];

type Person = { userId: string; displayName: string; roles: string[] };
const describe = (p: Person) =>
  `${p.displayName}（${p.roles.map((r) => ROLE_LABEL[r as Role] ?? r).join('、')}）`;

/** 改派: a new responsible org, person or leader, with a reason. */
export function ReassignForm({ task, onDone }: { task: Task; onDone: () => void }) {
  return useHoldsRoleOver(task.raisingOrgId, SUPERVISING) ? (
    <ReassignFormBody task={task} onDone={onDone} />
  ) : null;
}

function ReassignFormBody({ task, onDone }: { task: Task; onDone: () => void }) {
  const [orgId, setOrgId] = useState(task.responsibleOrgId);
  const [userId, setUserId] = useState(task.responsibleUserId);
  const [leaderId, setLeaderId] = useState(task.leaderUserId ?? '');
  const [reason, setReason] = useState('');
  const [people, setPeople] = useState<Person[]>([]);
  const [leaders, setLeaders] = useState<Person[]>([]);
  useEffect(() => {
    let live = true;
    (async () => {
      const org = await getOrg(orgId);
      const [here, above] = await Promise.all([peopleOf([orgId]), peopleOf(org?.path ?? [orgId])]);
      if (!live) return;
      setPeople(here);
      setLeaders(above);
    })().catch(() => undefined);
    return () => {
      live = false;
    };
  }, [orgId]);
  return (
    <AdminForm
      id="reassign"
      title="改派"
      submitLabel="确认改派"
      onSubmit={async () => {
        await call(
          client.POST('/api/v1/tasks/{id}/reassign', {
            params: { path: { id: task.id } },
            headers: ifMatch(task.version),
            body: {
              ...(orgId !== task.responsibleOrgId ? { responsibleOrgId: orgId } : {}),
              ...(userId !== task.responsibleUserId ? { responsibleUserId: userId } : {}),
              ...(leaderId && leaderId !== task.leaderUserId ? { leaderUserId: leaderId } : {}),
              reason,
            },
          }),
        );
        onDone();
      }}
    >
      <p className="muted">改派后，原责任人、新责任人和分管领导都会收到通知。</p>
      <OrgSelect
        id="reassign-org"
        label="责任单位"
        value={orgId}
        onChange={(id) => {
          setOrgId(id);
          setUserId('');
        }}
      />
      <label htmlFor="reassign-user">
        责任人
        <select
          id="reassign-user"
          required
          value={userId}
          onChange={(e) => setUserId(e.target.value)}
        >
          <option value="">请选择</option>
          {people.map((p) => (
            <option key={p.userId} value={p.userId}>
              {describe(p)}
            </option>
          ))}
        </select>
      </label>
      <label htmlFor="reassign-leader">
        分管领导
        <select id="reassign-leader" value={leaderId} onChange={(e) => setLeaderId(e.target.value)}>
          <option value="">不变</option>
          {leaders.map((p) => (
            <option key={p.userId} value={p.userId}>
              {describe(p)}
            </option>
          ))}
        </select>
      </label>
      <ReasonField
        id="reassign-reason"
        value={reason}
        onChange={setReason}
        placeholder="如：原责任人调离"
      />
    </AdminForm>
  );
}

/** 编辑 a problem's title and description, with a reason. */
export function EditProblemForm({ problem, onDone }: { problem: Problem; onDone: () => void }) {
  return useHoldsRoleOver(problem.raisedByOrgId, SUPERVISING) ? (
    <EditProblemFormBody problem={problem} onDone={onDone} />
  ) : null;
}

function EditProblemFormBody({ problem, onDone }: { problem: Problem; onDone: () => void }) {
  const [title, setTitle] = useState(problem.title);
  const [description, setDescription] = useState(problem.description);
  const [reason, setReason] = useState('');
  return (
    <AdminForm
      id="edit-problem"
      title="编辑问题"
      submitLabel="保存修改"
      onSubmit={async () => {
        await call(
          client.PATCH('/api/v1/problems/{id}', {
            params: { path: { id: problem.id } },
            body: {
              ...(title !== problem.title ? { title } : {}),
              ...(description !== problem.description ? { description } : {}),
              reason,
            },
          }),
        );
        onDone();
      }}
    >
      <label htmlFor="edit-title">
        问题标题
        <input
          id="edit-title"
          required
          maxLength={200}
          value={title}
          onChange={(e) => setTitle(e.target.value)}
        />
      </label>
      <label htmlFor="edit-description">
        问题描述
        <textarea
          id="edit-description"
          maxLength={10000}
          value={description}
          onChange={(e) => setDescription(e.target.value)}
        />
      </label>
      <ReasonField
        id="edit-reason"
        value={reason}
        onChange={setReason}
        placeholder="如：标题中的支部名称有误"
      />
    </AdminForm>
  );
}

/** 撤回 a problem raised in error: nothing is deleted, its open measures stop. */
export function WithdrawProblemForm({ problem, onDone }: { problem: Problem; onDone: () => void }) {
  return useHoldsRoleOver(problem.raisedByOrgId, ['secretary', 'deputy', 'admin']) ? (
    <WithdrawProblemFormBody problem={problem} onDone={onDone} />
  ) : null;
}

function WithdrawProblemFormBody({ problem, onDone }: { problem: Problem; onDone: () => void }) {
  const [reason, setReason] = useState('');
  return (
    <AdminForm
      id="withdraw-problem"
      title="撤回问题"
      submitLabel="确认撤回"
      danger
      onSubmit={async () => {
        if (!window.confirm('撤回后，该问题未销号的整改措施将停止办理和升级。确认撤回？')) return;
        await call(
          client.POST('/api/v1/problems/{id}/withdraw', {
            params: { path: { id: problem.id } },
            body: { reason },
          }),
        );
        onDone();
      }}
    >
      <p className="muted">
        用于误录的问题。撤回不删除任何记录；未销号的整改措施显示为“已撤回”，不再提醒和升级。
      </p>
      <ReasonField
        id="withdraw-reason"
        value={reason}
        onChange={setReason}
        placeholder="如：误将其他支部的问题录入"
      />
    </AdminForm>
  );
}
