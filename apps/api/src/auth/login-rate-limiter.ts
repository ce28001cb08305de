import { HttpException, HttpStatus, Inject, Injectable, Logger } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { APP_CONFIG, AppConfig } from '#duban/config';
import { REDIS } from '#duban/platform';

/**
 * Failed logins are counted per username and per client address in Redis, shared by every api
 * instance; past the limit, logins are refused with 429 until the window ends.
 */
@Injectable()
export class LoginRateLimiter {
  private readonly logger = new Logger(LoginRateLimiter.name);

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  private keys(username: string, ip: string): string[] {
    const p = `${this.config.DUBAN_QUEUE_PREFIX}:login-failures`;
    return [`${p}:user:${username.toLowerCase()}`, `${p}:ip:${ip}`];
  }

  async assertAllowed(username: string, ip: string): Promise<void> {
    const [userKey, ipKey] = this.keys(username, ip);
    let counts: (string | null)[];
    try {
      counts = await this.redis.mget(userKey, ipKey);
    } catch (e) {
      // Availability over strictness: a Redis outage must not lock everybody out.
      this.logger.warn(`login rate limit unavailable: ${(e as Error).message}`);
      return;
    }
    const max = this.config.DUBAN_LOGIN_MAX_FAILURES;
    // An address may fail for several people behind one gateway, hence the larger limit.
    if (Number(counts[0] ?? 0) >= max || Number(counts[1] ?? 0) >= max * 5) {
      const ttl = Math.max(await this.redis.pttl(userKey).catch(() => 0), 1000);
      throw new HttpException(
        `too many failed logins for this account or address; try again in ${Math.ceil(ttl / 1000)} seconds`,
        HttpStatus.TOO_MANY_REQUESTS,
      );
    }
  }

  async recordFailure(username: string, ip: string): Promise<void> {
    const window = this.config.DUBAN_LOGIN_WINDOW_SECONDS;
    const multi = this.redis.multi();
    for (const key of this.keys(username, ip)) multi.incr(key).expire(key, window, 'NX');
    await multi
      .exec()
      .catch((e: Error) => this.logger.warn(`login rate limit not recorded: ${e.message}`));
  }

  async reset(username: string): Promise<void> {
    await this.redis.del(this.keys(username, '')[0]).catch(() => undefined);
  }
}
