import { execFileSync } from 'node:child_process';
import {
  appendFileSync,
  chownSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  realpathSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { fail, info } from './log.mjs';
import { tcpAnswers } from './net.mjs';
import { isExecutable, run, shellQuote, tail, which } from './run.mjs';

/** Locales tried in order for initdb: a UTF-8 LC_CTYPE is needed for pg_trgm on Chinese. */
const LOCALES = ['C.UTF-8', 'en_US.UTF-8'];

function majorVersionOf(pgCtl) {
  try {
    const out = execFileSync(pgCtl, ['--version'], { encoding: 'utf8' });
    return out.match(/(\d+)(\.\d+)?/)?.[1] ?? null;
  } catch {
    return null;
  }
}

/** Directories holding both initdb and pg_ctl, newest version first, then those on PATH. */
function candidateBinDirs() {
  const found = [];
  for (const base of ['/usr/lib/postgresql', '/usr/local/lib/postgresql']) {
    if (!existsSync(base)) continue;
    const versions = readdirSync(base).filter((v) => /^\d+(\.\d+)?$/.test(v));
    versions.sort((a, b) => Number(b) - Number(a));
    for (const version of versions) found.push({ dir: join(base, version, 'bin'), version });
  }
  for (const entry of existsSync('/usr') ? readdirSync('/usr') : []) {
    const match = entry.match(/^pgsql-(\d+)$/); // RHEL / PGDG layout
    if (match) found.push({ dir: join('/usr', entry, 'bin'), version: match[1] });
  }
  // On PATH these are often symlinks (/usr/local/bin/pg_ctl → /usr/lib/postgresql/15/bin/pg_ctl).
  const initdb = which('initdb') && realpathSync(which('initdb'));
  const pgCtl = which('pg_ctl') && realpathSync(which('pg_ctl'));
  if (initdb && pgCtl && dirname(initdb) === dirname(pgCtl)) {
    found.push({ dir: dirname(pgCtl), version: majorVersionOf(pgCtl) });
  }
  return found.filter(
    ({ dir }) => isExecutable(join(dir, 'initdb')) && isExecutable(join(dir, 'pg_ctl')),
  );
}

/**
 * initdb and pg_ctl, matching `wantedVersion` (the version of an existing cluster) when given.
 * Returns null when none are installed, or { mismatch } when only other versions are.
 */
export function findPostgresBinaries(wantedVersion = null) {
  const dirs = candidateBinDirs();
  if (dirs.length === 0) return null;
  const match = wantedVersion ? dirs.find((d) => d.version === wantedVersion) : dirs[0];
  if (!match) return { mismatch: dirs.map((d) => d.version).join(', ') };
  return {
    initdb: join(match.dir, 'initdb'),
    pgCtl: join(match.dir, 'pg_ctl'),
    version: match.version,
  };
}

/** The PostgreSQL major version of an initialised data directory, or null. */
export function clusterVersion(dataDir) {
  const file = join(dataDir, 'PG_VERSION');
  return existsSync(file) ? readFileSync(file, 'utf8').trim() : null;
}

/** PostgreSQL refuses to run as root: then every command runs as the `postgres` user. */
function runningAsRoot() {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

function postgresUser() {
  try {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    return { uid, gid };
  } catch {
    return null;
  }
}

/** Runs a PostgreSQL program, as the `postgres` user when this process is root. */
function runPg(command, args, options = {}) {
  if (!runningAsRoot()) return run(command, args, { capture: true, ...options });
  const runuser = which('runuser') ?? (isExecutable('/usr/sbin/runuser') && '/usr/sbin/runuser');
  if (runuser)
    return run(runuser, ['-u', 'postgres', '--', command, ...args], { capture: true, ...options });
  const line = [command, ...args].map(shellQuote).join(' ');
  return run('su', ['-s', '/bin/sh', 'postgres', '-c', line], { capture: true, ...options });
}

/** As root: give the data directory and log file to `postgres`, and check it can reach them. */
async function prepareOwnership(dataDir, logFile) {
  if (!runningAsRoot()) return;
  const user = postgresUser();
  if (!user) {
    fail(
      'npm start runs as root, and PostgreSQL refuses to run as root, but there is no `postgres` ' +
        'system user to run it as. Run npm start as a regular user, or create the user ' +
        '(Debian: apt-get install postgresql creates it).',
    );
  }
  chownSync(dataDir, user.uid, user.gid);
  if (!existsSync(logFile)) writeFileSync(logFile, '');
  chownSync(logFile, user.uid, user.gid);
  const probe = await runPg('test', ['-w', dataDir, '-a', '-w', logFile], { cwd: '/' });
  if (probe.code !== 0) {
    fail(
      `The \`postgres\` user cannot write ${dataDir}: every directory above it must be ` +
        'searchable by other users (chmod o+x). Move the clone (e.g. out of /root), or run ' +
        'npm start as a regular user, or point DATABASE_URL at a running PostgreSQL.',
    );
  }
}

async function initCluster({ initdb, dataDir, superuser }) {
  let last = '';
  for (const locale of LOCALES) {
    info(`initialising a PostgreSQL cluster in ${dataDir} (UTF8, locale ${locale}, trust auth)`);
    const result = await runPg(
      initdb,
      ['-D', dataDir, '-U', superuser, '--auth=trust', '--encoding=UTF8', `--locale=${locale}`],
      { cwd: dirname(dataDir) },
    );
    if (result.code === 0) {
      // Only TCP on loopback; no Unix socket (its directory may not exist or be writable here).
      appendFileSync(
        join(dataDir, 'postgresql.conf'),
        "\n# Added by scripts/start.mjs\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = ''\n",
      );
      return;
    }
    last = result.output;
  }
  fail(`initdb failed:\n${tail(last)}`);
}

/** The port of a cluster already running from this data directory, or null. */
async function runningPort({ pgCtl, dataDir }) {
  const status = await runPg(pgCtl, ['status', '-D', dataDir], { cwd: dirname(dataDir) });
  if (status.code !== 0) return null;
  const lines = readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n');
  const port = Number(lines[3]);
  return Number.isInteger(port) && (await tcpAnswers('127.0.0.1', port)) ? port : null;
}

/**
 * Makes the cluster in `dataDir` run on 127.0.0.1 (initialising it the first time).
 * `choosePort` is called only when a server must be started. Resolves to { port, stop }.
 */
export async function startLocalPostgres({ binaries, dataDir, logFile, superuser, choosePort }) {
  const { initdb, pgCtl } = binaries;
  mkdirSync(dataDir, { recursive: true });
  await prepareOwnership(dataDir, logFile);
  const stop = async () => {
    info('stopping the local PostgreSQL');
    const result = await runPg(pgCtl, ['stop', '-D', dataDir, '-m', 'fast', '-w', '-t', '60'], {
      cwd: dirname(dataDir),
    });
    if (result.code !== 0) info(`pg_ctl stop: ${tail(result.output, 5)}`);
  };

  if (clusterVersion(dataDir) === null) {
    await initCluster({ initdb, dataDir, superuser });
  } else {
    const port = await runningPort({ pgCtl, dataDir });
    if (port) {
      info(`reusing the local PostgreSQL left running by an earlier run (port ${port})`);
      return { port, stop };
    }
  }

  const port = await choosePort();
  info(`starting PostgreSQL on 127.0.0.1:${port} (log: ${logFile})`);
  const result = await runPg(
    pgCtl,
    ['start', '-D', dataDir, '-l', logFile, '-w', '-t', '60', '-o', `-p ${port}`],
    { cwd: dirname(dataDir), detached: true },
  );
  if (result.code !== 0) {
    const log = existsSync(logFile) ? readFileSync(logFile, 'utf8') : '';
    fail(`pg_ctl start failed:\n${tail(result.output, 5)}\n${tail(log)}`);
  }
  if (!(await tcpAnswers('127.0.0.1', port))) {
    await stop();
    fail(`PostgreSQL started but does not answer on 127.0.0.1:${port}; see ${logFile}`);
  }
  return { port, stop };
}
