import { Body, Controller, Get, Param, Post, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Actor } from '#duban/domain';
import {
  AccountabilityService,
  EffectivePolicy,
  EscalationPolicyService,
  EscalationsService,
} from '#duban/rectification';
import { CurrentActor } from '../auth/decorators';
import { uuidParam } from '../http/uuid.pipe';
import {
  CaseDecisionRequest,
  CaseDetailResponse,
  CasePage,
  CaseQuery,
  EffectivePolicyResponse,
  EscalationPolicyDto,
  EscalationResponse,
} from './engine.dto';

function toResponse(p: EffectivePolicy): EffectivePolicyResponse {
  const { default: policy, bySeverity } = p.document;
  return {
    ...(policy as unknown as EscalationPolicyDto),
    ...(bySeverity ? { bySeverity: bySeverity as Record<string, unknown> } : {}),
    inheritedFromOrgId: p.fromOrgId,
  };
}

@ApiTags('supervision engine (督办升级 / 问责)')
@ApiBearerAuth()
@ApiResponse({ status: 401, description: 'No valid token' })
@Controller('api/v1')
export class EngineController {
  constructor(
    private readonly policies: EscalationPolicyService,
    private readonly escalationHistory: EscalationsService,
    private readonly cases: AccountabilityService,
  ) {}

  @Get('orgs/:orgId/escalation-policy')
  @ApiOperation({
    summary: 'The escalation ladder that applies to problems this org raises (own or inherited)',
  })
  @ApiResponse({ status: 200, type: EffectivePolicyResponse })
  @ApiResponse({ status: 404, description: 'Org not found within your scope' })
  async getPolicy(
    @CurrentActor() actor: Actor,
    @Param('orgId', uuidParam('orgId')) orgId: string,
  ): Promise<EffectivePolicyResponse> {
    return toResponse(await this.policies.get(actor, orgId));
  }

  @Put('orgs/:orgId/escalation-policy')
  @ApiOperation({
    summary: 'Set the ladder for this org and the orgs below it (secretary, deputy, admin)',
  })
  @ApiBody({ type: EscalationPolicyDto })
  @ApiResponse({ status: 200, type: EffectivePolicyResponse })
  @ApiResponse({ status: 400, description: 'The policy is invalid; `errors` names each field' })
  @ApiResponse({ status: 403, description: 'Not allowed to set this org’s policy' })
  async putPolicy(
    @CurrentActor() actor: Actor,
    @Param('orgId', uuidParam('orgId')) orgId: string,
    @Body() body: Record<string, unknown>,
  ): Promise<EffectivePolicyResponse> {
    return toResponse(await this.policies.put(actor, orgId, body));
  }

  @Get('tasks/:id/escalations')
  @ApiOperation({ summary: 'The escalation steps this task has reached, oldest first' })
  @ApiResponse({ status: 200, type: [EscalationResponse] })
  @ApiResponse({ status: 404, description: 'Not found within your scope' })
  async escalations(
    @CurrentActor() actor: Actor,
    @Param('id', uuidParam('id')) id: string,
  ): Promise<EscalationResponse[]> {
    const steps = await this.escalationHistory.stepsOf(actor, id);
    return steps.map((r) => ({
      level: r.level,
      name: r.name,
      at: r.firedAt.toISOString(),
      plannedAt: r.plannedAt.toISOString(),
      deadline: r.deadline.toISOString(),
      notified: r.notified,
      unreached: r.unreached,
      ...(r.talkDueBy ? { talkDueBy: r.talkDueBy.toISOString() } : {}),
    }));
  }

  @Get('accountability-cases')
  @ApiOperation({ summary: 'Accountability cases (问责) about orgs in your scope' })
  @ApiResponse({ status: 200, type: CasePage })
  listCases(@CurrentActor() actor: Actor, @Query() q: CaseQuery): Promise<CasePage> {
    return this.cases.list(actor, q, q);
  }

  @Get('accountability-cases/:id')
  @ApiOperation({ summary: 'One case with the escalation history that led to it' })
  @ApiResponse({ status: 200, type: CaseDetailResponse })
  @ApiResponse({ status: 404, description: 'Not found within your scope' })
  getCase(
    @CurrentActor() actor: Actor,
    @Param('id', uuidParam('id')) id: string,
  ): Promise<CaseDetailResponse> {
    return this.cases.get(actor, id);
  }

  @Post('accountability-cases/:id/decision')
  @ApiOperation({
    summary: 'Decide a case once, with an outcome and a written reason (discipline or secretary)',
  })
  @ApiResponse({ status: 201, type: CaseDetailResponse })
  @ApiResponse({ status: 400, description: 'Outcome or reason missing or invalid' })
  @ApiResponse({
    status: 403,
    description:
      'Only discipline inspection or the raising org’s secretary; never a subject of the case or someone holding a role in its subject org (code `conflict_of_interest`)',
  })
  @ApiResponse({ status: 409, description: 'Already decided' })
  decide(
    @CurrentActor() actor: Actor,
    @Param('id', uuidParam('id')) id: string,
    @Body() body: CaseDecisionRequest,
  ): Promise<CaseDetailResponse> {
    return this.cases.decide(actor, id, body);
  }
}
