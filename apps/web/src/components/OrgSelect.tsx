import { useEffect, useState } from 'react';
import { call, client } from '../api';
import { orgsInScopeById } from '../directory';
import { ORG_KIND_LABEL } from '../labels';
import type { Org } from '../types';

/**
 * Orgs in tree order: each one followed by its subtree, siblings by name (zh-CN collation). An
 * org whose parent is not in the list starts a tree of its own.
 */
export function treeOrder(list: Org[]): Org[] {
  const ids = new Set(list.map((o) => o.id));
  const children = new Map<string | null, Org[]>();
  for (const o of list) {
    const parent = o.parentId && ids.has(o.parentId) ? o.parentId : null;
    children.set(parent, [...(children.get(parent) ?? []), o]);
  }
  const collator = new Intl.Collator('zh-CN');
  const out: Org[] = [];
  const walk = (parent: string | null) => {
    const kids = (children.get(parent) ?? []).sort(
      (a, b) => a.depth - b.depth || collator.compare(a.name, b.name),
    );
    for (const o of kids) {
      out.push(o);
      walk(o.id);
    }
  };
  walk(null);
  return out;
}

/** Orgs in the caller's scope (optionally below `under`), as a tree-ordered list. */
export async function orgsInScope(under?: string): Promise<Org[]> {
  if (!under) return treeOrder([...(await orgsInScopeById()).values()]);
  const res = await call(
    client.GET('/api/v1/orgs', { params: { query: { under, pageSize: 200 } } }),
  );
  return treeOrder(res.items);
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
            {o.depth > minDepth ? '└ ' : ''}
            {o.name}（{ORG_KIND_LABEL[o.kind] ?? o.kind}）
          </option>
        ))}
      </select>
    </label>
  );
}
