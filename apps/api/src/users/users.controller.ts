import { Body, Controller, Get, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Actor } from '#duban/domain';
import { UsersService } from '#duban/identity';
import { CurrentActor } from '../auth/decorators';
import { CreateUserRequest, MeResponse, UserResponse } from './users.dto';

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
}
