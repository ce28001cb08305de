import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fail, info } from './log.mjs';
import { isExecutable, tail, which } from './run.mjs';

/** Encodes one command in RESP, the Redis protocol. */
function encodeCommand(...args) {
  const parts = args.map((arg) => `$${Buffer.byteLength(String(arg))}\r\n${arg}\r\n`);
  return `*${args.length}\r\n${parts.join('')}`;
}

/**
 * Sends PING (after AUTH when the URL has a password) and reads the simple replies.
 * Resolves to 'up', 'down' (nothing accepts connections), 'auth' (a Redis answers but refuses
 * the credentials) or 'other' (something answers that does not speak RESP), with the reply.
 */
export function redisPing({ host, port, username, password }, timeoutMs = 2000) {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const commands = [];
    if (password) commands.push(username ? ['AUTH', username, password] : ['AUTH', password]);
    commands.push(['PING']);
    let buffer = '';
    let connected = false;
    let settled = false;
    const done = (state, reply = '') => {
      if (settled) return;
      settled = true;
      socket.destroy();
      resolve({ state, reply });
    };
    socket.setTimeout(timeoutMs, () => done(connected ? 'other' : 'down', 'no reply'));
    socket.once('error', (err) => done(connected ? 'other' : 'down', err.message));
    socket.once('close', () => done(connected ? 'other' : 'down', 'connection closed'));
    socket.once('connect', () => {
      connected = true;
      socket.write(commands.map((args) => encodeCommand(...args)).join(''));
    });
    socket.on('data', (chunk) => {
      buffer += chunk.toString('latin1');
      const lines = buffer.split('\r\n').slice(0, -1);
      if (lines.length === 0) return;
      if (lines.some((line) => !/^[+-]/.test(line))) return done('other', lines[0]);
      // A password sent to a Redis without one is refused, yet the server works (ioredis warns
      // and carries on): only the other replies count.
      const error = lines.find(
        (line) => line.startsWith('-') && !/without any password/.test(line),
      );
      if (error && /^-(NOAUTH|WRONGPASS|ERR.*(password|AUTH))/i.test(error)) {
        return done('auth', error.slice(1));
      }
      if (error && error.startsWith('-LOADING')) return done('up', error.slice(1));
      if (error) return done('other', error.slice(1));
      if (lines.length >= commands.length) done('up', lines.at(-1).slice(1));
    });
  });
}

/** The redis-server executable, or null. */
export function findRedisServer() {
  const onPath = which('redis-server');
  if (onPath) return onPath;
  const known = [
    '/usr/bin/redis-server',
    '/usr/sbin/redis-server',
    '/usr/local/bin/redis-server',
    '/opt/homebrew/bin/redis-server',
  ];
  return known.find(isExecutable) ?? null;
}

function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitUntilGone(pid, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (isAlive(pid) && Date.now() < deadline) await sleep(100);
  return !isAlive(pid);
}

/**
 * A Redis this script started earlier that is still running (npm start was killed before it
 * could stop it): reused, and stopped when this run ends.
 */
async function adoptLeftover({ dir, password }) {
  const stateFile = join(dir, 'instance.json');
  if (!existsSync(stateFile)) return null;
  let state;
  try {
    state = JSON.parse(readFileSync(stateFile, 'utf8'));
  } catch {
    return null;
  }
  if (!Number.isInteger(state.pid) || !isAlive(state.pid)) return null;
  const ping = await redisPing({ host: '127.0.0.1', port: state.port, password });
  if (ping.state !== 'up') return null;
  info(
    `reusing the local Redis left running by an earlier run (pid ${state.pid}, port ${state.port})`,
  );
  const stop = async () => {
    process.kill(state.pid, 'SIGTERM');
    if (!(await waitUntilGone(state.pid, 15000))) process.kill(state.pid, 'SIGKILL');
  };
  return { port: state.port, stop };
}

/**
 * Starts redis-server as a child listening on 127.0.0.1:port, with its data (AOF) in `dir`.
 * Resolves once it answers PING; `stop()` shuts it down (Redis flushes the AOF on SIGTERM).
 */
export async function startLocalRedis({ binary, dir, port, password }) {
  mkdirSync(dir, { recursive: true });
  const leftover = await adoptLeftover({ dir, password });
  if (leftover) return leftover;

  const logFile = join(dir, 'redis.log');
  const args = [
    '--port', String(port),
    '--bind', '127.0.0.1',
    '--dir', dir,
    '--appendonly', 'yes',
    '--maxmemory-policy', 'noeviction',
    '--daemonize', 'no',
    '--logfile', logFile,
    '--pidfile', join(dir, 'redis.pid'),
  ]; // prettier-ignore
  if (password) args.push('--requirepass', password);
  info(`starting Redis on 127.0.0.1:${port} (data in ${dir})`);
  // Own process group: a Ctrl-C on the terminal must not stop Redis before the apps.
  const child = spawn(binary, args, {
    cwd: dir,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  const exited = new Promise((resolve) => child.on('exit', resolve));
  let exitCode = null;
  exited.then((code) => (exitCode = code ?? 'signal'));
  writeFileSync(join(dir, 'instance.json'), JSON.stringify({ pid: child.pid, port }) + '\n');

  const deadline = Date.now() + 20000;
  for (;;) {
    if (exitCode !== null) {
      const log = existsSync(logFile) ? readFileSync(logFile, 'utf8') : '';
      fail(`redis-server exited (${exitCode}) while starting:\n${tail(output + log)}`);
    }
    const ping = await redisPing({ host: '127.0.0.1', port, password }, 1000);
    if (ping.state === 'up') break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      fail(`redis-server did not answer on 127.0.0.1:${port} within 20 s; see ${logFile}`);
    }
    await sleep(200);
  }

  const stop = async () => {
    if (exitCode !== null) return;
    child.kill('SIGTERM');
    const timer = sleep(15000).then(() => 'timeout');
    if ((await Promise.race([exited, timer])) === 'timeout') child.kill('SIGKILL');
    await exited;
  };
  return { port, stop, child };
}
