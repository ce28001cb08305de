/**
 * Login throttling rules (pure). The api keeps the counters in Redis and applies these rules in
 * one atomic step per attempt; see apps/api/src/auth/login-rate-limiter.ts.
 */

/** What every stored username matches (the users table has the same CHECK). */
export const USERNAME_PATTERN = /^[A-Za-z0-9_.@-]{3,64}$/;

export interface LoginName {
  /** The name failures are counted under when no account has it. */
  readonly key: string;
  /**
   * The name to look up (ASCII, lower case, compared with `lower(username)` in SQL), or null
   * when no account can have it (so the attempt fails without a lookup).
   */
  readonly lookup: string | null;
}

/**
 * One normalisation for the counter and the lookup. NFKC folds compatibility forms (fullwidth
 * `ａｄｍｉｎ` → `admin`); lower-casing is done on ASCII only, after checking that the result is
 * a possible username, because JavaScript's and PostgreSQL's `lower()` disagree outside ASCII
 * (`İ` → `i̇` in JavaScript, `i` in PostgreSQL), which let a look-alike name have a counter of
 * its own and still log in as the real account.
 */
export function normaliseLoginName(raw: string): LoginName {
  const folded = raw.normalize('NFKC').trim();
  if (!USERNAME_PATTERN.test(folded)) return { key: folded, lookup: null };
  const lower = folded.replace(/[A-Z]/g, (c) => c.toLowerCase());
  return { key: lower, lookup: lower };
}

/**
 * Growing delays: the first `free` failures cost nothing; after that the next attempt must wait
 * 2 s, then 4 s, 8 s … (2^k seconds after the last counted attempt), capped at `capSeconds`.
 * Returns, for n = 0, 1, 2 … failures so far, the wait in milliseconds before the next attempt;
 * the last entry holds for every larger n.
 */
export function throttleDelaysMs(free: number, capSeconds: number): number[] {
  const delays: number[] = Array.from({ length: free }, () => 0);
  for (let k = 1; ; k += 1) {
    const seconds = Math.min(2 ** k, capSeconds);
    delays.push(seconds * 1000);
    if (seconds >= capSeconds) return delays;
  }
}

/** The wait before the next attempt after `failures` counted failures (see throttleDelaysMs). */
export function throttleDelayMs(failures: number, free: number, capSeconds: number): number {
  const delays = throttleDelaysMs(free, capSeconds);
  return delays[Math.min(failures, delays.length - 1)];
}
