import { useEffect, useState, type FormEvent } from 'react';
import { ApiError, call, client } from '../api';
import { OrgSelect } from '../components/OrgSelect';
import { ErrorBox, Loading, useAsync } from '../components/ui';
import { getOrg } from '../directory';
import { AUDIENCES, AUDIENCE_LABEL } from '../labels';
import { navigate, useLocation } from '../router';
import { orgsWithRole, useMe } from '../session';
import type { EscalationPolicy, EscalationStep, Offset } from '../types';

type Unit = 'workingDays' | 'days' | 'hours' | 'minutes' | 'raw';

interface OffsetDraft {
  amount: string;
  unit: Unit;
  raw: string;
}

const UNIT_LABEL: Record<Unit, string> = {
  workingDays: '个工作日',
  days: '天',
  hours: '小时',
  minutes: '分钟',
  raw: 'ISO 8601',
};

function toDraft(offset: Offset): OffsetDraft {
  if (typeof offset === 'object')
    return { amount: String(offset.workingDays), unit: 'workingDays', raw: '' };
  const m = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/.exec(offset);
  if (m) {
    const [, d, h, min, s] = m;
    const present = [d, h, min, s].filter((x) => x !== undefined).length;
    if (present === 1 && d) return { amount: d, unit: 'days', raw: '' };
    if (present === 1 && h) return { amount: h, unit: 'hours', raw: '' };
    if (present === 1 && min) return { amount: min, unit: 'minutes', raw: '' };
    if (offset === 'PT0S') return { amount: '0', unit: 'hours', raw: '' };
  }
  return { amount: '', unit: 'raw', raw: offset };
}

function fromDraft(d: OffsetDraft): Offset {
  const n = Number(d.amount);
  switch (d.unit) {
    case 'workingDays':
      return { workingDays: n };
    case 'days':
      return n === 0 ? 'PT0S' : `P${n}D`;
    case 'hours':
      return n === 0 ? 'PT0S' : `PT${n}H`;
    case 'minutes':
      return n === 0 ? 'PT0S' : `PT${n}M`;
    case 'raw':
      return d.raw.trim();
  }
}

function describe(d: OffsetDraft, before: boolean): string {
  if (d.unit === 'raw') return `${before ? '截止前' : '截止后'} ${d.raw}`;
  if (Number(d.amount) === 0) return '截止时';
  return `${before ? '截止前' : '截止后'} ${d.amount} ${UNIT_LABEL[d.unit]}`;
}

interface StepDraft {
  name: string;
  after: OffsetDraft;
  notify: string[];
}

function OffsetInput({
  id,
  legend,
  value,
  onChange,
}: {
  id: string;
  legend: string;
  value: OffsetDraft;
  onChange: (d: OffsetDraft) => void;
}) {
  return (
    <span className="offset" role="group" aria-label={legend}>
      <span className="offset-legend" aria-hidden="true">
        {legend}
      </span>
      {value.unit === 'raw' ? (
        <input
          id={id}
          aria-label={`${legend}（ISO 8601 时长）`}
          value={value.raw}
          onChange={(e) => onChange({ ...value, raw: e.target.value })}
          size={8}
        />
      ) : (
        <input
          id={id}
          type="number"
          min={0}
          aria-label={`${legend}数值`}
          value={value.amount}
          onChange={(e) => onChange({ ...value, amount: e.target.value })}
        />
      )}
      <select
        aria-label={`${legend}单位`}
        value={value.unit}
        onChange={(e) => onChange({ ...value, unit: e.target.value as Unit })}
      >
        {Object.entries(UNIT_LABEL).map(([u, l]) => (
          <option key={u} value={u}>
            {l}
          </option>
        ))}
      </select>
    </span>
  );
}

/** The ladder drawn in order: reminders before the deadline, the deadline, then each step. */
function LadderTimeline({ reminders, steps }: { reminders: OffsetDraft[]; steps: StepDraft[] }) {
  return (
    <ol className="ladder" aria-label="升级阶梯时间轴">
      {reminders.map((r, i) => (
        <li key={`r${i}`} className="ladder-item reminder">
          <span className="ladder-dot" aria-hidden="true" />
          <strong>提醒</strong>
          <span>{describe(r, true)}</span>
        </li>
      ))}
      <li className="ladder-item deadline">
        <span className="ladder-dot" aria-hidden="true" />
        <strong>完成期限</strong>
        <span>红灯自此开始</span>
      </li>
      {steps.map((s, i) => (
        <li
          key={`s${i}`}
          className={`ladder-item step step-${Math.min(i + 1, 4)}`}
          data-step={i + 1}
        >
          <span className="ladder-dot" aria-hidden="true" />
          <strong>
            {i + 1}级 {s.name}
          </strong>
          <span>{describe(s.after, false)}</span>
          <span className="muted">
            通知：{s.notify.map((a) => AUDIENCE_LABEL[a] ?? a).join('、') || '—'}
          </span>
          {i === steps.length - 1 && <span className="tag danger">启动问责</span>}
        </li>
      ))}
    </ol>
  );
}

