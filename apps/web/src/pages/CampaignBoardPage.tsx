import { useEffect, useState, type FormEvent } from 'react';
import { call, client } from '../api';
import { CAMPAIGN_STATE_LABEL, COUNT_COLUMNS, type CampaignDetail } from '../campaigns';
import { AttachmentPicker } from '../components/attachments';
import { ErrorBox, Loading, Section, useAsync } from '../components/ui';
import { namesAround, peopleOf } from '../directory';
import { formatDateTime } from '../format';
import { SEVERITY_LABEL } from '../labels';
import { Link } from '../router';
import { useMe } from '../session';
import type { Attachment, ProblemDetail } from '../types';

/** 督查看板: per target, findings, problems and how their measures stand; frozen once closed. */
export function CampaignBoardPage({ id }: { id: string }) {
  const me = useMe();
  const campaign = useAsync(
    () => call(client.GET('/api/v1/campaigns/{id}', { params: { path: { id } } })),
    [id],
  );
  const findings = useAsync(
    () => call(client.GET('/api/v1/campaigns/{id}/findings', { params: { path: { id } } })),
    [id],
  );
  const [names, setNames] = useState<Map<string, string>>(new Map());
  const [closing, setClosing] = useState(false);
  const [closeError, setCloseError] = useState<unknown>(null);
  const c = campaign.data;
  useEffect(() => {
    if (c) void namesAround([c.raisedByOrgId]).then(setNames);
  }, [c?.raisedByOrgId]);

  if (campaign.error) return <ErrorBox error={campaign.error} />;
  if (!c) return <Loading />;
  const onTeam = c.teamUserIds.includes(me.id);
  const reload = () => {
    campaign.reload();
    findings.reload();
  };

  async function close() {
    if (!window.confirm('结束督查后汇总将被冻结，不能再记录发现。确定结束？')) return;
    setClosing(true);
    setCloseError(null);
    try {
      await call(client.POST('/api/v1/campaigns/{id}/close', { params: { path: { id } } }));
      reload();
    } catch (e) {
      setCloseError(e);
    } finally {
      setClosing(false);
    }
  }

  return (
    <>
      <p className="crumbs">
        <Link to="/campaigns">督查</Link> / {c.kindLabel}
      </p>
      <h1>{c.name}</h1>
      {c.state === 'open' && onTeam && (
        <p>
          <a href="#record" className="button primary">
            记录发现
          </a>
        </p>
      )}
      <dl className="grid-dl">
        <dt>发起组织</dt>
        <dd>{c.raisedByOrgName}</dd>
        <dt>时间</dt>
        <dd>
          {c.startsOn} 至 {c.endsOn}
        </dd>
        <dt>状态</dt>
        <dd data-testid="campaign-state">
          {CAMPAIGN_STATE_LABEL[c.state]}
          {c.frozenAt && `（汇总冻结于 ${formatDateTime(c.frozenAt)}）`}
        </dd>
        <dt>督查组</dt>
        <dd>
          {c.teamUserIds
            .map((u) => `${names.get(u) ?? '成员'}${u === c.leaderUserId ? '（组长）' : ''}`)
            .join('、')}
        </dd>
        {c.targetDraw && (
          <>
            <dt>随机抽取</dt>
            <dd data-testid="draw">
              从 {c.targetDraw.population.length} 个组织中抽取 {c.targetDraw.count} 个，种子{' '}
              <code>{c.targetDraw.seed}</code>
            </dd>
          </>
        )}
      </dl>
      <Section title="督查看板" count={c.targets.length} id="board">
        <div className="table-wrap">
          <table className="board" data-testid="board">
            <thead>
              <tr>
                <th>督查对象</th>
                {COUNT_COLUMNS.map(([, label]) => (
                  <th key={label}>{label}</th>
                ))}
              </tr>
            </thead>
            <tbody>
              {c.targets.map((t) => (
                <tr key={t.orgId} data-org={t.orgId}>
                  <td data-label="督查对象">{t.orgName}</td>
                  {COUNT_COLUMNS.map(([key, label]) => (
                    <td
                      key={key}
                      data-label={label}
                      data-count={key}
                      className={key === 'overdue' && t.overdue ? 'hot' : undefined}
                    >
                      {t[key]}
                    </td>
                  ))}
                </tr>
              ))}
              <tr data-testid="board-totals">
                <th scope="row" data-label="合计">
                  合计
                </th>
                {COUNT_COLUMNS.map(([key, label]) => (
                  <td key={key} data-label={label}>
                    {c.totals[key]}
                  </td>
                ))}
              </tr>
            </tbody>
          </table>
        </div>
        {c.state === 'open' && (
          <div className="buttons">
            <button type="button" disabled={closing} onClick={close}>
              结束督查并冻结汇总
            </button>
          </div>
        )}
        <ErrorBox error={closeError} />
      </Section>
      {c.state === 'open' && onTeam && <FindingForm campaign={c} onRecorded={reload} />}
      <Section title="督查发现" count={findings.data?.length} id="findings">
        <ErrorBox error={findings.error} />
        {findings.data?.length === 0 && <p className="muted">还没有记录发现。</p>}
        <ul className="list">
          {(findings.data ?? []).map((f) => (
            <li key={f.id}>
              <Link to={`/problems/${f.problemId}`}>{f.title}</Link>{' '}
              <span className="muted">
                {f.targetOrgName} · {SEVERITY_LABEL[f.severity] ?? f.severity}
                {f.checklistCode ? ` · 清单 ${f.checklistCode}` : ''}
                {f.attachmentIds.length ? ` · 佐证 ${f.attachmentIds.length} 份` : ''} ·{' '}
                {formatDateTime(f.recordedAt)}
              </span>
            </li>
          ))}
        </ul>
      </Section>
    </>
  );
}

