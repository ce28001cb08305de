import { useEffect, useState, type FormEvent } from 'react';
import { call, client } from '../api';
import { CAMPAIGN_KIND_LABEL, type CampaignKind } from '../campaigns';
import { orgsInScope, OrgSelect } from '../components/OrgSelect';
import { ErrorBox, useAsync } from '../components/ui';
import { getOrg, peopleOf } from '../directory';
import { ORG_KIND_LABEL } from '../labels';
import { navigate } from '../router';
import { orgsWithRole, useMe } from '../session';
import type { Org } from '../types';

type Person = { userId: string; displayName: string };
interface ChecklistDraft {
  key: number;
  code: string;
  title: string;
  category: string;
}
let nextKey = 1;

/** 组织督查: raising org, kind, period, team with a leader, targets chosen or drawn, checklist. */
export function NewCampaignPage() {
  const me = useMe();
  const raisingOrgs = orgsWithRole(me, ['secretary', 'deputy', 'supervisor']);
  const [raisedByOrgId, setRaisedBy] = useState(raisingOrgs[0]?.id ?? '');
  const [name, setName] = useState('');
  const [kind, setKind] = useState<CampaignKind>('spot_check');
  const [startsOn, setStartsOn] = useState('');
  const [endsOn, setEndsOn] = useState('');
  const [leaderUserId, setLeader] = useState('');
  const [team, setTeam] = useState<string[]>([]);
  const [mode, setMode] = useState<'draw' | 'choose'>('draw');
  const [withinOrgId, setWithin] = useState('');
  const [orgKind, setOrgKind] = useState('branch');
  const [count, setCount] = useState('5');
  const [seed, setSeed] = useState('');
  const [chosen, setChosen] = useState<string[]>([]);
  const [checklist, setChecklist] = useState<ChecklistDraft[]>([]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const categories = useAsync(() => call(client.GET('/api/v1/categories')), []);

  // 督查员 of the raising org and the orgs above it: who may sit on the team.
  const [inspectors, setInspectors] = useState<Person[]>([]);
  const [below, setBelow] = useState<Org[]>([]);
  useEffect(() => {
    let live = true;
    if (!raisedByOrgId) return;
    void (async () => {
      const org = await getOrg(raisedByOrgId);
      const people = await peopleOf(org?.path ?? [raisedByOrgId]);
      const list = (await orgsInScope(raisedByOrgId)).filter((o) => o.id !== raisedByOrgId);
      if (!live) return;
      setInspectors(people.filter((p) => p.roles.includes('supervisor')));
      setBelow(list);
      setWithin(raisedByOrgId);
    })();
    return () => {
      live = false;
    };
  }, [raisedByOrgId]);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const created = await call(
        client.POST('/api/v1/campaigns', {
          body: {
            name,
            kind,
            raisedByOrgId,
            startsOn,
            endsOn,
            leaderUserId,
            teamUserIds: team.filter((u) => u !== leaderUserId),
            ...(mode === 'draw'
              ? {
                  targetDraw: {
                    withinOrgId,
                    count: Number(count),
                    ...(orgKind ? { orgKind: orgKind as Org['kind'] } : {}),
                    ...(seed ? { seed } : {}),
                  },
                }
              : { targetOrgIds: chosen }),
            ...(checklist.length
              ? {
                  checklist: checklist.map(({ code, title, category }) => ({
                    code,
                    title,
                    category,
                  })),
                }
              : {}),
          },
        }),
      );
      navigate(`/campaigns/${created.id}`);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  const toggle = (list: string[], id: string, on: boolean) =>
    on ? [...list, id] : list.filter((x) => x !== id);

  return (
    <>
      <h1>组织督查</h1>
      <form onSubmit={submit} className="card" aria-label="组织督查">
        <div className="row">
          <label htmlFor="c-raised-by">
            发起组织
            <select
              id="c-raised-by"
              value={raisedByOrgId}
              required
              onChange={(e) => setRaisedBy(e.target.value)}
            >
              {raisingOrgs.map((o) => (
                <option key={o.id} value={o.id}>
                  {o.name}
                </option>
              ))}
            </select>
          </label>
          <label htmlFor="c-kind">
            督查类型
            <select
              id="c-kind"
              value={kind}
              onChange={(e) => setKind(e.target.value as CampaignKind)}
            >
              {Object.entries(CAMPAIGN_KIND_LABEL).map(([k, v]) => (
                <option key={k} value={k}>
                  {v}
                </option>
              ))}
            </select>
          </label>
        </div>
        <label htmlFor="c-name">
          名称
          <input
            id="c-name"
            value={name}
            required
            maxLength={200}
            onChange={(e) => setName(e.target.value)}
          />
        </label>
        <div className="row">
          <label htmlFor="c-starts">
            开始日期
            <input
              id="c-starts"
              type="date"
              value={startsOn}
              required
              onChange={(e) => setStartsOn(e.target.value)}
            />
          </label>
          <label htmlFor="c-ends">
            结束日期
            <input
              id="c-ends"
              type="date"
              value={endsOn}
              required
              onChange={(e) => setEndsOn(e.target.value)}
            />
          </label>
        </div>
        <fieldset>
          <legend>督查组</legend>
          <label htmlFor="c-leader">
            组长
            <select
              id="c-leader"
              value={leaderUserId}
              required
              onChange={(e) => setLeader(e.target.value)}
            >
              <option value="">请选择</option>
              {inspectors.map((p) => (
                <option key={p.userId} value={p.userId}>
                  {p.displayName}
                </option>
              ))}
            </select>
          </label>
          {inspectors.length === 0 && <p className="muted">发起组织及其上级组织中还没有督查员。</p>}
          {inspectors
            .filter((p) => p.userId !== leaderUserId)
            .map((p) => (
              <label key={p.userId} className="check">
                <input
                  type="checkbox"
                  checked={team.includes(p.userId)}
                  onChange={(e) => setTeam(toggle(team, p.userId, e.target.checked))}
                />
                {p.displayName}
              </label>
            ))}
        </fieldset>
        <fieldset>
          <legend>督查对象</legend>
          <div className="row">
            <label className="check">
              <input
                type="radio"
                name="target-mode"
                checked={mode === 'draw'}
                onChange={() => setMode('draw')}
              />
              随机抽取（四不两直）
            </label>
            <label className="check">
              <input
                type="radio"
                name="target-mode"
                checked={mode === 'choose'}
                onChange={() => setMode('choose')}
              />
              指定对象
            </label>
          </div>
          {mode === 'draw' ? (
            <div className="row">
              <OrgSelect
                id="c-within"
                label="抽取范围"
                value={withinOrgId}
                under={raisedByOrgId}
                onChange={(id) => setWithin(id)}
              />
              <label htmlFor="c-org-kind">
                组织类型
                <select
                  id="c-org-kind"
                  value={orgKind}
                  onChange={(e) => setOrgKind(e.target.value)}
                >
                  <option value="">不限</option>
                  {Object.entries(ORG_KIND_LABEL).map(([k, v]) => (
                    <option key={k} value={k}>
                      {v}
                    </option>
                  ))}
                </select>
              </label>
              <label htmlFor="c-count">
                抽取数量
                <input
                  id="c-count"
                  type="number"
                  min={1}
                  value={count}
                  required
                  onChange={(e) => setCount(e.target.value)}
                />
              </label>
              <label htmlFor="c-seed">
                随机种子（可不填）
                <input id="c-seed" value={seed} onChange={(e) => setSeed(e.target.value)} />
              </label>
            </div>
          ) : (
            <div className="list" role="group" aria-label="指定对象">
              {below.map((o) => (
                <label key={o.id} className="check">
                  <input
                    type="checkbox"
                    checked={chosen.includes(o.id)}
                    onChange={(e) => setChosen(toggle(chosen, o.id, e.target.checked))}
                  />
                  {o.name}
                </label>
              ))}
            </div>
          )}
        </fieldset>
        <fieldset>
          <legend>督查清单（可选）</legend>
          {checklist.map((item, i) => (
            <div className="row" key={item.key}>
              <label>
                编号
                <input
                  value={item.code}
                  required
                  aria-label={`清单第${i + 1}项编号`}
                  onChange={(e) =>
                    setChecklist(
                      checklist.map((x) =>
                        x.key === item.key ? { ...x, code: e.target.value } : x,
                      ),
                    )
                  }
                />
              </label>
              <label>
                检查内容
                <input
                  value={item.title}
                  required
                  aria-label={`清单第${i + 1}项内容`}
                  onChange={(e) =>
                    setChecklist(
                      checklist.map((x) =>
                        x.key === item.key ? { ...x, title: e.target.value } : x,
                      ),
                    )
                  }
                />
              </label>
              <label>
                问题分类
                <select
                  value={item.category}
                  required
                  aria-label={`清单第${i + 1}项分类`}
                  onChange={(e) =>
                    setChecklist(
                      checklist.map((x) =>
                        x.key === item.key ? { ...x, category: e.target.value } : x,
                      ),
                    )
                  }
                >
                  <option value="">请选择</option>
                  {(categories.data ?? []).map((c) => (
                    <option key={c.code} value={c.code}>
                      {c.name}
                    </option>
                  ))}
                </select>
              </label>
            </div>
          ))}
          <button
            type="button"
            onClick={() =>
              setChecklist([
                ...checklist,
                { key: nextKey++, code: `A${checklist.length + 1}`, title: '', category: '' },
              ])
            }
          >
            添加清单项
          </button>
        </fieldset>
        <ErrorBox error={error} />
        <div className="buttons">
          <button type="submit" className="primary" disabled={busy || !raisedByOrgId}>
            {busy ? '正在创建…' : '创建督查'}
          </button>
        </div>
      </form>
    </>
  );
}