/**
 * Which tasks the shown rule governs: those of problems raised by this org, and by the orgs
 * below it that have no rule of their own. Never those assigned to this org by a committee
 * above it (their raising org's rule governs them), so a branch's own rule is never shown as
 * in force for tasks it does not govern.
 */
export function PolicySource({
  orgId,
  orgName,
  fromOrgId,
  fromName,
}: {
  orgId: string;
  orgName: string;
  fromOrgId: string | null;
  fromName: string;
}) {
  const scope = `适用于${orgName}及其未自定规则的下级党组织立项的问题。`;
  const notHere = `上级党组织交办给${orgName}的任务，按其立项党组织的规则办理，不适用此处规则。`;
  return (
    <div className="card" data-testid="policy-source">
      <p>
        {fromOrgId === null
          ? `${orgName}及其上级均未自定规则，当前使用系统默认规则：${scope}`
          : fromOrgId === orgId
            ? `当前为${orgName}自定规则：${scope}`
            : `${orgName}未自定规则，当前沿用上级 ${fromName} 的规则：${scope}保存后，${orgName}及其未自定规则的下级立项的问题改用新规则。`}
      </p>
      <p className="muted" data-testid="policy-not-governing">
        {notHere}每项任务详情页注明其所适用的规则。
      </p>
    </div>
  );
}

