import { HttpException, HttpStatus, Inject, Injectable, Logger } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { APP_CONFIG, AppConfig } from '#duban/config';
import { CLOCK, type Clock, throttleDelaysMs } from '#duban/domain';
import { REDIS } from '#duban/platform';

/** Failures from one address, over every account, before it is slowed down (password spraying). */
export const ADDRESS_FAILURES_FACTOR = 5;

/**
 * One attempt, atomically, against each counter in KEYS (a hash {n: failures so far, last: ms of
 * the last counted attempt}): refused while `now < last + delay[n]` on any of them, otherwise
 * every counter is incremented before the password is checked, so parallel attempts cannot all
 * pass one read. ARGV: now (ms), TTL (ms), then per key the number of its delays followed by
 * them. Returns 0 when allowed, else the milliseconds to wait.
 */
const ATTEMPT_SCRIPT = `
local now = tonumber(ARGV[1])
local ttl = tonumber(ARGV[2])
local wait = 0
local at = 3
for i, key in ipairs(KEYS) do
  local count = tonumber(ARGV[at])
  local n = tonumber(redis.call('HGET', key, 'n') or '0')
  local last = tonumber(redis.call('HGET', key, 'last') or '0')
  local delay = tonumber(ARGV[at + 1 + math.min(n, count - 1)])
  if now < last + delay and last + delay - now > wait then wait = last + delay - now end
  at = at + 1 + count
end
if wait > 0 then return wait end
for i, key in ipairs(KEYS) do
  redis.call('HINCRBY', key, 'n', 1)
  redis.call('HSET', key, 'last', now)
  redis.call('PEXPIRE', key, ttl)
end
return 0
`;

/** After the right password: the account's counter from this address is cleared, the address's gets its attempt back. */
const SUCCESS_SCRIPT = `
redis.call('DEL', KEYS[1])
if redis.call('HINCRBY', KEYS[2], 'n', -1) <= 0 then redis.call('DEL', KEYS[2]) end
return 0
`;

/** A refused attempt: 429 with Retry-After (seconds). */
export class LoginThrottledException extends HttpException {
  constructor(readonly retryAfterSeconds: number) {
    super(
      {
        message: `登录失败次数过多，请 ${retryAfterSeconds} 秒后再试 — too many failed logins for this account from this address, or from this address; try again in ${retryAfterSeconds} seconds`,
        code: 'login_throttled',
        retryAfter: retryAfterSeconds,
      },
      HttpStatus.TOO_MANY_REQUESTS,
    );
  }
}

/**
 * Failed logins are throttled in Redis, shared by every api instance, per account *and address*
 * and per address, with growing delays instead of a lock:
 *
 * - per (account, address): DUBAN_LOGIN_MAX_FAILURES failures cost nothing; after them each
 *   further attempt for that account from that address must wait 2, 4, 8 … seconds after the
 *   last one (capped at DUBAN_LOGIN_WINDOW_SECONDS). The account is the resolved user id when
 *   the name belongs to an active user (so `ADMIN`, `admin` and `ａｄｍｉｎ` share it), the
 *   normalised name otherwise.
 * - per address, over every account: 5 × that many, then the same delays (password spraying).
 *
 * So an attacker at one address is slowed down while the owner, logging in from an address that
 * has not been failing, still gets in: nobody can lock another person out. A counter is
 * forgotten after DUBAN_LOGIN_WINDOW_SECONDS without attempts. An attempt is counted before the
 * password is checked (and given back on success); a refused attempt checks no password.
 * Without Redis no attempt can be counted, so logins are refused (503) rather than unlimited.
 */
@Injectable()
export class LoginRateLimiter {
  private readonly logger = new Logger(LoginRateLimiter.name);
  private readonly accountDelays: number[];
  private readonly addressDelays: number[];

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {
    const max = config.DUBAN_LOGIN_MAX_FAILURES;
    const cap = config.DUBAN_LOGIN_WINDOW_SECONDS;
    this.accountDelays = throttleDelaysMs(max, cap);
    this.addressDelays = throttleDelaysMs(max * ADDRESS_FAILURES_FACTOR, cap);
  }

  private keys(account: string, ip: string): [string, string] {
    const p = `${this.config.DUBAN_QUEUE_PREFIX}:login`;
    return [`${p}:account:${account}:ip:${ip}`, `${p}:ip:${ip}`];
  }

  /** Counts the attempt, or refuses it with 429 (throttled) or 503 (Redis unreachable). */
  async attempt(account: string, ip: string): Promise<void> {
    const now = this.clock.now().getTime();
    const ttlMs = this.config.DUBAN_LOGIN_WINDOW_SECONDS * 1000;
    let wait: number;
    try {
      wait = Number(
        await this.redis.eval(
          ATTEMPT_SCRIPT,
          2,
          ...this.keys(account, ip),
          now,
          ttlMs,
          this.accountDelays.length,
          ...this.accountDelays,
          this.addressDelays.length,
          ...this.addressDelays,
        ),
      );
    } catch (e) {
      this.logger.warn(`login refused, failed attempts cannot be counted: ${(e as Error).message}`);
      throw new HttpException(
        {
          message:
            '登录暂不可用：无法记录登录尝试（Redis 不可达），请稍后再试 — logins are unavailable while failed attempts cannot be counted; try again shortly',
          code: 'login_unavailable',
        },
        HttpStatus.SERVICE_UNAVAILABLE,
      );
    }
    if (wait > 0) throw new LoginThrottledException(Math.max(1, Math.ceil(wait / 1000)));
  }

  /** The right password: clears the account's failures from this address. */
  async succeeded(account: string, ip: string): Promise<void> {
    await this.redis
      .eval(SUCCESS_SCRIPT, 2, ...this.keys(account, ip))
      .catch((e: Error) => this.logger.warn(`login counter not cleared: ${e.message}`));
  }
}
