import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import {
  Actor,
  checkChildKind,
  CLOCK,
  type Clock,
  DEFAULT_TIME_ZONE,
  isValidTimeZone,
  mayAssignRole,
  mayCreateOrg,
  OrgKind,
  OrgRef,
  Role,
  conflict,
  forbidden,
  invalid,
  isUniqueViolation,
  notFound,
  Page,
  PageRequest,
} from '#duban/domain';
import { type OrgView, OrgsRepository } from './orgs.repository';
import { type RoleAssignmentView, RolesRepository } from './roles.repository';
import { UsersRepository } from './users.repository';

export interface NewOrg {
  name: string;
  kind: OrgKind;
  parentId?: string;
  timeZone?: string;
}

export const orgRef = (o: OrgView): OrgRef => ({ id: o.id, path: o.path });

@Injectable()
export class OrgsService {
  constructor(
    private readonly db: DataSource,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly orgs: OrgsRepository,
    private readonly roleGrants: RolesRepository,
    private readonly users: UsersRepository,
  ) {}

  /** The org if the actor may see it; otherwise "not found", whether it exists or not. */
  async get(actor: Actor, id: string): Promise<OrgView> {
    const org = await this.orgs.findInScope(this.db.manager, actor, id);
    if (!org)
      throw notFound(
        `组织不存在或不在你的范围内 — organisation ${id} does not exist or is outside your scope`,
      );
    return org;
  }

  async children(actor: Actor, id: string, page: PageRequest): Promise<Page<OrgView>> {
    await this.get(actor, id);
    return this.orgs.page(this.db.manager, actor, { parentId: id }, page);
  }

  /** Organisations within the actor's scope, optionally filtered by name or kind. */
  async search(
    actor: Actor,
    filter: { q?: string; kind?: OrgKind; under?: string },
    page: PageRequest,
  ): Promise<Page<OrgView>> {
    const under = filter.under ? (await this.get(actor, filter.under)).id : undefined;
    return this.orgs.page(this.db.manager, actor, { q: filter.q, kind: filter.kind, under }, page);
  }

  async create(actor: Actor, input: NewOrg): Promise<OrgView> {
    const parent = input.parentId ? await this.get(actor, input.parentId) : null;
    const allowed = mayCreateOrg(actor, parent && orgRef(parent));
    if (!allowed.allowed) throw forbidden(allowed.reason);
    const kind = checkChildKind(parent?.kind ?? null, input.kind);
    if (!kind.ok) throw invalid('kind', `组织类型：${kind.reason}`, 'kind_not_allowed');
    const timeZone = input.timeZone ?? parent?.timeZone ?? DEFAULT_TIME_ZONE;
    if (!isValidTimeZone(timeZone)) {
      throw invalid(
        'timeZone',
        `时区须为 IANA 时区名称，如 Asia/Shanghai — timeZone must be an IANA time zone such as Asia/Shanghai, got "${timeZone}"`,
        'invalid_format',
      );
    }
    const id = randomUUID();
    try {
      await this.orgs.insert(this.db.manager, {
        id,
        name: input.name,
        kind: input.kind,
        parentId: parent?.id ?? null,
        path: [...(parent?.path ?? []), id],
        timeZone,
        at: this.clock.now(),
      });
    } catch (e) {
      if (isUniqueViolation(e)) {
        throw conflict(
          `同一上级组织下已有名为“${input.name}”的组织 — name: an organisation named "${input.name}" already exists at this level`,
          'name',
        );
      }
      throw e;
    }
    return this.get(actor, id);
  }

  async assignRole(
    actor: Actor,
    orgId: string,
    userId: string,
    role: Role,
  ): Promise<RoleAssignmentView> {
    const org = await this.get(actor, orgId);
    const allowed = mayAssignRole(actor, orgRef(org), role);
    if (!allowed.allowed) throw forbidden(allowed.reason);
    if (!(await this.users.isActive(this.db.manager, userId)))
      throw notFound(`该用户不存在 — userId: user ${userId} does not exist`, 'user_not_found');
    const view: RoleAssignmentView = {
      id: randomUUID(),
      userId,
      orgId,
      role,
      grantedBy: actor.userId,
      createdAt: this.clock.now().toISOString(),
    };
    try {
      await this.roleGrants.insert(this.db.manager, {
        id: view.id,
        userId,
        orgId,
        role,
        grantedBy: actor.userId,
        at: new Date(view.createdAt),
      });
    } catch (e) {
      if (isUniqueViolation(e))
        throw conflict(
          `该用户在该组织已有此角色 — user ${userId} already holds the role ${role} in this organisation`,
        );
      throw e;
    }
    return view;
  }

  /** Role assignments in one org (visible to anyone who can see the org). */
  async roles(
    actor: Actor,
    orgId: string,
  ): Promise<(RoleAssignmentView & { displayName: string })[]> {
    await this.get(actor, orgId);
    return this.roleGrants.liveOfOrg(this.db.manager, orgId);
  }
}
