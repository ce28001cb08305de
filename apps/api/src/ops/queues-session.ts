import { Inject, Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { createHmac } from 'node:crypto';
import { APP_CONFIG, AppConfig } from '#duban/config';
import { CLOCK, type Clock } from '#duban/domain';

/** The browser cookie that lets an administrator open the queue dashboard. */
export const QUEUES_SESSION_COOKIE = 'duban_queues_session';
/** Short-lived: long enough to look into an incident, short enough that a leaked cookie soon dies. */
export const QUEUES_SESSION_TTL_SECONDS = 15 * 60;

const ISSUER = 'duban/queues-session';

/**
 * Session tokens for the queue dashboard, a browser page that cannot send a bearer header.
 * Signed with a key derived from DUBAN_JWT_SECRET for this purpose only, so a session cookie is
 * never accepted as an API bearer token, nor a bearer token as a session cookie.
 */
@Injectable()
export class QueuesSessionTokens {
  private readonly jwt: JwtService;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {
    const secret = createHmac('sha256', config.DUBAN_JWT_SECRET)
      .update('duban:queues-dashboard-session')
      .digest('hex');
    this.jwt = new JwtService({ secret });
  }

  private nowSeconds(): number {
    return Math.floor(this.clock.now().getTime() / 1000);
  }

  /** `generation`: the user's token generation, so disabling or a new password ends it too. */
  issue(userId: string, generation: number): { token: string; expiresAt: Date } {
    const iat = this.nowSeconds();
    const exp = iat + QUEUES_SESSION_TTL_SECONDS;
    const token = this.jwt.sign(
      { sub: userId, gen: generation, iat, exp },
      { algorithm: 'HS256', issuer: ISSUER },
    );
    return { token, expiresAt: new Date(exp * 1000) };
  }

  /** The user id and token generation in a valid, unexpired session token; null for anything else. */
  verify(token: string): { userId: string; generation: number } | null {
    try {
      const payload = this.jwt.verify<{ sub?: unknown; gen?: unknown }>(token, {
        algorithms: ['HS256'],
        issuer: ISSUER,
        clockTimestamp: this.nowSeconds(),
      });
      if (typeof payload.sub !== 'string') return null;
      return { userId: payload.sub, generation: typeof payload.gen === 'number' ? payload.gen : 0 };
    } catch {
      return null;
    }
  }
}
