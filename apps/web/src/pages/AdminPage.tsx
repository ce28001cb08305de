// 人员与组织: organisations (rename, deactivate, import), people and their roles (edit, disable,
// reset password, grant, revoke) and the history of grants and revocations.
import { useEffect, useState, type FormEvent, type ReactNode } from 'react';
import { ApiError, call, client, multipart } from '../api';
import { OrgSelect, orgsInScope } from '../components/OrgSelect';
import { ErrorBox, Loading, Section, useAsync } from '../components/ui';
import { clearCaches, peopleOf } from '../directory';
import { formatDateTime } from '../format';
import { ORG_KIND_LABEL, ROLE_LABEL } from '../labels';
import type { ImportRowError, Org, OrgImportResult, Role, RoleRecord } from '../types';

const ROLES: Role[] = ['secretary', 'deputy', 'supervisor', 'member', 'discipline', 'admin'];

/** A small form: runs `action`, shows the server's refusal, reports success. */
function useAction(): {
  busy: boolean;
  error: unknown;
  done: string | null;
  run: (action: () => Promise<string>) => (e?: FormEvent) => Promise<void>;
} {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState<string | null>(null);
  const run = (action: () => Promise<string>) => async (e?: FormEvent) => {
    e?.preventDefault();
    setBusy(true);
    setError(null);
    setDone(null);
    try {
      setDone(await action());
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, done, run };
}

function Feedback({ error, done }: { error: unknown; done: string | null }): ReactNode {
  return (
    <>
      <ErrorBox error={error} />
      {done && (
        <p className="ok" role="status">
          {done}
        </p>
      )}
    </>
  );
}

function OrgPanel({ org, onChanged }: { org: Org; onChanged: () => void }) {
  const [name, setName] = useState(org.name);
  const { busy, error, done, run } = useAction();
  const active = org.active !== false;
  return (
    <Section title="组织" id="org-panel">
      <p data-testid="org-status">
        {org.name}（{ORG_KIND_LABEL[org.kind] ?? org.kind}）
        {active ? '' : <span className="tag danger">已停用</span>}
      </p>
      <form
        className="inline-form"
        onSubmit={run(async () => {
          await call(
            client.PATCH('/api/v1/orgs/{id}', { params: { path: { id: org.id } }, body: { name } }),
          );
          clearCaches();
          onChanged();
          return '已改名';
        })}
      >
        <label htmlFor="org-name">
          组织名称
          <input
            id="org-name"
            required
            maxLength={200}
            value={name}
            onChange={(e) => setName(e.target.value)}
          />
        </label>
        <button type="submit" disabled={busy || name === org.name}>
          改名
        </button>
      </form>
      <button
        type="button"
        className={active ? 'danger' : undefined}
        disabled={busy}
        onClick={() =>
          void run(async () => {
            if (
              active &&
              !window.confirm(`停用“${org.name}”？停用后不能再向其交办问题和整改措施。`)
            )
              return '';
            await call(
              client.PATCH('/api/v1/orgs/{id}', {
                params: { path: { id: org.id } },
                body: { active: !active },
              }),
            );
            clearCaches();
            onChanged();
            return active ? '已停用' : '已启用';
          })()
        }
      >
        {active ? '停用组织' : '重新启用'}
      </button>
      <Feedback error={error} done={done} />
    </Section>
  );
}

function PersonRow({ record, onChanged }: { record: RoleRecord; onChanged: () => void }) {
  const [mode, setMode] = useState<'' | 'edit' | 'password'>('');
  const [displayName, setDisplayName] = useState(record.displayName);
  const [email, setEmail] = useState('');
  const [phone, setPhone] = useState('');
  const [password, setPassword] = useState('');
  const { busy, error, done, run } = useAction();
  return (
    <tr>
      <td data-label="姓名">{record.displayName}</td>
      <td data-label="角色">{ROLE_LABEL[record.role] ?? record.role}</td>
      <td data-label="授予">{formatDateTime(record.createdAt)}</td>
      <td data-label="操作">
        <div className="buttons">
          <button type="button" onClick={() => setMode(mode === 'edit' ? '' : 'edit')}>
            编辑
          </button>
          <button type="button" onClick={() => setMode(mode === 'password' ? '' : 'password')}>
            重置密码
          </button>
          <button
            type="button"
            disabled={busy}
            onClick={() =>
              void run(async () => {
                if (!window.confirm(`停用 ${record.displayName} 的账号？其登录将立即失效。`))
                  return '';
                await call(
                  client.PATCH('/api/v1/users/{id}', {
                    params: { path: { id: record.userId } },
                    body: { disabled: true },
                  }),
                );
                return '已停用账号';
              })()
            }
          >
            停用账号
          </button>
          <button
            type="button"
            className="danger"
            disabled={busy}
            onClick={() =>
              void run(async () => {
                if (
                  !window.confirm(`撤销 ${record.displayName} 的“${ROLE_LABEL[record.role]}”角色？`)
                )
                  return '';
                await call(
                  client.DELETE('/api/v1/orgs/{orgId}/roles/{userId}/{role}', {
                    params: {
                      path: { orgId: record.orgId, userId: record.userId, role: record.role },
                    },
                  }),
                );
                clearCaches();
                onChanged();
                return '已撤销';
              })()
            }
          >
            撤销角色
          </button>
        </div>
        {mode === 'edit' && (
          <form
            className="inline-form"
            onSubmit={run(async () => {
              await call(
                client.PATCH('/api/v1/users/{id}', {
                  params: { path: { id: record.userId } },
                  body: {
                    displayName,
                    ...(email ? { email } : {}),
                    ...(phone ? { phone } : {}),
                  },
                }),
              );
              clearCaches();
              onChanged();
              return '已保存';
            })}
          >
            <label>
              姓名
              <input
                required
                value={displayName}
                onChange={(e) => setDisplayName(e.target.value)}
              />
            </label>
            <label>
              邮箱（不改留空）
              <input type="email" value={email} onChange={(e) => setEmail(e.target.value)} />
            </label>
            <label>
              手机（不改留空）
              <input type="tel" value={phone} onChange={(e) => setPhone(e.target.value)} />
            </label>
            <button type="submit" disabled={busy}>
              保存
            </button>
          </form>
        )}
        {mode === 'password' && (
          <form
            className="inline-form"
            onSubmit={run(async () => {
              await call(
                client.POST('/api/v1/users/{id}/password', {
                  params: { path: { id: record.userId } },
                  body: { password },
                }),
              );
              setPassword('');
              return '密码已重置，原有登录已失效';
            })}
          >
            <label>
              新密码（至少 12 位）
              <input
                type="password"
                autoComplete="new-password"
                minLength={12}
                required
                value={password}
                onChange={(e) => setPassword(e.target.value)}
              />
            </label>
            <button type="submit" disabled={busy}>
              重置
            </button>
          </form>
        )}
        <Feedback error={error} done={done} />
      </td>
    </tr>
  );
}

function PeoplePanel({
  org,
  version,
  onChanged,
}: {
  org: Org;
  version: number;
  onChanged: () => void;
}) {
  const { data, error, reload } = useAsync(
    () =>
      call(
        client.GET('/api/v1/orgs/{orgId}/roles', {
          params: { path: { orgId: org.id }, query: { history: true } },
        }),
      ),
    [org.id, version],
  );
  const [candidates, setCandidates] = useState<{ userId: string; displayName: string }[]>([]);
  const [userId, setUserId] = useState('');
  const [role, setRole] = useState<Role>('member');
  const grant = useAction();
  useEffect(() => {
    let live = true;
    orgsInScope()
      .then((orgs) => peopleOf(orgs.slice(0, 60).map((o) => o.id)))
      .then((people) => live && setCandidates(people))
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, [org.id, version]);
  const changed = () => {
    reload();
    onChanged();
  };
  const live = (data ?? []).filter((r) => !r.revokedAt);
  return (
    <>
      <Section title="人员与角色" count={live.length} id="people">
        {error ? <ErrorBox error={error} /> : null}
        {!data && !error && <Loading />}
        {live.length === 0 && data && <p className="muted">本组织暂无人员。</p>}
        {live.length > 0 && (
          <div className="table-wrap">
            <table className="tasks">
              <thead>
                <tr>
                  <th>姓名</th>
                  <th>角色</th>
                  <th>授予时间</th>
                  <th>操作</th>
                </tr>
              </thead>
              <tbody>
                {live.map((r) => (
                  <PersonRow key={r.id} record={r} onChanged={changed} />
                ))}
              </tbody>
            </table>
          </div>
        )}
        <form
          className="inline-form"
          aria-label="授予角色"
          onSubmit={grant.run(async () => {
            await call(
              client.POST('/api/v1/orgs/{orgId}/roles', {
                params: { path: { orgId: org.id } },
                body: { userId, role },
              }),
            );
            clearCaches();
            changed();
            return '已授予';
          })}
        >
          <h3>授予角色</h3>
          <label htmlFor="grant-user">
            人员
            <select
              id="grant-user"
              required
              value={userId}
              onChange={(e) => setUserId(e.target.value)}
            >
              <option value="">请选择</option>
              {candidates.map((p) => (
                <option key={p.userId} value={p.userId}>
                  {p.displayName}
                </option>
              ))}
            </select>
          </label>
          <label htmlFor="grant-role">
            角色
            <select id="grant-role" value={role} onChange={(e) => setRole(e.target.value as Role)}>
              {ROLES.map((r) => (
                <option key={r} value={r}>
                  {ROLE_LABEL[r]}
                </option>
              ))}
            </select>
          </label>
          <button type="submit" className="primary" disabled={grant.busy}>
            授予
          </button>
          <Feedback error={grant.error} done={grant.done} />
        </form>
      </Section>
      <Section title="角色变动记录" count={data?.length} id="role-history">
        <div className="table-wrap">
          <table className="tasks">
            <thead>
              <tr>
                <th>姓名</th>
                <th>角色</th>
                <th>授予</th>
                <th>撤销</th>
              </tr>
            </thead>
            <tbody>
              {(data ?? []).map((r) => (
                <tr key={r.id}>
                  <td data-label="姓名">{r.displayName}</td>
                  <td data-label="角色">{ROLE_LABEL[r.role] ?? r.role}</td>
                  <td data-label="授予">
                    {formatDateTime(r.createdAt)}，{r.grantedByName ?? '—'}
                  </td>
                  <td data-label="撤销">
                    {r.revokedAt
                      ? `${formatDateTime(r.revokedAt)}，${r.revokedByName ?? '—'}`
                      : '—'}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </Section>
    </>
  );
}

function ImportPanel({ onImported }: { onImported: () => void }) {
  const [file, setFile] = useState<File | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [rows, setRows] = useState<ImportRowError[]>([]);
  const [result, setResult] = useState<OrgImportResult | null>(null);
  async function send(dryRun: boolean) {
    if (!file) return;
    setBusy(true);
    setError(null);
    setRows([]);
    setResult(null);
    try {
      const body = new FormData();
      body.append('file', file);
      const r = await call(
        client.POST('/api/v1/orgs/import', { params: { query: { dryRun } }, ...multipart(body) }),
      );
      setResult(r);
      if (!dryRun) {
        clearCaches();
        onImported();
      }
    } catch (err) {
      setError(err);
      if (err instanceof ApiError && Array.isArray(err.body.rows))
        setRows(err.body.rows as ImportRowError[]);
    } finally {
      setBusy(false);
    }
  }
  return (
    <Section title="导入组织与人员" id="org-import">
      <p className="muted">
        上传 xlsx 或
        csv，表头为：上级组织、组织名称、组织类型、时区（可选）、姓名、用户名、角色、邮箱、手机。
        每行一个组织（已存在则沿用），可同时填写一名人员及其角色。上级组织名称不唯一时写路径，如“城关镇党委/第一支部”。
        有任何一行出错则全部不导入。新账号的初始密码只显示一次。
      </p>
      <label htmlFor="import-file">
        文件
        <input
          id="import-file"
          type="file"
          accept=".xlsx,.csv"
          onChange={(e) => setFile(e.target.files?.[0] ?? null)}
        />
      </label>
      <div className="buttons">
        <button type="button" disabled={!file || busy} onClick={() => void send(true)}>
          检查（不导入）
        </button>
        <button
          type="button"
          className="primary"
          disabled={!file || busy}
          onClick={() => void send(false)}
        >
          导入
        </button>
      </div>
      {rows.length === 0 && <ErrorBox error={error} />}
      {rows.length > 0 && (
        <div role="alert">
          <p className="error">共 {rows.length} 处错误，未导入任何内容：</p>
          <div className="table-wrap">
            <table className="tasks" data-testid="import-errors">
              <thead>
                <tr>
                  <th>行</th>
                  <th>列</th>
                  <th>问题</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((r) => (
                  <tr key={`${r.row}-${r.field}-${r.message}`}>
                    <td data-label="行">{r.row}</td>
                    <td data-label="列">{r.field}</td>
                    <td data-label="问题">{r.message}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </div>
      )}
      {result && (
        <div role="status" data-testid="import-result">
          <p className="ok">
            {result.dryRun ? '检查通过，可导入：' : '已导入：'}新建组织 {result.orgsCreated}{' '}
            个，沿用已有组织 {result.orgsFound} 行，新建账号 {result.usersCreated} 个，授予角色{' '}
            {result.rolesGranted} 个。
          </p>
          {result.newUsers.length > 0 && (
            <div className="table-wrap">
              <p className="warn">以下初始密码只显示这一次，请妥善转交并提醒本人修改：</p>
              <table className="tasks">
                <thead>
                  <tr>
                    <th>姓名</th>
                    <th>用户名</th>
                    <th>初始密码</th>
                  </tr>
                </thead>
                <tbody>
                  {result.newUsers.map((u) => (
                    <tr key={u.id}>
                      <td data-label="姓名">{u.displayName}</td>
                      <td data-label="用户名">{u.username}</td>
                      <td data-label="初始密码">
                        <code>{u.initialPassword}</code>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </div>
      )}
    </Section>
  );
}

export function AdminPage() {
  const [orgId, setOrgId] = useState('');
  const [version, setVersion] = useState(0);
  const { data: org, error } = useAsync(
    () =>
      orgId
        ? call(client.GET('/api/v1/orgs/{id}', { params: { path: { id: orgId } } }))
        : Promise.resolve(null),
    [orgId, version],
  );
  const bump = () => setVersion((v) => v + 1);
  return (
    <div className="page admin-page">
      <h1>人员与组织</h1>
      <div className="card">
        <OrgSelect
          key={version}
          id="admin-org"
          label="选择组织"
          value={orgId}
          onChange={(id) => setOrgId(id)}
        />
      </div>
      <ErrorBox error={error} />
      {org && <OrgPanel key={`${org.id}-${version}`} org={org} onChanged={bump} />}
      {org && <PeoplePanel org={org} version={version} onChanged={bump} />}
      <ImportPanel onImported={bump} />
    </div>
  );
}
