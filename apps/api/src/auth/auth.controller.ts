import { Body, Controller, HttpCode, Ip, Post, UnauthorizedException } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { normaliseLoginName } from '#duban/domain';
import { ActorService, PasswordHasher, UsersService } from '#duban/identity';
import { LoginRequest, LoginResponse } from './auth.dto';
import { CurrentToken, Public, type TokenClaims } from './decorators';
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
  @ApiResponse({
    status: 429,
    description:
      'Too many failed attempts for this account from this address, or from this address (code login_throttled, header Retry-After)',
  })
  @ApiResponse({
    status: 503,
    description: 'Failed attempts cannot be counted (Redis unreachable): code login_unavailable',
  })
  async login(@Body() body: LoginRequest, @Ip() ip: string): Promise<LoginResponse> {
    // The same normalisation for the counter and the lookup; the counter is the account's id
    // when there is one, so every spelling of a name shares it.
    const name = normaliseLoginName(body.username);
    const user = name.lookup ? await this.users.findForLogin(name.lookup) : null;
    const account = user ? `user:${user.id}` : `name:${name.key}`;
    await this.limiter.attempt(account, ip);
    const ok = await this.hasher.verify(user?.passwordHash ?? null, body.password);
    if (!user || !ok)
      throw new UnauthorizedException('用户名或密码错误 — username or password is wrong');
    await this.limiter.succeeded(account, ip);
    const actor = await this.actors.load(user.id);
    const token = this.tokens.issue(user.id, user.username, user.tokenGeneration);
    return { ...token, user: await this.users.me(actor!) };
  }

  @Post('logout')
  @HttpCode(204)
  @ApiBearerAuth()
  @ApiOperation({ summary: 'Log out: the token used for this request stops working at once' })
  @ApiResponse({ status: 204, description: 'The token is revoked' })
  @ApiResponse({ status: 401, description: 'No valid token' })
  async logout(@CurrentToken() token: TokenClaims): Promise<void> {
    await this.tokens.revoke(token);
  }
}
