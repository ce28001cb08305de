import type { OrgKind, Role } from '#duban/domain';

/**
 * The demo county: its organisations and its people. Names are invented; titles say what each
 * person does in the story, so a newcomer can pick the right login for what they want to see.
 */

/** The root of the demo; its existence is what makes the loader idempotent. */
export const DEMO_COUNTY_NAME = '示范县委';

/** Used when DUBAN_DEMO_PASSWORD is not set. The API asks for 12 characters at least. */
export const DEFAULT_DEMO_PASSWORD = 'duban-demo-only';

/** Created only when the database has no system administrator at all (and none is configured). */
export const DEMO_ROOT_USERNAME = 'demo.root';

export type OrgKey =
  | 'county'
  | 'organs'
  | 'town'
  | 'education'
  | 'office'
  | 'finance'
  | 'village1'
  | 'village2'
  | 'school'
  | 'primary'
  | 'group1'
  | 'group2';

export interface DemoOrg {
  key: OrgKey;
  name: string;
  kind: OrgKind;
  parent?: OrgKey;
}

/** Parents before children. */
export const DEMO_ORGS: readonly DemoOrg[] = [
  { key: 'county', name: DEMO_COUNTY_NAME, kind: 'committee' },
  { key: 'organs', name: '县直机关党总支', kind: 'general_branch', parent: 'county' },
  { key: 'town', name: '城关镇农村党总支', kind: 'general_branch', parent: 'county' },
  { key: 'education', name: '县教育系统党总支', kind: 'general_branch', parent: 'county' },
  { key: 'office', name: '县委办公室党支部', kind: 'branch', parent: 'organs' },
  { key: 'finance', name: '县财政局机关党支部', kind: 'branch', parent: 'organs' },
  { key: 'village1', name: '城关镇第一村党支部', kind: 'branch', parent: 'town' },
  { key: 'village2', name: '城关镇第二村党支部', kind: 'branch', parent: 'town' },
  { key: 'school', name: '县第一中学党支部', kind: 'branch', parent: 'education' },
  { key: 'primary', name: '县实验小学党支部', kind: 'branch', parent: 'education' },
  { key: 'group1', name: '第一村第一党小组', kind: 'group', parent: 'village1' },
  { key: 'group2', name: '第一中学退休教师党小组', kind: 'group', parent: 'school' },
];

export type PersonKey =
  | 'secretary'
  | 'deputy'
  | 'supervisor'
  | 'inspector'
  | 'discipline'
  | 'admin'
  | 'leader'
  | 'leader2'
  | 'general1'
  | 'general2'
  | 'general3'
  | 'branch1'
  | 'member1'
  | 'branch2'
  | 'member2'
  | 'branch3'
  | 'member3'
  | 'branch4'
  | 'member4'
  | 'branch5'
  | 'member5'
  | 'branch6'
  | 'member6'
  | 'group1'
  | 'group2';

export interface DemoPerson {
  key: PersonKey;
  username: string;
  displayName: string;
  /** What they are in the story (职务). */
  title: string;
  roles: readonly { org: OrgKey; role: Role }[];
}

const person = (
  key: PersonKey,
  displayName: string,
  title: string,
  org: OrgKey,
  role: Role,
): DemoPerson => ({ key, username: `demo.${key}`, displayName, title, roles: [{ org, role }] });

/** The county's admin comes first: it creates everyone else. */
export const DEMO_PEOPLE: readonly DemoPerson[] = [
  person('admin', '赵磊', '县委组织部信息管理员', 'county', 'admin'),
  person('secretary', '王建国', '县委书记（销号审批）', 'county', 'secretary'),
  person('deputy', '李秀英', '县委副书记（审批延期）', 'county', 'deputy'),
  person('supervisor', '张伟', '县委督查室主任（督查、验收）', 'county', 'supervisor'),
  person('inspector', '刘洋', '县委督查室督查员（督查、验收）', 'county', 'supervisor'),
  person('discipline', '陈静', '县纪委监委派驻纪检组组长（问责）', 'county', 'discipline'),
  person('leader', '周海峰', '县委常委、组织部部长（分管领导）', 'county', 'member'),
  person('leader2', '吴志刚', '县委常委、副县长（分管农村，分管领导）', 'county', 'member'),
  person('general1', '孙丽', '县直机关党总支书记', 'organs', 'secretary'),
  person('general2', '马强', '城关镇农村党总支书记', 'town', 'secretary'),
  person('general3', '胡晓梅', '县教育系统党总支书记', 'education', 'secretary'),
  person('branch1', '郭志明', '县委办公室党支部书记', 'office', 'secretary'),
  person('member1', '何静', '县委办公室党支部组织委员', 'office', 'member'),
  person('branch2', '林涛', '县财政局机关党支部书记', 'finance', 'secretary'),
  person('member2', '罗敏', '县财政局机关党支部组织委员', 'finance', 'member'),
  person('branch3', '高建华', '城关镇第一村党支部书记', 'village1', 'secretary'),
  person('member3', '梁秀兰', '城关镇第一村党支部组织委员', 'village1', 'member'),
  person('branch4', '宋国庆', '城关镇第二村党支部书记', 'village2', 'secretary'),
  person('member4', '郑红', '城关镇第二村党支部委员', 'village2', 'member'),
  person('branch5', '谢文斌', '县第一中学党支部书记', 'school', 'secretary'),
  person('member5', '韩雪', '县第一中学党支部组织委员', 'school', 'member'),
  person('branch6', '唐丽华', '县实验小学党支部书记', 'primary', 'secretary'),
  person('member6', '冯磊', '县实验小学党支部宣传委员', 'primary', 'member'),
  person('group1', '曹德明', '第一村第一党小组组长', 'group1', 'member'),
  person('group2', '彭秀珍', '第一中学退休教师党小组组长', 'group2', 'member'),
];
