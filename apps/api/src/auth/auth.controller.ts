import { Body, Controller, HttpCode, Ip, Post, UnauthorizedException } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ActorService, PasswordHasher, UsersService } from '#duban/identity';
import { LoginRequest, LoginResponse } from './auth.dto';
import { Public } from './decorators';
import { LoginRateLimiter } from './login-rate-limiter';
import { TokenService } from './token.service';

@ApiTags('auth')
@Controller('api/v1/auth')
export class AuthController {
  constructor(
    private readonly users: UsersService,
    private readonly actors: ActorService,
    private readonly hasher: PasswordHasher,
    private readonly tokens: TokenService,
    private readonly limiter: LoginRateLimiter,
  ) {}

  @Public()
  @Post('login')
  @HttpCode(200)
  @ApiOperation({ summary: 'Log in; returns a bearer token with an expiry' })
  @ApiResponse({ status: 200, type: LoginResponse })
  @ApiResponse({ status: 401, description: 'Wrong username or password' })
  @ApiResponse({ status: 429, description: 'Too many failed attempts' })
  async login(@Body() body: LoginRequest, @Ip() ip: string): Promise<LoginResponse> {
    await this.limiter.assertAllowed(body.username, ip);
    const user = await this.users.findForLogin(body.username);
    const ok = await this.hasher.verify(user?.passwordHash ?? null, body.password);
    if (!user || !ok) {
      await this.limiter.recordFailure(body.username, ip);
      throw new UnauthorizedException('username or password is wrong');
    }
    await this.limiter.reset(body.username);
    const actor = await this.actors.load(user.id);
    const token = this.tokens.issue(user.id, user.username);
    return { ...token, user: await this.users.me(actor!) };
  }
}
