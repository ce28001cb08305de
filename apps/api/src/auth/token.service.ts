import { Inject, Injectable } from '@nestjs/common';
import { createSecretKey } from 'node:crypto';
import { JwtService } from '@nestjs/jwt';
import { APP_CONFIG, AppConfig } from '#duban/config';
import { CLOCK, type Clock } from '#duban/domain';

interface TokenPayload {
  sub: string;
  username: string;
}

/** Signed bearer tokens (HS256) whose issue and expiry times come from the injected clock. */
@Injectable()
export class TokenService {
  private readonly jwt: JwtService;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {
    // A KeyObject, not the string: given a string, jsonwebtoken first tries to parse it as a
    // public key on every verify and throws, which was 40 % of the api's CPU per request.
    this.jwt = new JwtService({ secret: createSecretKey(Buffer.from(config.DUBAN_JWT_SECRET)) });
  }

  private nowSeconds(): number {
    return Math.floor(this.clock.now().getTime() / 1000);
  }

  issue(userId: string, username: string): { accessToken: string; expiresAt: string } {
    const iat = this.nowSeconds();
    const exp = iat + this.config.DUBAN_TOKEN_TTL_SECONDS;
    const accessToken = this.jwt.sign(
      { sub: userId, username, iat, exp },
      { algorithm: 'HS256', issuer: 'duban' },
    );
    return { accessToken, expiresAt: new Date(exp * 1000).toISOString() };
  }

  /** The user id in a valid, unexpired token; null for anything else. */
  verify(token: string): string | null {
    try {
      const payload = this.jwt.verify<TokenPayload & { iat: number; exp: number }>(token, {
        algorithms: ['HS256'],
        issuer: 'duban',
        clockTimestamp: this.nowSeconds(),
      });
      return typeof payload.sub === 'string' ? payload.sub : null;
    } catch {
      return null;
    }
  }
}
