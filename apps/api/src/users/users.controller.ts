import { Body, Controller, Get, HttpCode, Param, Patch, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Actor } from '#duban/domain';
import { UsersService } from '#duban/identity';
import { CurrentActor } from '../auth/decorators';
import { uuidParam } from '../http/uuid.pipe';
import {
  CreateUserRequest,
  MeResponse,
  SetPasswordRequest,
  UpdateUserRequest,
  UserResponse,
} from './users.dto';

@ApiTags('people')
@ApiBearerAuth()
@Controller('api/v1')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Get('me')
  @ApiOperation({ summary: 'The caller, with every role they hold and where' })
  @ApiResponse({ status: 200, type: MeResponse })
  me(@CurrentActor() actor: Actor): Promise<MeResponse> {
    return this.users.me(actor);
  }

  @Get('ping')
  @ApiOperation({
    summary: 'Does nothing behind the auth guard: a baseline for benchmarks and probes',
  })
  @ApiResponse({ status: 200, description: '{ ok: true }' })
  ping(): { ok: true } {
    return { ok: true };
  }

  @Post('users')
  @ApiOperation({ summary: 'Create a user account (admin)' })
  @ApiResponse({ status: 201, type: UserResponse })
  @ApiResponse({ status: 403, description: 'Caller is not an administrator' })
  @ApiResponse({ status: 409, description: 'Username already taken' })
  create(@CurrentActor() actor: Actor, @Body() body: CreateUserRequest): Promise<UserResponse> {
    return this.users.create(actor, body);
  }

  @Patch('users/:id')
  @ApiOperation({
    summary:
      'Change a user (admin): details, or disabled — a disabled user cannot log in and their tokens stop at once',
  })
  @ApiResponse({ status: 200, type: UserResponse })
  @ApiResponse({ status: 403, description: 'Not an admin over every org where they hold a role' })
  @ApiResponse({ status: 404, description: 'No such user' })
  update(
    @CurrentActor() actor: Actor,
    @Param('id', uuidParam('id')) id: string,
    @Body() body: UpdateUserRequest,
  ): Promise<UserResponse> {
    return this.users.update(actor, id, body);
  }

  @Post('users/:id/password')
  @HttpCode(204)
  @ApiOperation({
    summary: "Set a user's password (admin); every token they hold stops working",
  })
  @ApiResponse({ status: 204, description: 'Set' })
  @ApiResponse({ status: 403, description: 'Not an admin over every org where they hold a role' })
  @ApiResponse({ status: 404, description: 'No such user' })
  async setPassword(
    @CurrentActor() actor: Actor,
    @Param('id', uuidParam('id')) id: string,
    @Body() body: SetPasswordRequest,
  ): Promise<void> {
    await this.users.setPassword(actor, id, body.password);
  }
}
