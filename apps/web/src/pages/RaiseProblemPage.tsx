import { useEffect, useState, type FormEvent } from 'react';
import { ApiError, call, client, multipart } from '../api';
import { OrgSelect } from '../components/OrgSelect';
import { ErrorBox, useAsync } from '../components/ui';
import { getOrg, peopleOf } from '../directory';
import { weekdayOf } from '../format';
import { MODE_LABEL, ROLE_LABEL, SEVERITY_LABEL, SOURCE_LABEL } from '../labels';
import { navigate } from '../router';
import { orgsWithRole, serverToday, useMe } from '../session';
import type { CalendarDay, ImportRowError, Problem, TaskMode } from '../types';

interface MeasureDraft {
  key: number;
  measure: string;
  responsibleOrgId: string;
  responsibleUserId: string;
  leaderUserId: string;
  mode: TaskMode;
  dueDate: string;
}

let nextKey = 1;
const emptyMeasure = (orgId = ''): MeasureDraft => ({
  key: nextKey++,
  measure: '',
  responsibleOrgId: orgId,
  responsibleUserId: '',
  leaderUserId: '',
  mode: 'deadline',
  dueDate: '',
});

type Person = { userId: string; displayName: string; roles: string[] };

const calendar = new Map<string, Promise<CalendarDay | null>>();

/** One day of the server's working-day calendar (holidays and 调休 included). */
function calendarDay(date: string): Promise<CalendarDay | null> {
  let p = calendar.get(date);
  if (!p) {
    p = call(client.GET('/api/v1/calendar/info', { params: { query: { from: date, to: date } } }))
      .then((r) => r.days[0] ?? null)
      .catch(() => null);
    calendar.set(date, p);
  }
  return p;
}

/** The weekday of a deadline and whether it is a working day on the Chinese calendar. */
function DateHint({ date }: { date: string }) {
  const [day, setDay] = useState<CalendarDay | null>(null);
  useEffect(() => {
    let live = true;
    setDay(null);
    if (weekdayOf(date)) calendarDay(date).then((d) => live && setDay(d));
    return () => {
      live = false;
    };
  }, [date]);
  const w = weekdayOf(date);
  if (!w) return null;
  const working = day ? day.working : !w.weekend;
  return (
    <span className={working ? 'hint' : 'hint warn-text'} data-testid="date-hint">
      {w.name}
      {day?.name ? ` · ${day.name}` : ''}
      {working ? ' · 工作日' : ' · 休息日（期限为当日24时）'}
      {day && !day.known ? '（该年节假日数据未收录，按周一至周五计）' : ''}
    </span>
  );
}