export function PolicyPage() {
  const me = useMe();
  const { query } = useLocation();
  const editable = orgsWithRole(me, ['secretary', 'deputy']);
  const orgId = query.get('orgId') ?? editable[0]?.id ?? me.roles.find((r) => r.orgId)?.orgId ?? '';
  const loaded = useAsync(async () => {
    if (!orgId) return null;
    const [policy, org] = await Promise.all([
      call(client.GET('/api/v1/orgs/{orgId}/escalation-policy', { params: { path: { orgId } } })),
      getOrg(orgId),
    ]);
    const from = policy.inheritedFromOrgId ? await getOrg(policy.inheritedFromOrgId) : null;
    return { policy, org, from };
  }, [orgId]);
  const [reminders, setReminders] = useState<OffsetDraft[]>([]);
  const [steps, setSteps] = useState<StepDraft[]>([]);
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    const p = loaded.data?.policy;
    if (!p) return;
    setReminders(p.remindBefore.map(toDraft));
    setSteps(
      p.steps.map((s) => ({ name: s.name, after: toDraft(s.after), notify: [...s.notify] })),
    );
  }, [loaded.data]);

  async function save(e: FormEvent) {
    e.preventDefault();
    const p = loaded.data?.policy;
    if (!p) return;
    setBusy(true);
    setError(null);
    setSaved(null);
    // One unit per list, as the server demands: working days, or clock time (days, hours, minutes).
    const kind = (d: OffsetDraft) => (d.unit === 'workingDays' ? 'wd' : 'time');
    const mixed = (ds: OffsetDraft[]) => new Set(ds.map(kind)).size > 1;
    if (mixed(reminders) || mixed(steps.map((s) => s.after))) {
      setBusy(false);
      setError(
        new ApiError(
          400,
          '提醒和升级各自须使用同一种时间单位：都用“个工作日”，或都用天、小时、分钟',
        ),
      );
      return;
    }
    const body: Omit<EscalationPolicy, 'inheritedFromOrgId'> = {
      remindBefore: reminders.map(fromDraft),
      steps: steps.map((s, i): EscalationStep => ({
        level: i + 1,
        name: s.name,
        after: fromDraft(s.after),
        notify: s.notify as EscalationStep['notify'],
      })),
      ...(p.lights ? { lights: p.lights } : {}),
      ...(p.bySeverity ? { bySeverity: p.bySeverity } : {}),
    };
    try {
      await call(
        client.PUT('/api/v1/orgs/{orgId}/escalation-policy', { params: { path: { orgId } }, body }),
      );
      setSaved('已保存。未完成的任务将在下一次巡检时按新规则重新计划。');
      loaded.reload();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  const setStep = (i: number, patch: Partial<StepDraft>) =>
    setSteps((ss) => ss.map((s, j) => (j === i ? { ...s, ...patch } : s)));

  return (
    <div className="page">
      <h1>逾期升级规则</h1>
      <p className="muted">
        每项任务按<strong>立项党组织</strong>
        的规则办理：立项党组织自定了规则的用其规则，未自定的沿用其上级规则，与责任单位自己的规则无关。期限前提醒，逾期后逐级升级，最后一级启动问责。
      </p>
      <div className="toolbar">
        <OrgSelect
          id="policy-org"
          label="党组织"
          value={orgId}
          onChange={(id) => id && navigate(`/policy?orgId=${id}`)}
        />
      </div>
      <ErrorBox error={loaded.error} />
      {loaded.loading && !loaded.data && <Loading />}
      {loaded.data && (
        <>
          <PolicySource
            orgId={orgId}
            orgName={loaded.data.org?.name ?? '本组织'}
            fromOrgId={loaded.data.policy.inheritedFromOrgId}
            fromName={loaded.data.from?.name ?? '上级党组织'}
          />
          <section className="card" aria-labelledby="ladder-title">
            <h2 id="ladder-title">升级阶梯</h2>
            <LadderTimeline reminders={reminders} steps={steps} />
          </section>
          <form className="card policy-form" onSubmit={save} aria-label="编辑升级规则">
            <h2>到期前提醒</h2>
            {reminders.map((r, i) => (
              <div className="row" key={`r${i}`}>
                <OffsetInput
                  id={`reminder-${i + 1}`}
                  legend={`第 ${i + 1} 次提醒：截止前`}
                  value={r}
                  onChange={(d) => setReminders((rs) => rs.map((x, j) => (j === i ? d : x)))}
                />
                <button
                  type="button"
                  className="link-button"
                  onClick={() => setReminders((rs) => rs.filter((_, j) => j !== i))}
                >
                  删除
                </button>
              </div>
            ))}
            <button
              type="button"
              onClick={() =>
                setReminders((rs) => [...rs, { amount: '1', unit: 'workingDays', raw: '' }])
              }
            >
              ＋ 增加提醒
            </button>
            <h2>逾期升级</h2>
            {steps.map((s, i) => (
              <fieldset key={`s${i}`} className="step-fieldset" data-step={i + 1}>
                <legend>第 {i + 1} 级</legend>
                <div className="row">
                  <label>
                    名称
                    <input
                      name={`step-name-${i + 1}`}
                      value={s.name}
                      onChange={(e) => setStep(i, { name: e.target.value })}
                    />
                  </label>
                  <OffsetInput
                    id={`step-after-${i + 1}`}
                    legend={`第 ${i + 1} 级：截止后`}
                    value={s.after}
                    onChange={(d) => setStep(i, { after: d })}
                  />
                </div>
                <div className="checks" role="group" aria-label={`第 ${i + 1} 级通知对象`}>
                  {AUDIENCES.map((a) => (
                    <label key={a} className="check">
                      <input
                        type="checkbox"
                        checked={s.notify.includes(a)}
                        onChange={(e) =>
                          setStep(i, {
                            notify: e.target.checked
                              ? [...s.notify, a]
                              : s.notify.filter((x) => x !== a),
                          })
                        }
                      />
                      {AUDIENCE_LABEL[a]}
                    </label>
                  ))}
                </div>
                <button
                  type="button"
                  className="link-button"
                  onClick={() => setSteps((ss) => ss.filter((_, j) => j !== i))}
                >
                  删除此级
                </button>
              </fieldset>
            ))}
            <button
              type="button"
              onClick={() =>
                setSteps((ss) => [
                  ...ss,
                  {
                    name: '',
                    after: { amount: '1', unit: 'workingDays', raw: '' },
                    notify: ['secretary'],
                  },
                ])
              }
            >
              ＋ 增加一级
            </button>
            <ErrorBox error={error} />
            {saved && (
              <p className="ok" role="status">
                {saved}
              </p>
            )}
            <div className="buttons">
              <button type="submit" className="primary" disabled={busy}>
                保存规则
              </button>
            </div>
          </form>
        </>
      )}
    </div>
  );
}
