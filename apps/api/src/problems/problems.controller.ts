import { Body, Controller, Get, HttpCode, Inject, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Actor } from '#duban/domain';
import {
  AdministrationService,
  CATEGORY_CATALOG,
  CategoryCatalog,
  ProblemsService,
  TasksService,
} from '#duban/rectification';
import { CurrentActor } from '../auth/decorators';
import { uuidParam } from '../http/uuid.pipe';
import { CreateTaskRequest, TaskWithWarningsResponse } from '../tasks/tasks.dto';
import {
  CategoryResponse,
  CreateProblemRequest,
  EditProblemRequest,
  ProblemDetailResponse,
  ProblemPage,
  ProblemQuery,
  WithdrawProblemRequest,
} from './problems.dto';

@ApiTags('problems (问题清单)')
@ApiBearerAuth()
@ApiResponse({ status: 401, description: 'No valid token' })
@Controller('api/v1')
export class ProblemsController {
  constructor(
    private readonly problems: ProblemsService,
    private readonly tasks: TasksService,
    @Inject(CATEGORY_CATALOG) private readonly catalog: CategoryCatalog,
    private readonly admin: AdministrationService,
  ) {}

  @Post('problems')
  @ApiOperation({ summary: '立项: raise a problem, optionally with its measures, all or nothing' })
  @ApiResponse({ status: 201, type: ProblemDetailResponse })
  @ApiResponse({ status: 400, description: 'A field is missing or invalid; the message names it' })
  @ApiResponse({
    status: 403,
    description: 'Only the raising org’s secretary, deputy or supervisor',
  })
  @ApiResponse({ status: 404, description: 'An org or person not found within your scope' })
  raise(
    @CurrentActor() actor: Actor,
    @Body() body: CreateProblemRequest,
  ): Promise<ProblemDetailResponse> {
    return this.problems.raise(actor, body);
  }

  @Get('problems')
  @ApiOperation({
    summary: 'Problems in your scope: by org subtree, state, category, overdue, text…',
  })
  @ApiResponse({ status: 200, type: ProblemPage })
  list(@CurrentActor() actor: Actor, @Query() q: ProblemQuery): Promise<ProblemPage> {
    return this.problems.list(actor, q, q);
  }

  @Get('problems/:id')
  @ApiOperation({ summary: 'One problem with its tasks' })
  @ApiResponse({ status: 200, type: ProblemDetailResponse })
  @ApiResponse({ status: 404, description: 'Not found within your scope' })
  get(
    @CurrentActor() actor: Actor,
    @Param('id', uuidParam('id')) id: string,
  ): Promise<ProblemDetailResponse> {
    return this.problems.get(actor, id);
  }

  @Patch('problems/:id')
  @ApiOperation({
    summary: 'Edit a problem’s title or description, with a reason (kept in the audit record)',
  })
  @ApiResponse({ status: 200, type: ProblemDetailResponse })
  @ApiResponse({ status: 400, description: 'reason missing, or nothing to change' })
  @ApiResponse({
    status: 403,
    description: 'Only the raising org’s secretary, deputy, supervisor or admin',
  })
  @ApiResponse({ status: 404, description: 'Not found within your scope' })
  edit(
    @CurrentActor() actor: Actor,
    @Param('id', uuidParam('id')) id: string,
    @Body() body: EditProblemRequest,
  ): Promise<ProblemDetailResponse> {
    return this.admin.editProblem(actor, id, body);
  }

  @Post('problems/:id/withdraw')
  @HttpCode(200)
  @ApiOperation({
    summary: '撤回: withdraw a problem raised in error (state withdrawn, nothing deleted)',
    description:
      'Its measures that are not closed are shown as withdrawn, offer no actions and stop ' +
      'escalating (their timers are cleared). The raising org’s secretary, deputy or admin.',
  })
  @ApiResponse({ status: 200, type: ProblemDetailResponse })
  @ApiResponse({ status: 400, description: 'reason missing' })
  @ApiResponse({ status: 403, description: 'Only the raising org’s secretary, deputy or admin' })
  @ApiResponse({ status: 404, description: 'Not found within your scope' })
  @ApiResponse({ status: 409, description: 'Already withdrawn, or every measure is closed' })
  withdraw(
    @CurrentActor() actor: Actor,
    @Param('id', uuidParam('id')) id: string,
    @Body() body: WithdrawProblemRequest,
  ): Promise<ProblemDetailResponse> {
    return this.admin.withdrawProblem(actor, id, body);
  }

  @Post('problems/:id/tasks')
  @ApiOperation({ summary: '交办: assign a measure with its responsibility → state assigned' })
  @ApiResponse({ status: 201, type: TaskWithWarningsResponse })
  @ApiResponse({ status: 400, description: 'A field is missing or invalid; the message names it' })
  @ApiResponse({ status: 403, description: 'Not allowed to assign measures for this problem' })
  @ApiResponse({ status: 404, description: 'Problem, org or person not found within your scope' })
  assign(
    @CurrentActor() actor: Actor,
    @Param('id', uuidParam('id')) id: string,
    @Body() body: CreateTaskRequest,
  ): Promise<TaskWithWarningsResponse> {
    return this.tasks.assign(actor, id, body);
  }

  @Get('categories')
  @ApiOperation({
    summary: 'The problem categories (问题分类) configured in config/categories.json',
  })
  @ApiResponse({ status: 200, type: [CategoryResponse] })
  categories(): CategoryResponse[] {
    return [...this.catalog.categories];
  }
}
