import { Body, Controller, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { AuditLog } from '#duban/audit';
import type { Actor } from '#duban/domain';
import { DomainError } from '#duban/domain';
import {
  AdministrationService,
  EscalationPolicyService,
  TalksService,
  TasksService,
} from '#duban/rectification';
import { CurrentActor } from '../auth/decorators';
import { uuidParam } from '../http/uuid.pipe';
import { IfMatch } from './if-match';
import {
  TaskDetailResponse,
  AcceptRequest,
  BulkCloseRequest,
  BulkCloseResult,
  CheckRequest,
  CloseRequest,
  DecisionRequest,
  ExtensionRequest,
  ExtensionResponse,
  ProgressRequest,
  ReassignRequest,
  ReopenRequest,
  SubmitRequest,
  TaskPage,
  TaskQuery,
  TaskResponse,
  TimelineEventResponse,
  VerifyRequest,
} from './tasks.dto';

const IF_MATCH = ApiHeader({
  name: 'If-Match',
  required: false,
  description: 'The task version you last saw; a stale version answers 409',
});

const TRANSITION_ERRORS = [
  ApiResponse({ status: 400, description: 'A field is missing or invalid; the message names it' }),
  ApiResponse({
    status: 403,
    description:
      'You may not do this; the message says who may (code `conflict_of_interest` when you acted on the task or hold a role in its responsible org)',
  }),
  ApiResponse({ status: 404, description: 'Not found within your scope' }),
  ApiResponse({ status: 409, description: 'The task is in another state, or If-Match is stale' }),
];

const STATUS: Record<DomainError['kind'], number> = {
  invalid: 400,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
};

function errors(): MethodDecorator {
  return (target, key, descriptor) => {
    for (const d of TRANSITION_ERRORS) d(target, key, descriptor);
  };
}

@ApiTags('tasks (任务清单 / 责任清单)')
@ApiBearerAuth()
@ApiResponse({ status: 401, description: 'No valid token' })
@Controller('api/v1')
export class TasksController {
  constructor(
    private readonly tasks: TasksService,
    private readonly audit: AuditLog,
    private readonly talks: TalksService,
    private readonly policies: EscalationPolicyService,
    private readonly admin: AdministrationService,
  ) {}

  @Get('tasks')
  @ApiOperation({
    summary: 'Tasks in your scope, by org subtree, state, light, person…; due date first',
  })
  @ApiResponse({ status: 200, type: TaskPage })
  list(@CurrentActor() actor: Actor, @Query() q: TaskQuery): Promise<TaskPage> {
    return this.tasks.list(actor, q, q);
  }

  @Get('tasks/:id')
  @ApiOperation({
    summary: 'One task with its state, deadline, light, escalation level and version',
  })
  @ApiResponse({
    status: 200,
    type: TaskDetailResponse,
    headers: {
      ETag: {
        description: 'The task version, quoted (e.g. "3"): send it back as If-Match',
        schema: { type: 'string', example: '"3"' },
      },
    },
  })
  @ApiResponse({ status: 404, description: 'Not found within your scope' })
  async get(
    @CurrentActor() actor: Actor,
    @Param('id', uuidParam('id')) id: string,
    @Res({ passthrough: true }) res: Response,
  ): Promise<TaskDetailResponse> {
    const task = await this.tasks.get(actor, id);
    // The version If-Match expects: `If-Match: "3"` (or 3) on a transition.
    res.setHeader('ETag', `"${task.version}"`);
    return {
      ...task,
      talk: await this.talks.status(id),
      ...(await this.policies.governing(task.raisingOrgId)),
    };
  }

  @Get('tasks/:id/timeline')
  @ApiOperation({ summary: 'Every event of the task, oldest first (全程留痕, hash-chained)' })
  @ApiResponse({ status: 200, type: [TimelineEventResponse] })
  async timeline(
    @CurrentActor() actor: Actor,
    @Param('id', uuidParam('id')) id: string,
  ): Promise<TimelineEventResponse[]> {
    await this.tasks.get(actor, id);
    const events = await this.audit.stream(id);
    const names = await this.tasks.displayNames(
      events.map((e) => e.actorId).filter((x): x is string => x !== null),
    );
    return events.map((e) => ({
      ...e,
      actorName: e.actorId ? (names.get(e.actorId) ?? null) : null,
    }));
  }

  @Post('tasks/:id/accept')
  @HttpCode(200)
  @IF_MATCH
  @errors()
  @ApiOperation({ summary: '签收: the responsible person accepts the task → in_progress' })
  @ApiResponse({ status: 200, type: TaskResponse })
  accept(
    @CurrentActor() actor: Actor,
    @Param('id', uuidParam('id')) id: string,
    @Body() body: AcceptRequest,
    @IfMatch() ifMatch?: number,
  ): Promise<TaskResponse> {
    return this.tasks.transition(actor, id, { action: 'accept', input: body }, ifMatch);
  }

  @Post('tasks/:id/progress')
  @HttpCode(200)
  @IF_MATCH
  @errors()
  @ApiOperation({ summary: '进展反馈: report progress, with evidence files (state unchanged)' })
  @ApiResponse({ status: 200, type: TaskResponse })
  progress(
    @CurrentActor() actor: Actor,
    @Param('id', uuidParam('id')) id: string,
    @Body() body: ProgressRequest,
    @IfMatch() ifMatch?: number,
  ): Promise<TaskResponse> {
    return this.tasks.transition(actor, id, { action: 'reportProgress', input: body }, ifMatch);
  }

  @Post('tasks/:id/submit')
  @HttpCode(200)
  @IF_MATCH
  @errors()
  @ApiOperation({ summary: '申请销号: submit completion with a summary and evidence → submitted' })
  @ApiResponse({ status: 200, type: TaskResponse })
  submit(
    @CurrentActor() actor: Actor,
    @Param('id', uuidParam('id')) id: string,
    @Body() body: SubmitRequest,
    @IfMatch() ifMatch?: number,
  ): Promise<TaskResponse> {
    return this.tasks.transition(actor, id, { action: 'submit', input: body }, ifMatch);
  }

  @Post('tasks/:id/verify')
  @HttpCode(200)
  @IF_MATCH
  @errors()
  @ApiOperation({
    summary: '验收: a supervisor verifies → verified, or back to in_progress (退回重改)',
  })
  @ApiResponse({ status: 200, type: TaskResponse })
  verify(
    @CurrentActor() actor: Actor,
    @Param('id', uuidParam('id')) id: string,
    @Body() body: VerifyRequest,
    @IfMatch() ifMatch?: number,
  ): Promise<TaskResponse> {
    return this.tasks.transition(actor, id, { action: 'verify', input: body }, ifMatch);
  }

  @Post('tasks/:id/close')
  @HttpCode(200)
  @IF_MATCH
  @errors()
  @ApiOperation({
    summary: '销号: a superior approves the closure (never the submitter or verifier)',
  })
  @ApiResponse({ status: 200, type: TaskResponse })
  close(
    @CurrentActor() actor: Actor,
    @Param('id', uuidParam('id')) id: string,
    @Body() body: CloseRequest,
    @IfMatch() ifMatch?: number,
  ): Promise<TaskResponse> {
    return this.tasks.transition(actor, id, { action: 'close', input: body }, ifMatch);
  }

  @Post('tasks/close')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Approve several closures at once; each is checked and recorded on its own',
  })
  @ApiResponse({ status: 200, type: [BulkCloseResult] })
  async closeMany(
    @CurrentActor() actor: Actor,
    @Body() body: BulkCloseRequest,
  ): Promise<BulkCloseResult[]> {
    const results: BulkCloseResult[] = [];
    for (const taskId of [...new Set(body.taskIds)]) {
      try {
        const task = await this.tasks.transition(actor, taskId, {
          action: 'close',
          input: { comment: body.comment },
        });
        results.push({ taskId, ok: true, status: 200, task });
      } catch (e) {
        if (!(e instanceof DomainError)) throw e;
        results.push({
          taskId,
          ok: false,
          status: STATUS[e.kind],
          code: e.code,
          message: e.message,
        });
      }
    }
    return results;
  }

  @Post('tasks/:id/reopen')
  @HttpCode(200)
  @IF_MATCH
  @errors()
  @ApiOperation({ summary: '回头看: reopen a closed task with a reason → in_progress' })
  @ApiResponse({ status: 200, type: TaskResponse })
  reopen(
    @CurrentActor() actor: Actor,
    @Param('id', uuidParam('id')) id: string,
    @Body() body: ReopenRequest,
    @IfMatch() ifMatch?: number,
  ): Promise<TaskResponse> {
    return this.tasks.reopen(actor, id, body, ifMatch);
  }

  @Post('tasks/:id/reassign')
  @HttpCode(200)
  @IF_MATCH
  @errors()
  @ApiOperation({
    summary: '改派: change the responsible org, person or leader of an open measure, with a reason',
    description:
      'The raising org’s secretary, deputy, supervisor or admin. The new org lies in the ' +
      'problem’s org subtree and your scope; the person holds a role there; the leader passes ' +
      'the leader rule. Recorded on the timeline (reassigned) and sent to the old and new people.',
  })
  @ApiResponse({ status: 200, type: TaskResponse })
  reassign(
    @CurrentActor() actor: Actor,
    @Param('id', uuidParam('id')) id: string,
    @Body() body: ReassignRequest,
    @IfMatch() ifMatch?: number,
  ): Promise<TaskResponse> {
    return this.admin.reassign(actor, id, body, ifMatch);
  }

  @Post('tasks/:id/checks')
  @HttpCode(200)
  @IF_MATCH
  @errors()
  @ApiOperation({
    summary: '督查: a supervisor records a check (on_track | lagging | superficial)',
  })
  @ApiResponse({ status: 200, type: TaskResponse })
  check(
    @CurrentActor() actor: Actor,
    @Param('id', uuidParam('id')) id: string,
    @Body() body: CheckRequest,
    @IfMatch() ifMatch?: number,
  ): Promise<TaskResponse> {
    return this.tasks.transition(actor, id, { action: 'recordCheck', input: body }, ifMatch);
  }

  @Post('tasks/:id/extensions')
  @IF_MATCH
  @errors()
  @ApiOperation({ summary: '申请延期: before the deadline, with a reason and the progress so far' })
  @ApiResponse({ status: 201, type: ExtensionResponse })
  requestExtension(
    @CurrentActor() actor: Actor,
    @Param('id', uuidParam('id')) id: string,
    @Body() body: ExtensionRequest,
    @IfMatch() ifMatch?: number,
  ): Promise<ExtensionResponse> {
    return this.tasks.requestExtension(actor, id, body, ifMatch);
  }

  @Get('tasks/:id/extensions')
  @ApiOperation({ summary: 'Every extension asked for on a task, with its decision' })
  @ApiResponse({ status: 200, type: [ExtensionResponse] })
  extensions(
    @CurrentActor() actor: Actor,
    @Param('id', uuidParam('id')) id: string,
  ): Promise<ExtensionResponse[]> {
    return this.tasks.extensionsOf(actor, id);
  }

  @Get('extensions/:id')
  @ApiOperation({ summary: 'One extension request' })
  @ApiResponse({ status: 200, type: ExtensionResponse })
  extension(
    @CurrentActor() actor: Actor,
    @Param('id', uuidParam('id')) id: string,
  ): Promise<ExtensionResponse> {
    return this.tasks.extension(actor, id);
  }

  @Post('extensions/:id/approve')
  @HttpCode(200)
  @errors()
  @ApiOperation({
    summary: 'Approve an extension (whoever may close the task): the deadline moves',
  })
  @ApiResponse({ status: 200, type: ExtensionResponse })
  approve(
    @CurrentActor() actor: Actor,
    @Param('id', uuidParam('id')) id: string,
    @Body() body: DecisionRequest,
  ): Promise<ExtensionResponse> {
    return this.decide(actor, id, true, body.comment);
  }

  @Post('extensions/:id/reject')
  @HttpCode(200)
  @errors()
  @ApiOperation({ summary: 'Reject an extension: the deadline stays' })
  @ApiResponse({ status: 200, type: ExtensionResponse })
  reject(
    @CurrentActor() actor: Actor,
    @Param('id', uuidParam('id')) id: string,
    @Body() body: DecisionRequest,
  ): Promise<ExtensionResponse> {
    return this.decide(actor, id, false, body.comment);
  }

  private async decide(
    actor: Actor,
    id: string,
    approve: boolean,
    comment?: string,
  ): Promise<ExtensionResponse> {
    const taskId = await this.tasks.taskOfExtension(actor, id);
    await this.tasks.transition(actor, taskId, {
      action: 'decideExtension',
      input: { requestId: id, approve, comment },
    });
    return this.tasks.extension(actor, id);
  }
}
