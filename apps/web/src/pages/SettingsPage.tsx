import { useEffect, useState, type FormEvent } from 'react';
import { call, client } from '../api';
import { ErrorBox, Loading, Section, useAsync } from '../components/ui';
import { peopleOf, getOrg } from '../directory';
import { CHANNEL_LABEL } from '../labels';
import { useMe } from '../session';
import type { Channel } from '../types';

function Delegations() {
  const me = useMe();
  const list = useAsync(() => call(client.GET('/api/v1/me/delegations')), []);
  const candidates = useAsync(async () => {
    const orgIds = new Set<string>();
    for (const r of me.roles) {
      if (!r.orgId) continue;
      const org = await getOrg(r.orgId);
      (org?.path ?? [r.orgId]).forEach((id) => orgIds.add(id));
    }
    return (await peopleOf([...orgIds])).filter((p) => p.userId !== me.id);
  }, [me.id]);
  const [deputyId, setDeputyId] = useState('');
  const [startsOn, setStartsOn] = useState('');
  const [endsOn, setEndsOn] = useState('');
  const [error, setError] = useState<unknown>(null);

  async function add(e: FormEvent) {
    e.preventDefault();
    setError(null);
    try {
      await call(client.POST('/api/v1/me/delegations', { body: { deputyId, startsOn, endsOn } }));
      list.reload();
    } catch (err) {
      setError(err);
    }
  }
  async function remove(id: string) {
    setError(null);
    try {
      await call(client.DELETE('/api/v1/me/delegations/{id}', { params: { path: { id } } }));
      list.reload();
    } catch (err) {
      setError(err);
    }
  }

  return (
    <Section title="请假委托" id="delegations">
      <p className="muted">请假期间，您的通知同时送达受托人（注明代收）。</p>
      {list.data && list.data.length > 0 && (
        <ul className="list">
          {list.data.map((d) => (
            <li key={d.id}>
              {d.direction === 'granted' ? `委托 ${d.deputyName} 代收` : `代 ${d.userName} 接收`}：
              {d.startsOn} 至 {d.endsOn}{' '}
              {d.direction === 'granted' && (
                <button type="button" className="link-button" onClick={() => remove(d.id)}>
                  结束委托
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      <form className="row" onSubmit={add} aria-label="新增请假委托">
        <label>
          受托人
          <select value={deputyId} onChange={(e) => setDeputyId(e.target.value)} required>
            <option value="">请选择</option>
            {candidates.data?.map((p) => (
              <option key={p.userId} value={p.userId}>
                {p.displayName}
              </option>
            ))}
          </select>
        </label>
        <label>
          开始日期
          <input
            type="date"
            value={startsOn}
            onChange={(e) => setStartsOn(e.target.value)}
            required
          />
        </label>
        <label>
          结束日期
          <input type="date" value={endsOn} onChange={(e) => setEndsOn(e.target.value)} required />
        </label>
        <div className="buttons">
          <button type="submit">添加委托</button>
        </div>
      </form>
      <ErrorBox error={error} />
    </Section>
  );
}

export function SettingsPage() {
  const loaded = useAsync(() => call(client.GET('/api/v1/me/notification-settings')), []);
  const [channels, setChannels] = useState<Channel[]>(['inbox']);
  const [digest, setDigest] = useState(true);
  const [digestTime, setDigestTime] = useState('');
  const [quiet, setQuiet] = useState(false);
  const [start, setStart] = useState('22:00');
  const [end, setEnd] = useState('07:00');
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState(false);

  useEffect(() => {
    const s = loaded.data;
    if (!s) return;
    setChannels(s.channels);
    setDigest(s.digest);
    setDigestTime(s.digestTimeIsDefault ? '' : (s.digestTime ?? ''));
    setQuiet(Boolean(s.quietHours));
    if (s.quietHours) {
      setStart(s.quietHours.start);
      setEnd(s.quietHours.end);
    }
  }, [loaded.data]);

  async function save(e: FormEvent) {
    e.preventDefault();
    setError(null);
    setSaved(false);
    try {
      await call(
        client.PUT('/api/v1/me/notification-settings', {
          body: {
            channels,
            digest,
            digestTime: digestTime || null,
            quietHours: quiet ? { start, end } : null,
            // Keep an own zone chosen elsewhere; null follows the organisation.
            timeZone: loaded.data?.timeZoneFromOrg ? null : loaded.data?.timeZone,
          },
        }),
      );
      setSaved(true);
      loaded.reload();
    } catch (err) {
      setError(err);
    }
  }

  return (
    <div className="page">
      <h1>通知设置</h1>
      <ErrorBox error={loaded.error} />
      {!loaded.data && loaded.loading && <Loading />}
      {loaded.data && (
        <Section title="接收方式" id="channels">
          <form onSubmit={save} className="settings-form" aria-label="通知设置">
            <fieldset>
              <legend>渠道</legend>
              {(Object.entries(CHANNEL_LABEL) as [Channel, string][]).map(([code, name]) => (
                <label key={code} className="check">
                  <input
                    type="checkbox"
                    checked={channels.includes(code)}
                    disabled={code === 'inbox'}
                    onChange={(e) =>
                      setChannels((cs) =>
                        e.target.checked ? [...cs, code] : cs.filter((c) => c !== code),
                      )
                    }
                  />
                  {name}
                  {code === 'inbox' && '（始终开启）'}
                </label>
              ))}
            </fieldset>
            <label className="check">
              <input
                type="checkbox"
                checked={digest}
                onChange={(e) => setDigest(e.target.checked)}
              />
              每日汇总一封邮件（督办及以上的紧急通知仍即时发送）
            </label>
            {digest && (
              <label>
                汇总发送时间
                <input
                  type="time"
                  value={digestTime || loaded.data.digestTime || ''}
                  onChange={(e) => setDigestTime(e.target.value)}
                />
                {!digestTime && <span className="muted">（系统默认）</span>}
              </label>
            )}
            <label className="check">
              <input type="checkbox" checked={quiet} onChange={(e) => setQuiet(e.target.checked)} />
              免打扰时段
            </label>
            {quiet && (
              <div className="row">
                <label>
                  开始
                  <input type="time" value={start} onChange={(e) => setStart(e.target.value)} />
                </label>
                <label>
                  结束
                  <input type="time" value={end} onChange={(e) => setEnd(e.target.value)} />
                </label>
              </div>
            )}
            <p className="muted">
              时区：{loaded.data.timeZone}
              {loaded.data.timeZoneFromOrg ? '（随所在组织）' : ''}
            </p>
            <ErrorBox error={error} />
            {saved && (
              <p className="ok" role="status">
                已保存
              </p>
            )}
            <div className="buttons">
              <button type="submit" className="primary">
                保存设置
              </button>
            </div>
          </form>
        </Section>
      )}
      <Delegations />
    </div>
  );
}