/** 导入问题清单: a ledger file checked row by row; nothing is imported unless every row is good. */
function ImportLedger({ raisedByOrgId }: { raisedByOrgId: string }) {
  const [file, setFile] = useState<File | null>(null);
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<{
    dryRun: boolean;
    problems: number;
    tasks: number;
    warnings: string[];
  } | null>(null);
  const [rows, setRows] = useState<ImportRowError[]>([]);
  const [error, setError] = useState<unknown>(null);

  async function run(dryRun: boolean) {
    if (!file) return;
    setBusy(true);
    setResult(null);
    setRows([]);
    setError(null);
    try {
      const form = new FormData();
      form.append('file', file, file.name);
      setResult(
        await call(
          client.POST('/api/v1/problems/import', {
            params: { query: { raisedByOrgId, dryRun } },
            ...multipart(form),
          }),
        ),
      );
    } catch (e) {
      setError(e);
      if (e instanceof ApiError && Array.isArray(e.body.rows)) {
        setRows(e.body.rows as ImportRowError[]);
      }
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="card" aria-labelledby="import-title">
      <h2 id="import-title">从台账导入问题清单</h2>
      <p className="muted">
        表头与导出的台账一致（问题标题、问题分类、严重程度、问题来源、问题所在单位、整改措施、责任单位、责任人、整改时限……），支持
        xlsx 和 csv。立项单位为上方所选党组织。先检查，全部无误才会导入，不会只导入一部分。
      </p>
      <div className="row">
        <label>
          台账文件
          <input
            type="file"
            accept=".xlsx,.csv"
            onChange={(e) => {
              setFile(e.target.files?.[0] ?? null);
              setResult(null);
              setRows([]);
              setError(null);
            }}
          />
        </label>
      </div>
      <div className="buttons">
        <button type="button" disabled={!file || busy} onClick={() => run(true)}>
          检查（不导入）
        </button>
        <button
          type="button"
          className="primary"
          disabled={!file || busy}
          onClick={() => run(false)}
        >
          导入
        </button>
      </div>
      {result && (
        <p className="ok" role="status">
          {result.dryRun ? '检查通过，可以导入：' : '已导入：'}
          {result.problems} 个问题、{result.tasks} 项措施
          {result.warnings.length > 0 && `；提示：${result.warnings.join('；')}`}
        </p>
      )}
      <ErrorBox error={error} />
      {rows.length > 0 && (
        <div className="table-wrap">
          <table className="import-errors" aria-label="逐行错误">
            <thead>
              <tr>
                <th scope="col">行</th>
                <th scope="col">列</th>
                <th scope="col">问题</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r, i) => (
                <tr key={`${r.row}-${r.field}-${i}`}>
                  <td>{r.row}</td>
                  <td>{r.field}</td>
                  <td>{r.message}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function MeasureFields({
  index,
  draft,
  raisingOrgId,
  onChange,
  onRemove,
}: {
  index: number;
  draft: MeasureDraft;
  raisingOrgId: string;
  onChange: (d: MeasureDraft) => void;
  onRemove?: () => void;
}) {
  const [people, setPeople] = useState<Person[]>([]);
  const [leaders, setLeaders] = useState<Person[]>([]);
  useEffect(() => {
    let live = true;
    if (!draft.responsibleOrgId) {
      setPeople([]);
      setLeaders([]);
      return;
    }
    (async () => {
      const org = await getOrg(draft.responsibleOrgId);
      const path = org?.path ?? [draft.responsibleOrgId];
      // The leader in charge may sit in the unit or above it, up to the raising committee.
      const from = Math.max(0, path.indexOf(raisingOrgId));
      const [own, around] = await Promise.all([
        peopleOf([draft.responsibleOrgId]),
        peopleOf(path.slice(from)),
      ]);
      if (live) {
        setPeople(own);
        setLeaders(around);
      }
    })();
    return () => {
      live = false;
    };
  }, [draft.responsibleOrgId, raisingOrgId]);

  const set = (patch: Partial<MeasureDraft>) => onChange({ ...draft, ...patch });
  const n = index + 1;
  const roles = (p: Person) => p.roles.map((r) => ROLE_LABEL[r as keyof typeof ROLE_LABEL] ?? r);
  return (
    <fieldset className="measure-fieldset" data-measure={n}>
      <legend>措施 {n}</legend>
      <label>
        整改措施
        <textarea
          name={`measure-${n}`}
          value={draft.measure}
          onChange={(e) => set({ measure: e.target.value })}
          rows={2}
          required
        />
      </label>
      <div className="row">
        <OrgSelect
          id={`responsible-org-${n}`}
          name={`responsibleOrg-${n}`}
          label="责任单位"
          value={draft.responsibleOrgId}
          under={raisingOrgId || undefined}
          required
          onChange={(v) => set({ responsibleOrgId: v, responsibleUserId: '', leaderUserId: '' })}
        />
        <label>
          责任人
          <select
            name={`responsibleUser-${n}`}
            value={draft.responsibleUserId}
            onChange={(e) => set({ responsibleUserId: e.target.value })}
            required
          >
            <option value="">{draft.responsibleOrgId ? '请选择' : '先选责任单位'}</option>
            {people.map((p) => (
              <option key={p.userId} value={p.userId}>
                {p.displayName}（{roles(p).join('、')}）
              </option>
            ))}
          </select>
        </label>
        <label>
          分管领导
          <select
            name={`leaderUser-${n}`}
            value={draft.leaderUserId}
            onChange={(e) => set({ leaderUserId: e.target.value })}
          >
            <option value="">不指定</option>
            {leaders.map((p) => (
              <option key={p.userId} value={p.userId}>
                {p.displayName}（{roles(p).join('、')}）
              </option>
            ))}
          </select>
        </label>
      </div>
      <div className="row">
        <label>
          整改方式
          <select
            name={`mode-${n}`}
            value={draft.mode}
            onChange={(e) => set({ mode: e.target.value as TaskMode })}
          >
            {Object.entries(MODE_LABEL).map(([code, name]) => (
              <option key={code} value={code}>
                {name}
              </option>
            ))}
          </select>
        </label>
        {draft.mode !== 'standing' ? (
          <label>
            完成期限
            <input
              type="date"
              name={`dueDate-${n}`}
              value={draft.dueDate}
              onChange={(e) => set({ dueDate: e.target.value })}
              required
            />
            <DateHint date={draft.dueDate} />
          </label>
        ) : (
          <p className="hint">长期坚持：无完成期限，每季度须反馈进展。</p>
        )}
      </div>
      {onRemove && (
        <button type="button" className="link-button" onClick={onRemove}>
          删除措施 {n}
        </button>
      )}
    </fieldset>
  );
}

export function RaiseProblemPage() {
  const me = useMe();
  const raisingOrgs = orgsWithRole(me, ['secretary', 'deputy', 'supervisor']);
  const categories = useAsync(() => call(client.GET('/api/v1/categories')), []);
  const [raisedByOrgId, setRaisedByOrgId] = useState(raisingOrgs[0]?.id ?? '');
  const [orgId, setOrgId] = useState('');
  const [title, setTitle] = useState('');
  const [description, setDescription] = useState('');
  const [category, setCategory] = useState('');
  const [severity, setSeverity] = useState('general');
  const [source, setSource] = useState('quarterly_check');
  const [campaign, setCampaign] = useState('');
  const [measures, setMeasures] = useState<MeasureDraft[]>([emptyMeasure()]);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      // What the server would refuse, said before sending (it checks again): a deadline before
      // today by the service's clock.
      const today = serverToday();
      const past = measures.findIndex((m) => m.mode !== 'standing' && m.dueDate < today);
      if (past >= 0) {
        throw new ApiError(400, `第${past + 1}项措施的完成期限不能早于今天（${today}）`, [
          { field: `tasks[${past}].dueDate`, message: '完成期限不能早于今天' },
        ]);
      }
      const created = await call(
        client.POST('/api/v1/problems', {
          body: {
            title,
            description,
            category,
            severity: severity as Problem['severity'],
            source: source as Problem['source'],
            orgId,
            raisedByOrgId,
            ...(campaign.trim() ? { campaign: campaign.trim() } : {}),
            tasks: measures.map((m) => {
              const who = {
                measure: m.measure,
                responsibleOrgId: m.responsibleOrgId,
                responsibleUserId: m.responsibleUserId,
                ...(m.leaderUserId ? { leaderUserId: m.leaderUserId } : {}),
              };
              // The document's oneOf: a standing measure has no deadline, the others a dueDate.
              return m.mode === 'standing'
                ? { ...who, mode: m.mode }
                : { ...who, mode: m.mode, dueDate: m.dueDate };
            }),
          },
        }),
      );
      navigate(`/problems/${created.id}`);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  if (raisingOrgs.length === 0) {
    return (
      <div className="page">
        <h1>立项交办</h1>
        <p className="card">立项须由党组织的书记、副书记或督查员办理；您目前没有这些职务。</p>
      </div>
    );
  }

  return (
    <div className="page">
      <h1>立项交办</h1>
      <p className="muted">问题、整改措施和责任一次填好、一次提交：要么全部立项，要么都不立项。</p>
      <form className="card raise-form" onSubmit={submit} aria-label="立项交办">
        <fieldset>
          <legend>问题清单</legend>
          <div className="row">
            <label>
              立项党组织
              <select
                name="raisedByOrgId"
                value={raisedByOrgId}
                onChange={(e) => {
                  setRaisedByOrgId(e.target.value);
                  setOrgId('');
                  setMeasures((ms) => ms.map((m) => ({ ...m, responsibleOrgId: '' })));
                }}
                required
              >
                {raisingOrgs.map((o) => (
                  <option key={o.id} value={o.id}>
                    {o.name}
                  </option>
                ))}
              </select>
            </label>
            <OrgSelect
              id="problem-org"
              name="orgId"
              label="问题所在组织"
              value={orgId}
              under={raisedByOrgId}
              required
              onChange={(v) => {
                setOrgId(v);
                setMeasures((ms) =>
                  ms.map((m) => (m.responsibleOrgId ? m : { ...m, responsibleOrgId: v })),
                );
              }}
            />
          </div>
          <label>
            问题标题
            <input name="title" value={title} onChange={(e) => setTitle(e.target.value)} required />
          </label>
          <label>
            问题描述
            <textarea
              name="description"
              value={description}
              onChange={(e) => setDescription(e.target.value)}
              rows={3}
            />
          </label>
          <div className="row">
            <label>
              问题分类
              <select
                name="category"
                value={category}
                required
                onChange={(e) => setCategory(e.target.value)}
              >
                {/* No silent default: the raiser chooses the category, or the form does not go. */}
                <option value="" disabled>
                  请选择问题分类
                </option>
                {categories.data?.map((c) => (
                  <option key={c.code} value={c.code}>
                    {c.name}
                  </option>
                ))}
              </select>
            </label>
            <label>
              严重程度
              <select
                name="severity"
                value={severity}
                onChange={(e) => setSeverity(e.target.value)}
              >
                {Object.entries(SEVERITY_LABEL).map(([code, name]) => (
                  <option key={code} value={code}>
                    {name}
                  </option>
                ))}
              </select>
            </label>
            <label>
              问题来源
              <select name="source" value={source} onChange={(e) => setSource(e.target.value)}>
                {Object.entries(SOURCE_LABEL).map(([code, name]) => (
                  <option key={code} value={code}>
                    {name}
                  </option>
                ))}
              </select>
            </label>
            <label>
              批次（可不填）
              <input
                name="campaign"
                value={campaign}
                onChange={(e) => setCampaign(e.target.value)}
                placeholder="如 2026年第四季度党建督查"
              />
            </label>
          </div>
        </fieldset>
        <h2>整改措施与责任</h2>
        {measures.map((m, i) => (
          <MeasureFields
            key={m.key}
            index={i}
            draft={m}
            raisingOrgId={raisedByOrgId}
            onChange={(d) => setMeasures((ms) => ms.map((x) => (x.key === d.key ? d : x)))}
            onRemove={
              measures.length > 1
                ? () => setMeasures((ms) => ms.filter((x) => x.key !== m.key))
                : undefined
            }
          />
        ))}
        <button type="button" onClick={() => setMeasures((ms) => [...ms, emptyMeasure(orgId)])}>
          ＋ 增加一项措施
        </button>
        <ErrorBox error={error} />
        <div className="buttons">
          <button type="submit" className="primary" disabled={busy}>
            {busy ? '正在提交…' : '立项并交办'}
          </button>
        </div>
      </form>
      <ImportLedger raisedByOrgId={raisedByOrgId} />
    </div>
  );
}
