import { Inject, Injectable } from '@nestjs/common';
import { createSecretKey, randomUUID } from 'node:crypto';
import { JwtService } from '@nestjs/jwt';
import { APP_CONFIG, AppConfig } from '#duban/config';
import { CLOCK, type Clock } from '#duban/domain';
import { UsersService } from '#duban/identity';
import type { TokenClaims } from './decorators';

interface TokenPayload {
  sub: string;
  username: string;
  /** The user's token generation when issued (users.token_generation). */
  gen?: number;
  jti?: string;
  iat: number;
  exp: number;
}

/** Signed bearer tokens (HS256) whose issue and expiry times come from the injected clock. */
@Injectable()
export class TokenService {
  private readonly jwt: JwtService;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly users: UsersService,
  ) {
    // A KeyObject, not the string: given a string, jsonwebtoken first tries to parse it as a
    // public key on every verify and throws, which was 40 % of the api's CPU per request.
    this.jwt = new JwtService({ secret: createSecretKey(Buffer.from(config.DUBAN_JWT_SECRET)) });
  }

  private nowSeconds(): number {
    return Math.floor(this.clock.now().getTime() / 1000);
  }

  issue(
    userId: string,
    username: string,
    generation: number,
  ): { accessToken: string; expiresAt: string } {
    const iat = this.nowSeconds();
    const exp = iat + this.config.DUBAN_TOKEN_TTL_SECONDS;
    const accessToken = this.jwt.sign(
      { sub: userId, username, gen: generation, jti: randomUUID(), iat, exp },
      { algorithm: 'HS256', issuer: 'duban' },
    );
    return { accessToken, expiresAt: new Date(exp * 1000).toISOString() };
  }

  /**
   * The claims of a validly signed, unexpired token; null for anything else. Whether it was
   * revoked is checked with the user row (ActorService.loadForToken).
   */
  verify(token: string): TokenClaims | null {
    try {
      const payload = this.jwt.verify<TokenPayload>(token, {
        algorithms: ['HS256'],
        issuer: 'duban',
        clockTimestamp: this.nowSeconds(),
      });
      if (typeof payload.sub !== 'string') return null;
      return {
        userId: payload.sub,
        generation: typeof payload.gen === 'number' ? payload.gen : 0,
        jti: typeof payload.jti === 'string' ? payload.jti : null,
        expiresAt: new Date(payload.exp * 1000),
      };
    } catch {
      return null;
    }
  }

  /** Logout: this token stops working on every api instance at once. */
  async revoke(token: TokenClaims): Promise<void> {
    if (token.jti) await this.users.revokeToken(token.userId, token.jti, token.expiresAt);
    // A token from before tokens had ids can only be revoked with all the user's others.
    else await this.users.revokeAllTokens(token.userId);
  }
}
