import type { Actor } from '../access/roles';
import {
  type ExistingOrg,
  type OrgImportContext,
  orgKindOfText,
  planOrgImport,
} from './org-import';

const county: ExistingOrg = {
  id: 'c',
  name: '某某县委',
  kind: 'committee',
  parentId: null,
  path: ['c'],
  active: true,
};
const town: ExistingOrg = {
  id: 't',
  name: '城关镇党委',
  kind: 'committee',
  parentId: 'c',
  path: ['c', 't'],
  active: true,
};
const town2: ExistingOrg = { ...town, id: 't2', name: '河口镇党委', path: ['c', 't2'] };
const branchInTown: ExistingOrg = {
  id: 'b',
  name: '第一支部',
  kind: 'branch',
  parentId: 't',
  path: ['c', 't', 'b'],
  active: true,
};
const branchInTown2: ExistingOrg = {
  ...branchInTown,
  id: 'b2',
  parentId: 't2',
  path: ['c', 't2', 'b2'],
};

const countyAdmin: Actor = {
  userId: 'me',
  systemAdmin: false,
  grants: [{ org: { id: 'c', path: ['c'] }, role: 'admin' }],
};

function ctx(overrides: Partial<OrgImportContext> = {}): OrgImportContext {
  let n = 0;
  return {
    actor: countyAdmin,
    orgs: [county, town, town2, branchInTown, branchInTown2],
    users: new Map(),
    grants: new Set(),
    newId: () => `n${++n}`,
    ...overrides,
  };
}

describe('planOrgImport', () => {
  it('creates orgs under existing or earlier rows, and people with roles', () => {
    const plan = planOrgImport(
      [
        { row: 2, cells: { parent: '某某县委', name: '新城镇党委', kind: '党委' } },
        {
          row: 3,
          cells: {
            parent: '新城镇党委',
            name: '第一支部',
            kind: '党支部',
            displayName: '张三',
            username: 'zhangsan',
            role: '书记',
            phone: '13800000000',
          },
        },
        {
          row: 4,
          cells: { parent: '新城镇党委', name: '第一支部', username: 'zhangsan', role: '纪检' },
        },
      ],
      ctx(),
    );
    expect(plan.errors).toEqual([]);
    expect(plan.orgs).toEqual([
      expect.objectContaining({ id: 'n1', name: '新城镇党委', parentId: 'c', path: ['c', 'n1'] }),
      expect.objectContaining({
        id: 'n2',
        kind: 'branch',
        parentId: 'n1',
        path: ['c', 'n1', 'n2'],
      }),
    ]);
    expect(plan.users).toEqual([
      expect.objectContaining({ id: 'n3', username: 'zhangsan', displayName: '张三' }),
    ]);
    expect(plan.grants).toEqual([
      { row: 3, userId: 'n3', orgId: 'n2', role: 'secretary' },
      { row: 4, userId: 'n3', orgId: 'n2', role: 'discipline' },
    ]);
  });

  it('finds an existing org instead of creating it again, and skips roles already held', () => {
    const users = new Map([
      ['lisi', { id: 'u1', username: 'LiSi', displayName: '李四', active: true }],
    ]);
    const plan = planOrgImport(
      [
        {
          row: 2,
          cells: { parent: '城关镇党委', name: '第一支部', username: 'lisi', role: '成员' },
        },
      ],
      ctx({ users, grants: new Set(['u1:b:member']) }),
    );
    expect(plan).toMatchObject({ errors: [], orgs: [], users: [], grants: [], orgsFound: 1 });
  });

  it('asks for a path where a parent’s name is not unique, and accepts one', () => {
    const ambiguous = planOrgImport(
      [{ row: 2, cells: { parent: '第一支部', name: '第一党小组', kind: '党小组' } }],
      ctx(),
    );
    expect(ambiguous.errors).toEqual([
      { row: 2, field: '上级组织', message: expect.stringMatching(/不唯一/) },
    ]);
    const resolved = planOrgImport(
      [{ row: 2, cells: { parent: '河口镇党委/第一支部', name: '第一党小组', kind: '党小组' } }],
      ctx(),
    );
    expect(resolved.errors).toEqual([]);
    expect(resolved.orgs[0].parentId).toBe('b2');
  });

  it('reports every wrong row with its column', () => {
    const plan = planOrgImport(
      [
        { row: 2, cells: { parent: '不存在', name: 'A', kind: '党委' } },
        { row: 3, cells: { parent: '某某县委', name: 'B', kind: '委员会' } },
        { row: 4, cells: { parent: '某某县委', name: 'C' } },
        { row: 5, cells: { parent: '城关镇党委', name: 'D', kind: '党小组' } },
        {
          row: 6,
          cells: { parent: '城关镇党委', name: 'E', kind: '党支部', timeZone: 'Mars/Base' },
        },
        {
          row: 7,
          cells: { parent: '城关镇党委', name: 'F', kind: '党支部', username: 'x y', role: '主任' },
        },
        {
          row: 8,
          cells: {
            parent: '城关镇党委',
            name: 'G',
            kind: '党支部',
            username: 'newbie',
            role: '成员',
          },
        },
        { row: 9, cells: { name: '顶级', kind: '党委' } },
      ],
      ctx(),
    );
    expect(plan.errors.map((e) => [e.row, e.field])).toEqual([
      [2, '上级组织'],
      [3, '组织类型'],
      [4, '组织类型'],
      [5, '组织类型'],
      [6, '时区'],
      [7, '用户名'],
      [7, '角色'],
      [8, '姓名'],
      [9, '上级组织'],
    ]);
  });

  it('keeps a secretary to orgs and existing people below them, never new accounts', () => {
    const townSecretary: Actor = {
      userId: 's',
      systemAdmin: false,
      grants: [{ org: { id: 't', path: ['c', 't'] }, role: 'secretary' }],
    };
    const plan = planOrgImport(
      [
        { row: 2, cells: { parent: '城关镇党委', name: '第二支部', kind: '党支部' } },
        { row: 3, cells: { parent: '某某县委', name: '第三镇', kind: '党委' } },
        {
          row: 4,
          cells: {
            parent: '城关镇党委',
            name: '第二支部',
            username: 'nobody',
            displayName: '某',
            role: '成员',
          },
        },
      ],
      ctx({ actor: townSecretary, orgs: [town, branchInTown] }),
    );
    expect(plan.orgs).toHaveLength(1);
    expect(plan.errors.map((e) => [e.row, e.field])).toEqual([
      [3, '上级组织'],
      [4, '用户名'],
    ]);
  });

  it('reads kinds by Chinese name or code', () => {
    expect(orgKindOfText('党总支')).toBe('general_branch');
    expect(orgKindOfText('branch')).toBe('branch');
    expect(orgKindOfText('科室')).toBeNull();
  });
});
