import { Body, Controller, Get, Inject, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Actor } from '#duban/domain';
import {
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
  ProblemDetailResponse,
  ProblemPage,
  ProblemQuery,
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
