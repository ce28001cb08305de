// The shapes of the public v1 API (see /api/docs-json), as far as the workspace uses them.

export type Light = 'red' | 'yellow' | 'blue' | 'green';
export type TaskState = 'assigned' | 'in_progress' | 'submitted' | 'verified' | 'closed';
export type TaskMode = 'immediate' | 'deadline' | 'standing';
export type Role = 'admin' | 'secretary' | 'deputy' | 'supervisor' | 'member' | 'discipline';
export type TaskAction =
  | 'accept'
  | 'reportProgress'
  | 'submit'
  | 'verify'
  | 'close'
  | 'reopen'
  | 'requestExtension'
  | 'decideExtension'
  | 'recordCheck';

export interface Page<T> {
  items: T[];
  total: number;
  page: number;
  pageSize: number;
}

export interface RoleOfUser {
  orgId: string | null;
  orgName: string | null;
  role: Role;
}

export interface Me {
  id: string;
  username: string;
  displayName: string;
  systemAdmin: boolean;
  roles: RoleOfUser[];
}

export interface Org {
  id: string;
  name: string;
  kind: string;
  parentId: string | null;
  path: string[];
  depth: number;
  timeZone: string;
  childCount: number;
  /** false once deactivated (已停用). */
  active?: boolean;
}

export interface OrgMember {
  id: string;
  userId: string;
  orgId: string;
  role: Role;
  displayName: string;
}

export interface PendingExtension {
  id: string;
  requestedBy: string;
  newDueAt: string;
  reason: string;
}

export interface Task {
  id: string;
  problemId: string;
  problemTitle: string;
  category: string;
  severity: string;
  measure: string;
  raisingOrgId: string;
  responsibleOrgId: string;
  responsibleOrgName: string;
  responsibleUserId: string;
  /** Display names, given by the API to whoever may see the task. */
  responsibleUserName?: string | null;
  leaderUserId: string | null;
  leaderUserName?: string | null;
  mode: TaskMode;
  dueAt: string | null;
  state: TaskState;
  light: Light;
  escalationLevel: number;
  version: number;
  lastCheckResult: string | null;
  lastCheckAt: string | null;
  lastProgressAt: string | null;
  pendingExtension: PendingExtension | null;
  createdAt: string;
  updatedAt: string;
  closedAt: string | null;
  actions: TaskAction[];
  /** Why I stay out of judging this task (回避), when I otherwise could. */
  conflictOfInterest?: string | null;
  /** 回头看 found the problem back after closure and reopened the measure. */
  relapse?: boolean;
  /** GET /tasks/{id} only: the 约谈 the 通报 step made due. */
  talk?: { state: 'none' | 'due' | 'overdue' | 'held'; dueBy: string | null };
  /** GET /tasks/{id} only: the org whose escalation policy governs it (null: the default). */
  policyOrgId?: string | null;
  /** GET /tasks/{id} only: false when the raising org set the governing policy itself. */
  policyInherited?: boolean;
  /** Its problem was withdrawn (已撤回). */
  withdrawn?: boolean;
}

export interface Problem {
  id: string;
  title: string;
  description: string;
  category: string;
  categoryName: string;
  severity: string;
  source: string;
  campaign: string | null;
  orgId: string;
  orgName: string;
  raisedByOrgId: string;
  raisedBy: string;
  state: 'open' | 'closed' | 'withdrawn';
  withdrawnAt?: string | null;
  withdrawReason?: string | null;
  taskCount: number;
  openTaskCount: number;
  recurring: boolean;
  recurrenceCount: number;
  recurrenceOf: string[];
  createdAt: string;
  closedAt: string | null;
}

export interface ProblemDetail extends Problem {
  tasks: Task[];
  warnings?: string[];
}

export interface Category {
  code: string;
  name: string;
}

export interface TimelineEvent {
  seq: number;
  at: string;
  actorId: string | null;
  actorName?: string | null;
  type: string;
  from: string | null;
  to: string | null;
  data: Record<string, unknown>;
}

export interface Escalation {
  level: number;
  name: string;
  at: string;
  plannedAt: string;
  deadline: string;
  notified: string[];
}

export interface Extension {
  id: string;
  taskId: string;
  state: 'pending' | 'approved' | 'rejected';
  requestedBy: string;
  requestedAt: string;
  currentDueAt: string;
  newDueAt: string;
  reason: string;
  progress: string;
  decidedBy: string | null;
  decidedAt: string | null;
  comment: string | null;
}

export interface Attachment {
  id: string;
  sha256: string;
  size: number;
  contentType: string;
  fileName: string;
  uploadedBy: string;
  uploadedAt: string;
}

export type Offset = string | { workingDays: number };

export interface EscalationStep {
  level: number;
  name: string;
  after: Offset;
  notify: string[];
}

export interface EscalationPolicy {
  remindBefore: Offset[];
  steps: EscalationStep[];
  lights?: { blueWithinWorkingDays?: number };
  bySeverity?: Record<string, unknown>;
  inheritedFromOrgId: string | null;
}

export interface AccountabilityCase {
  id: string;
  taskId: string;
  measure: string;
  problemId: string;
  problemTitle: string;
  raisingOrgId: string;
  subjectOrgId: string;
  subjectOrgName: string;
  subjectUserIds: string[];
  openedAt: string;
  state: 'open' | 'decided';
  outcome: string | null;
  outcomeLabel: string | null;
  reason: string | null;
  decidedBy: string | null;
  decidedAt: string | null;
  /** On the detail: `decide` when I may decide it now. */
  actions?: 'decide'[];
  /** On the detail: why I may not decide this open case. */
  decideRefusal?: { code: string; message: string } | null;
  escalations?: {
    key: string;
    kind: string;
    level: number | null;
    name: string | null;
    at: string;
    notified: string[];
  }[];
}

export interface Notification {
  id: string;
  kind: string;
  title: string;
  body: string;
  data: Record<string, unknown>;
  urgent: boolean;
  requiresAck: boolean;
  createdAt: string;
  readAt: string | null;
  viaDelegationFrom: string | null;
  chaseCount: number;
}

export interface NotificationSettings {
  channels: string[];
  digest: boolean;
  /** Local time of the daily digest in effect. */
  digestTime?: string;
  digestTimeIsDefault?: boolean;
  quietHours: { start: string; end: string } | null;
  timeZone: string;
  timeZoneFromOrg: boolean;
}

export interface Delegation {
  id: string;
  userId: string;
  userName: string;
  deputyId: string;
  deputyName: string;
  startsOn: string;
  endsOn: string;
  direction: 'granted' | 'received';
}

/** A role grant with its history (GET /orgs/{id}/roles?history=true). */
export interface RoleRecord extends OrgMember {
  grantedBy: string | null;
  grantedByName: string | null;
  createdAt: string;
  revokedAt: string | null;
  revokedBy: string | null;
  revokedByName: string | null;
}

export interface OrgImportResult {
  dryRun: boolean;
  orgsCreated: number;
  orgsFound: number;
  usersCreated: number;
  rolesGranted: number;
  newUsers: { id: string; username: string; displayName: string; initialPassword: string }[];
}
