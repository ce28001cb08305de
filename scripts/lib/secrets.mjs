import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fail, info, warn } from './log.mjs';
import { LOCAL_DIR } from './paths.mjs';

export const SECRETS_FILE = join(LOCAL_DIR, 'secrets.json');

function randomSecret(bytes) {
  return randomBytes(bytes).toString('base64url');
}

function readSecrets(file) {
  if (!existsSync(file)) return {};
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    return fail(`${file} is not valid JSON (${err.message}); fix or delete it.`);
  }
}

/** Writes the file readable by its owner only (mode 600), also when it already existed. */
function writeSecrets(file, secrets) {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(secrets, null, 2) + '\n', { mode: 0o600 });
  chmodSync(file, 0o600);
}

/**
 * Fills DUBAN_AUDIT_KEY_FILE, when unset, with an Ed25519 private key generated once into
 * .local/audit-key.pem (mode 600): the worker signs the audit anchors with it. Anchors go to
 * .local/audit-anchors.jsonl unless DUBAN_AUDIT_ANCHOR_FILE says otherwise.
 */
function applyAuditKey(env, dir) {
  if (!env.DUBAN_AUDIT_ANCHOR_FILE) env.DUBAN_AUDIT_ANCHOR_FILE = join(dir, 'audit-anchors.jsonl');
  if (env.DUBAN_AUDIT_KEY_FILE) return;
  const file = join(dir, 'audit-key.pem');
  if (!existsSync(file)) {
    const { privateKey } = generateKeyPairSync('ed25519');
    mkdirSync(dir, { recursive: true });
    writeFileSync(file, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    info(`generated the audit anchor signing key in ${file} (mode 600); keep a copy elsewhere`);
  }
  chmodSync(file, 0o600);
  env.DUBAN_AUDIT_KEY_FILE = file;
}

/**
 * Fills DUBAN_JWT_SECRET, DUBAN_ADMIN_USERNAME and DUBAN_ADMIN_PASSWORD when unset, with values
 * generated once and kept in .local/secrets.json, so tokens and the admin password survive
 * restarts; and the audit signing key (applyAuditKey). Returns where the admin password came from ('env' or the file).
 */
export function applySecrets(env, file = SECRETS_FILE) {
  const secrets = readSecrets(file);
  let changed = false;
  const remember = (key, make) => {
    if (!secrets[key]) {
      secrets[key] = make();
      changed = true;
    }
    return secrets[key];
  };

  if (!env.DUBAN_JWT_SECRET) {
    env.DUBAN_JWT_SECRET = remember('jwtSecret', () => randomSecret(48));
  } else if (env.DUBAN_JWT_SECRET.length < 32) {
    warn('DUBAN_JWT_SECRET is shorter than 32 characters; the apps will refuse it.');
  }
  if (!env.DUBAN_ADMIN_USERNAME) env.DUBAN_ADMIN_USERNAME = 'admin';
  const passwordSource = env.DUBAN_ADMIN_PASSWORD ? 'env' : file;
  if (!env.DUBAN_ADMIN_PASSWORD) {
    env.DUBAN_ADMIN_PASSWORD = remember('adminPassword', () => randomSecret(18));
  } else if (env.DUBAN_ADMIN_PASSWORD.length < 12) {
    warn('DUBAN_ADMIN_PASSWORD is shorter than 12 characters; the apps will refuse it.');
  }
  if (changed) {
    writeSecrets(file, secrets);
    info(`generated secrets kept in ${file} (mode 600)`);
  } else if (existsSync(file)) {
    chmodSync(file, 0o600);
  }
  applyAuditKey(env, dirname(file));
  return { passwordSource };
}
