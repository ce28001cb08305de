import { useEffect, useState } from 'react';
import { api } from '../api';
import { ORG_KIND_LABEL } from '../labels';
import type { Org, Page } from '../types';

/** Orgs in the caller's scope (optionally below `under`), as a tree-ordered list. */
export async function orgsInScope(under?: string): Promise<Org[]> {
  const res = await api<Page<Org>>('/orgs', { query: { under, pageSize: 200 } });
  const byId = new Map(res.items.map((o) => [o.id, o]));
  const key = (o: Org) =>
    o.path.map((id) => byId.get(id)?.name ?? '').join('\u0000') + '\u0000' + o.name;
  return [...res.items].sort((a, b) => key(a).localeCompare(key(b), 'zh-CN'));
}

export function OrgSelect({
  id,
  label,
  value,
  onChange,
  under,
  allowEmpty,
  emptyLabel = '全部',
  required,
  name,
}: {
  id: string;
  label: string;
  value: string;
  onChange: (id: string, org?: Org) => void;
  under?: string;
  allowEmpty?: boolean;
  emptyLabel?: string;
  required?: boolean;
  name?: string;
}) {
  const [orgs, setOrgs] = useState<Org[]>([]);
  useEffect(() => {
    let live = true;
    orgsInScope(under)
      .then((list) => live && setOrgs(list))
      .catch(() => live && setOrgs([]));
    return () => {
      live = false;
    };
  }, [under]);
  const minDepth = Math.min(...orgs.map((o) => o.depth));
  return (
    <label htmlFor={id}>
      {label}
      <select
        id={id}
        name={name}
        value={value}
        required={required}
        onChange={(e) =>
          onChange(
            e.target.value,
            orgs.find((o) => o.id === e.target.value),
          )
        }
      >
        {(allowEmpty || !value) && <option value="">{allowEmpty ? emptyLabel : '请选择'}</option>}
        {orgs.map((o) => (
          <option key={o.id} value={o.id}>
            {'\u3000'.repeat(Math.max(0, o.depth - minDepth))}
            {o.name}（{ORG_KIND_LABEL[o.kind] ?? o.kind}）
          </option>
        ))}
      </select>
    </label>
  );
}
