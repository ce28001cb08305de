import { useState } from 'react';
import { call, callFile, client, saveBlob } from '../api';
import { orgsWithRole, useMe } from '../session';
import { formatDateTime } from '../format';
import type { IssuedCircular } from '../types';
import { ErrorBox, Section, useAsync } from './ui';

const quarterText = (q: string) => `${q.replace('Q', '年第')}季度`;

/**
 * 季度通报 on the dashboard: the quarter's 通报 as a Word document (a draft, as it would be
 * issued now), 印发 for the org's secretary, deputy or administrator, and the issued ones that
 * concern the org, downloaded byte for byte as archived.
 */
export function CircularPanel({ orgId, quarter }: { orgId: string; quarter: string }) {
  const me = useMe();
  const mayIssue =
    me.systemAdmin ||
    orgsWithRole(me, ['secretary', 'deputy', 'admin']).some((o) => o.id === orgId);
  const issued = useAsync(
    () =>
      call(client.GET('/api/v1/circulars', { params: { query: { orgId, pageSize: 20 } } })).then(
        (p) => p.items,
      ),
    [orgId],
  );
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState<string | null>(null);
  const thisQuarter = issued.data?.find((c) => c.orgId === orgId && c.quarter === quarter);

  async function run(what: () => Promise<void>) {
    setBusy(true);
    setError(null);
    try {
      await what();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }

  const draft = () =>
    run(async () => {
      const { blob, fileName } = await callFile(
        client.GET('/api/v1/reports/circular', {
          params: { query: { orgId, quarter, format: 'docx' } },
          parseAs: 'blob',
        }),
      );
      saveBlob(blob, fileName ?? `通报-${quarter}.docx`);
    });

  const issue = () =>
    run(async () => {
      if (
        !window.confirm(
          `印发${quarterText(quarter)}通报？印发后文件原样存档并发送至各下级组织书记，不能撤回或重新印发。`,
        )
      ) {
        return;
      }
      const c = await call(client.POST('/api/v1/circulars', { body: { orgId, quarter } }));
      setDone(`已印发并存档（SHA-256 ${c.sha256.slice(0, 16)}…），已通知各主送单位书记。`);
      issued.reload();
    });

  const download = (c: IssuedCircular) =>
    run(async () => {
      const { blob, fileName } = await callFile(
        client.GET('/api/v1/circulars/{id}/document', {
          params: { path: { id: c.id } },
          parseAs: 'blob',
        }),
      );
      saveBlob(blob, fileName ?? c.fileName);
    });

  return (
    <Section title="季度通报" id="circular">
      <p className="muted">
        {quarterText(quarter)}
        整改督办情况通报：总体情况、好的做法、存在问题、下一步要求，数字与本看板的季度统计一致。
      </p>
      <div className="toolbar">
        <button type="button" onClick={draft} disabled={busy} data-testid="circular-draft">
          下载通报（Word）
        </button>
        {mayIssue && !thisQuarter && (
          <button type="button" onClick={issue} disabled={busy} data-testid="circular-issue">
            印发通报
          </button>
        )}
      </div>
      {done && (
        <p role="status" data-testid="circular-issued">
          {done}
        </p>
      )}
      <ErrorBox error={error ?? issued.error} />
      {issued.data && issued.data.length > 0 && (
        <ul className="list" data-testid="circular-list">
          {issued.data.map((c) => (
            <li key={c.id}>
              <button
                type="button"
                className="link-button"
                onClick={() => download(c)}
                disabled={busy}
              >
                {c.title}
              </button>{' '}
              <span className="muted">
                {c.orgName} · 印发于 {formatDateTime(c.issuedAt)} · SHA-256 {c.sha256.slice(0, 12)}…
              </span>
            </li>
          ))}
        </ul>
      )}
    </Section>
  );
}