/** 记录发现, made for a phone during a visit: the problem and, if known, its first measure. */
function FindingForm({
  campaign,
  onRecorded,
}: {
  campaign: CampaignDetail;
  onRecorded: () => void;
}) {
  const categories = useAsync(() => call(client.GET('/api/v1/categories')), []);
  const [targetOrgId, setTarget] = useState(campaign.targets[0]?.orgId ?? '');
  const [checklistCode, setChecklistCode] = useState('');
  const [title, setTitle] = useState('');
  const [description, setDescription] = useState('');
  const [category, setCategory] = useState('');
  const [severity, setSeverity] = useState('general');
  const [files, setFiles] = useState<Attachment[]>([]);
  const [measure, setMeasure] = useState('');
  const [responsibleUserId, setResponsible] = useState('');
  const [dueDate, setDueDate] = useState('');
  const [people, setPeople] = useState<{ userId: string; displayName: string }[]>([]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [recorded, setRecorded] = useState<ProblemDetail | null>(null);

  useEffect(() => {
    let live = true;
    if (targetOrgId) void peopleOf([targetOrgId]).then((p) => live && setPeople(p));
    return () => {
      live = false;
    };
  }, [targetOrgId]);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const problem = await call(
        client.POST('/api/v1/campaigns/{id}/findings', {
          params: { path: { id: campaign.id } },
          body: {
            targetOrgId,
            ...(checklistCode ? { checklistCode } : {}),
            title,
            description,
            category,
            severity: severity as ProblemDetail['severity'],
            attachmentIds: files.map((f) => f.id),
            ...(measure
              ? {
                  tasks: [
                    {
                      measure,
                      responsibleOrgId: targetOrgId,
                      responsibleUserId,
                      mode: 'deadline',
                      dueDate,
                    },
                  ],
                }
              : {}),
          },
        }),
      );
      setRecorded('findings' in problem ? problem.findings[0] : problem);
      setTitle('');
      setDescription('');
      setFiles([]);
      setMeasure('');
      onRecorded();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="card" aria-labelledby="finding-title" id="record">
      <h2 id="finding-title">记录发现</h2>
      {recorded && (
        <p className="ok" role="status">
          已记录并立项：<Link to={`/problems/${recorded.id}`}>{recorded.title}</Link>
          {recorded.tasks.length ? `（整改措施 ${recorded.tasks.length} 项）` : ''}
        </p>
      )}
      <form onSubmit={submit} aria-label="记录发现">
        <label htmlFor="f-target">
          督查对象
          <select id="f-target" value={targetOrgId} onChange={(e) => setTarget(e.target.value)}>
            {campaign.targets.map((t) => (
              <option key={t.orgId} value={t.orgId}>
                {t.orgName}
              </option>
            ))}
          </select>
        </label>
        {campaign.checklist.length > 0 && (
          <label htmlFor="f-checklist">
            清单项
            <select
              id="f-checklist"
              value={checklistCode}
              onChange={(e) => {
                setChecklistCode(e.target.value);
                const item = campaign.checklist.find((i) => i.code === e.target.value);
                if (item) setCategory(item.category);
              }}
            >
              <option value="">不对应清单项</option>
              {campaign.checklist.map((i) => (
                <option key={i.code} value={i.code}>
                  {i.code} {i.title}
                </option>
              ))}
            </select>
          </label>
        )}
        <label htmlFor="f-title">
          发现的问题
          <input
            id="f-title"
            value={title}
            required
            maxLength={200}
            onChange={(e) => setTitle(e.target.value)}
          />
        </label>
        <label htmlFor="f-description">
          具体情况
          <textarea
            id="f-description"
            rows={3}
            value={description}
            onChange={(e) => setDescription(e.target.value)}
          />
        </label>
        <div className="row">
          <label htmlFor="f-category">
            问题分类
            <select
              id="f-category"
              value={category}
              required
              onChange={(e) => setCategory(e.target.value)}
            >
              <option value="">请选择</option>
              {(categories.data ?? []).map((c) => (
                <option key={c.code} value={c.code}>
                  {c.name}
                </option>
              ))}
            </select>
          </label>
          <label htmlFor="f-severity">
            严重程度
            <select id="f-severity" value={severity} onChange={(e) => setSeverity(e.target.value)}>
              {Object.entries(SEVERITY_LABEL).map(([k, v]) => (
                <option key={k} value={k}>
                  {v}
                </option>
              ))}
            </select>
          </label>
        </div>
        <AttachmentPicker id="f-files" value={files} onChange={setFiles} />
        <fieldset>
          <legend>整改措施（可稍后交办）</legend>
          <label htmlFor="f-measure">
            措施
            <input id="f-measure" value={measure} onChange={(e) => setMeasure(e.target.value)} />
          </label>
          {measure && (
            <div className="row">
              <label htmlFor="f-responsible">
                责任人
                <select
                  id="f-responsible"
                  value={responsibleUserId}
                  required
                  onChange={(e) => setResponsible(e.target.value)}
                >
                  <option value="">请选择</option>
                  {people.map((p) => (
                    <option key={p.userId} value={p.userId}>
                      {p.displayName}
                    </option>
                  ))}
                </select>
              </label>
              <label htmlFor="f-due">
                整改时限
                <input
                  id="f-due"
                  type="date"
                  value={dueDate}
                  required
                  onChange={(e) => setDueDate(e.target.value)}
                />
              </label>
            </div>
          )}
        </fieldset>
        <ErrorBox error={error} />
        <div className="buttons">
          <button type="submit" className="primary" disabled={busy}>
            {busy ? '正在保存…' : '保存发现并立项'}
          </button>
        </div>
      </form>
    </section>
  );
}
