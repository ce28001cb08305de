import { fail } from './log.mjs';

/** The documented defaults (API.md, "Configuration"). */
export const DEFAULTS = {
  PORT: '3000',
  // Loopback: what npm start runs is reachable from this machine only (its health check and
  // banner use 127.0.0.1). Set HOST=0.0.0.0 to serve the network.
  HOST: '127.0.0.1',
  DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/duban',
  REDIS_URL: 'redis://127.0.0.1:6379/0',
  DUBAN_SWEEP_INTERVAL_MS: '60000',
};

/** The variables printed by DUBAN_START_SERVICES_ONLY=1, in this order. */
const SHOWN = [
  'PORT',
  'HOST',
  'DATABASE_URL',
  'REDIS_URL',
  'DUBAN_ADMIN_USERNAME',
  'DUBAN_ADMIN_PASSWORD',
  'DUBAN_JWT_SECRET',
  'DUBAN_SWEEP_INTERVAL_MS',
  'SMTP_URL',
  'DUBAN_DEMO',
  'DUBAN_AUDIT_KEY_FILE',
  'DUBAN_AUDIT_ANCHOR_FILE',
];

/** The environment for the apps: the caller's, with the defaults filled in where unset. */
export function resolveEnv(source = process.env) {
  const env = { ...source };
  for (const [key, value] of Object.entries(DEFAULTS)) {
    if (!env[key]) env[key] = value;
  }
  parsePort(env.PORT);
  return env;
}

export function parsePort(text) {
  const port = Number(text);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    fail(`PORT must be a TCP port number (1-65535), not ${JSON.stringify(text)}.`);
  }
  return port;
}

/** Parses a service URL, with a clear message when it is not one. */
export function parseServiceUrl(name, text, protocols) {
  let url;
  try {
    url = new URL(text);
  } catch {
    fail(`${name} is not a valid URL: ${JSON.stringify(text)}`);
  }
  if (!protocols.includes(url.protocol)) {
    fail(`${name} must start with ${protocols.map((p) => `${p}//`).join(' or ')}: ${text}`);
  }
  return url;
}

/** The host of a URL without IPv6 brackets; '' (no host) means the local machine. */
export function hostOf(url) {
  return url.hostname.replace(/^\[(.*)\]$/, '$1') || '127.0.0.1';
}

export function portOf(url, fallback) {
  return url.port ? Number(url.port) : fallback;
}

/** The resolved environment as shell `export` lines. */
export function formatExports(env) {
  return SHOWN.filter((key) => env[key] !== undefined && env[key] !== '')
    .map((key) => `export ${key}='${String(env[key]).replaceAll("'", `'\\''`)}'`)
    .join('\n');
}
