import { join } from 'node:path';
import { hostOf, parseServiceUrl, portOf } from './env.mjs';
import { fail, info } from './log.mjs';
import { findFreePort, isLocalHost, tcpAnswers } from './net.mjs';
import { LOCAL_DIR } from './paths.mjs';
import { clusterVersion, findPostgresBinaries, startLocalPostgres } from './postgres.mjs';
import { findRedisServer, redisPing, startLocalRedis } from './redis.mjs';

const PG_DATA_DIR = join(LOCAL_DIR, 'postgres');
const PG_LOG_FILE = join(LOCAL_DIR, 'postgres.log');
const REDIS_DIR = join(LOCAL_DIR, 'redis');

/** The same URL pointing at 127.0.0.1:port (user, password, database and options kept). */
function atLocalPort(url, port) {
  const copy = new URL(url.href);
  copy.hostname = '127.0.0.1';
  copy.port = String(port);
  return copy.href;
}

function missingServerMessage(missing) {
  const names = missing.map((m) => m.what).join(' / ');
  const packages = missing.map((m) => m.debianPackage).join(' ');
  return [
    `${names} 未运行，且本机找不到可用来启动它的程序。`,
    `${names} is not running, and no binaries to start it were found on this machine.`,
    ...missing.map((m) => `  - ${m.what}: ${m.problem}`),
    '',
    '请任选其一 / Do one of these, then run `npm start` again:',
    `  1. 安装 / install (Debian/Ubuntu):  sudo apt-get install ${packages}`,
    '     (macOS: brew install postgresql@15 redis)',
    '  2. 用 Docker 启动 / start the containers:',
    '       DUBAN_JWT_SECRET=unused-by-postgres-and-redis-00000 DUBAN_ADMIN_PASSWORD=unused-000000 \\',
    '         docker compose up -d postgres redis',
    '     (docker compose checks those two variables for every command; any value does here)',
    '  3. 指向已有的服务 / point DATABASE_URL and REDIS_URL at running servers.',
  ].join('\n');
}

/** What is at DATABASE_URL, and what it takes to start one here if nothing is. */
async function planPostgres(env) {
  const url = parseServiceUrl('DATABASE_URL', env.DATABASE_URL, ['postgres:', 'postgresql:']);
  const host = hostOf(url);
  const port = portOf(url, 5432);
  if (await tcpAnswers(host, port)) {
    info(`PostgreSQL answers at ${host}:${port}`);
    return { url, needed: false };
  }
  if (!isLocalHost(host)) {
    fail(`PostgreSQL does not answer at ${host}:${port} (DATABASE_URL). Start it, or fix the URL.`);
  }
  if (port !== 5432) {
    // A port named on purpose (or mistyped) is never taken over by a private instance.
    fail(
      `nothing answers at ${host}:${port} (DATABASE_URL). npm start starts a private PostgreSQL ` +
        'only for the default port 5432: start yours on that port, or fix the URL.',
    );
  }
  info(`PostgreSQL does not answer at ${host}:${port}; a local one will be used`);
  const existing = clusterVersion(PG_DATA_DIR);
  const binaries = findPostgresBinaries(existing);
  if (!binaries || binaries.mismatch) {
    const problem = !binaries
      ? 'initdb and pg_ctl not found (looked in /usr/lib/postgresql/*/bin and on PATH)'
      : `${PG_DATA_DIR} was created by PostgreSQL ${existing}, but only ${binaries.mismatch} ` +
        `is installed (install postgresql-${existing}, or delete that directory to start afresh)`;
    return {
      url,
      needed: true,
      missing: { what: 'PostgreSQL', debianPackage: 'postgresql', problem },
    };
  }
  return { url, needed: true, binaries };
}

/** What is at REDIS_URL, and what it takes to start one here if nothing is. */
async function planRedis(env) {
  const url = parseServiceUrl('REDIS_URL', env.REDIS_URL, ['redis:', 'rediss:']);
  const host = hostOf(url);
  const port = portOf(url, 6379);
  const credentials = {
    username: decodeURIComponent(url.username),
    password: decodeURIComponent(url.password),
  };
  // TLS (rediss:) cannot be PINGed over a bare socket: a TCP connect has to do.
  const ping =
    url.protocol === 'rediss:'
      ? { state: (await tcpAnswers(host, port)) ? 'up' : 'down' }
      : await redisPing({ host, port, ...credentials });
  if (ping.state === 'up') {
    info(`Redis answers PING at ${host}:${port}`);
    return { url, needed: false };
  }
  if (ping.state === 'auth') {
    fail(`Redis at ${host}:${port} refuses the credentials in REDIS_URL: ${ping.reply}`);
  }
  const why =
    ping.state === 'other' ? `something else answers there (${ping.reply})` : 'nothing answers';
  if (!isLocalHost(host)) fail(`Redis at ${host}:${port} (REDIS_URL): ${why}.`);
  if (port !== 6379) {
    fail(
      `Redis at ${host}:${port} (REDIS_URL): ${why}. npm start starts a private Redis only for ` +
        'the default port 6379: start yours on that port, or fix the URL.',
    );
  }
  info(`Redis does not answer PING at ${host}:${port} (${why}); a local one will be used`);
  const binary = findRedisServer();
  if (!binary) {
    const problem = 'redis-server not found on PATH';
    return {
      url,
      needed: true,
      missing: { what: 'Redis', debianPackage: 'redis-server', problem },
    };
  }
  return { url, needed: true, binary, credentials };
}

/**
 * Makes DATABASE_URL and REDIS_URL point at servers that answer: the configured ones when they
 * do, else private instances under .local/ started here (stopped by `lifecycle` at exit).
 * Updates `env` in place; returns which instances were started.
 */
export async function ensureServices(env, lifecycle) {
  const pg = await planPostgres(env);
  const redis = await planRedis(env);
  const missing = [pg.missing, redis.missing].filter(Boolean);
  if (missing.length > 0) fail(missingServerMessage(missing));

  const started = [];
  if (pg.needed) {
    const urlPort = portOf(pg.url, 5432);
    const instance = await startLocalPostgres({
      binaries: pg.binaries,
      dataDir: PG_DATA_DIR,
      logFile: PG_LOG_FILE,
      superuser: decodeURIComponent(pg.url.username) || 'postgres',
      choosePort: async () =>
        (await findFreePort(urlPort, 5433)) ?? fail('no free port for PostgreSQL in 5433-5532'),
    });
    lifecycle.onStop('PostgreSQL', instance.stop);
    env.DATABASE_URL = atLocalPort(pg.url, instance.port);
    started.push(`PostgreSQL 127.0.0.1:${instance.port}`);
  }
  if (redis.needed) {
    const urlPort = portOf(redis.url, 6379);
    const port = (await findFreePort(urlPort, 6380)) ?? fail('no free port for Redis in 6380-6479');
    const instance = await startLocalRedis({
      binary: redis.binary,
      dir: REDIS_DIR,
      port,
      password: redis.credentials.password,
    });
    lifecycle.onStop('Redis', instance.stop, instance.child);
    const url = new URL(atLocalPort(redis.url, instance.port));
    url.protocol = 'redis:';
    env.REDIS_URL = url.href;
    started.push(`Redis 127.0.0.1:${instance.port}`);
  }
  return started;
}
