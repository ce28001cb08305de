import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import {
  appendFileSync,
  chownSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { waitFor } from './wait';

/**
 * A PostgreSQL and a Redis of a test's own, on free loopback ports, with their data under
 * .local/ — for fault tests that stop and restart them. NEVER the shared servers (5432, 6379).
 * Mirrors scripts/lib/postgres.mjs and redis.mjs (which stop the process on failure, so they
 * cannot be used from Jest): as root, PostgreSQL runs as the `postgres` system user.
 */
const ROOT = join(__dirname, '..', '..');

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** initdb and pg_ctl of the newest PostgreSQL installed, or null. */
export function findPostgresBinaries(): { initdb: string; pgCtl: string } | null {
  for (const base of ['/usr/lib/postgresql', '/usr/local/lib/postgresql']) {
    if (!existsSync(base)) continue;
    const versions = readdirSync(base)
      .filter((v) => /^\d+$/.test(v))
      .sort((a, b) => Number(b) - Number(a));
    for (const v of versions) {
      const dir = join(base, v, 'bin');
      if (existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'pg_ctl'))) {
        return { initdb: join(dir, 'initdb'), pgCtl: join(dir, 'pg_ctl') };
      }
    }
  }
  return null;
}

export function findRedisServer(): string | null {
  for (const p of ['/usr/bin/redis-server', '/usr/local/bin/redis-server']) {
    if (existsSync(p)) return p;
  }
  try {
    return (
      execFileSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' }).trim() || null
    );
  } catch {
    return null;
  }
}

const asRoot = () => typeof process.getuid === 'function' && process.getuid() === 0;

/** Runs a PostgreSQL program (as `postgres` when root); resolves with its exit code and output. */
function runPg(command: string, args: string[]): Promise<{ code: number | null; output: string }> {
  const [cmd, argv] = asRoot()
    ? ['runuser', ['-u', 'postgres', '--', command, ...args]]
    : [command, args];
  return new Promise((resolve, reject) => {
    // pg_ctl start leaves the server running: its output goes to the log file, not our pipes.
    const child = spawn(cmd, argv, { stdio: ['ignore', 'pipe', 'pipe'], cwd: '/' });
    let output = '';
    child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, output }));
  });
}

export class PrivatePostgres {
  readonly logFile: string;
  readonly dataDir: string;

  private constructor(
    private readonly bin: { initdb: string; pgCtl: string },
    readonly dir: string,
    readonly port: number,
  ) {
    this.dataDir = join(dir, 'data');
    this.logFile = join(dir, 'postgres.log');
  }

  static async create(
    bin: { initdb: string; pgCtl: string },
    dir: string,
  ): Promise<PrivatePostgres> {
    mkdirSync(join(dir, 'data'), { recursive: true });
    const pg = new PrivatePostgres(bin, dir, await freePort());
    if (asRoot()) {
      const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
      const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
      chownSync(dir, uid, gid);
      chownSync(pg.dataDir, uid, gid);
    }
    const init = await runPg(bin.initdb, [
      '-D',
      pg.dataDir,
      '-U',
      'postgres',
      '--auth=trust',
      '--encoding=UTF8',
      '--locale=C.UTF-8',
    ]);
    if (init.code !== 0) throw new Error(`initdb failed:\n${init.output}`);
    appendFileSync(
      join(pg.dataDir, 'postgresql.conf'),
      [
        '',
        '# outage test: loopback TCP only, no socket; durability is not what is tested',
        "listen_addresses = '127.0.0.1'",
        "unix_socket_directories = ''",
        `port = ${pg.port}`,
        'fsync = off',
        'synchronous_commit = off',
        'full_page_writes = off',
        '',
      ].join('\n'),
    );
    return pg;
  }

  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const r = await runPg(this.bin.pgCtl, [
      'start',
      '-D',
      this.dataDir,
      '-l',
      this.logFile,
      '-w',
      '-t',
      '60',
    ]);
    if (r.code !== 0) throw new Error(`pg_ctl start failed:\n${r.output}\n${this.log()}`);
  }

  /** `fast`: connections are told "terminating connection due to administrator command". */
  async stop(mode: 'fast' | 'immediate' = 'fast'): Promise<void> {
    const r = await runPg(this.bin.pgCtl, [
      'stop',
      '-D',
      this.dataDir,
      '-m',
      mode,
      '-w',
      '-t',
      '60',
    ]);
    if (r.code !== 0 && !/not running|No such file/i.test(r.output))
      throw new Error(`pg_ctl stop failed:\n${r.output}`);
  }

  log(): string {
    return existsSync(this.logFile) ? readFileSync(this.logFile, 'utf8').slice(-3000) : '';
  }
}

export class PrivateRedis {
  private child: ChildProcess | null = null;

  private constructor(
    private readonly binary: string,
    readonly dir: string,
    readonly port: number,
  ) {}

  static async create(binary: string, dir: string): Promise<PrivateRedis> {
    mkdirSync(dir, { recursive: true });
    return new PrivateRedis(binary, dir, await freePort());
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}/0`;
  }

  /** Starts with no data (no AOF, no RDB): a restart loses every key. */
  async start(): Promise<void> {
    rmSync(join(this.dir, 'dump.rdb'), { force: true });
    const child = spawn(
      this.binary,
      [
        '--port',
        String(this.port),
        '--bind',
        '127.0.0.1',
        '--dir',
        this.dir,
        '--save',
        '',
        '--appendonly',
        'no',
        '--maxmemory-policy',
        'noeviction',
        '--daemonize',
        'no',
        '--logfile',
        join(this.dir, 'redis.log'),
      ],
      { stdio: 'ignore' },
    );
    this.child = child;
    const probe = new Redis(this.url, {
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    probe.on('error', () => undefined);
    try {
      await waitFor(
        `redis-server on ${this.port}`,
        async () => {
          if (child.exitCode !== null) throw new Error(`redis-server exited ${child.exitCode}`);
          try {
            if (probe.status !== 'ready') await probe.connect();
            return (await probe.ping()) === 'PONG' ? true : undefined;
          } catch {
            probe.disconnect();
            return undefined;
          }
        },
        { timeoutMs: 20_000, intervalMs: 100 },
      );
    } finally {
      probe.disconnect();
    }
  }

  /** SIGKILL: nothing is saved. */
  async kill(): Promise<void> {
    const child = this.child;
    this.child = null;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }
}

/** A directory of the test's own under .local/ (removed by `removeRunDir`). */
export function runDir(name: string): string {
  const dir = join(ROOT, '.local', `${name}-${process.pid}-${Date.now().toString(36)}`);
  mkdirSync(dir, { recursive: true });
  return dir;
}

export function removeRunDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}
