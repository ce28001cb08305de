import { plainToInstance, Transform } from 'class-transformer';
import {
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  MinLength,
  validateSync,
  ValidationError,
} from 'class-validator';

export const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/duban';
export const DEFAULT_AUDIT_ANCHOR_FILE = '.local/audit-anchors.jsonl';

const TRUST_PROXY_ITEM = String.raw`(loopback|linklocal|uniquelocal|\d{1,3}(\.\d{1,3}){3}(/\d{1,2})?|[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*(/\d{1,3})?)`;
const TRUST_PROXY_PATTERN = new RegExp(
  String.raw`^(\d{1,2}|${TRUST_PROXY_ITEM}(\s*,\s*${TRUST_PROXY_ITEM})*)$`,
);

/** The value for Express's `trust proxy` setting: false when unset, a number of hops, or the list. */
export function trustProxySetting(value: string | undefined): boolean | number | string[] {
  if (value === undefined || value.trim() === '') return false;
  if (/^\d+$/.test(value.trim())) return Number(value.trim());
  return value.split(',').map((v) => v.trim());
}

const toInt = ({ value }: { value: unknown }) =>
  typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value) : value;

/**
 * Every setting the service reads from its environment, validated once at start-up.
 * A process with a bad or missing value stops with the variable's name and what is expected.
 */
export class AppConfig {
  @Transform(toInt)
  @IsInt({ message: 'PORT must be an integer port number, e.g. 3000' })
  @Min(0, { message: 'PORT must be between 0 and 65535' })
  @Max(65535, { message: 'PORT must be between 0 and 65535' })
  PORT = 3000;

  /**
   * Where the api binds. Loopback by default so that a bare `node dist/…/main.js` is not reachable
   * from the network by accident; docker-compose and the Dockerfile set 0.0.0.0.
   */
  @Matches(
    /^(\d{1,3}(\.\d{1,3}){3}|[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*|[A-Za-z0-9]([A-Za-z0-9.-]{0,253}))$/,
    {
      message: 'HOST must be an address or host name to bind to, e.g. 127.0.0.1, 0.0.0.0 or ::',
    },
  )
  HOST = '127.0.0.1';

  @Matches(/^postgres(ql)?:\/\/.+/, {
    message: 'DATABASE_URL must be a PostgreSQL URL, e.g. postgres://postgres@127.0.0.1:5432/duban',
  })
  DATABASE_URL = DEFAULT_DATABASE_URL;

  @Matches(/^rediss?:\/\/.+/, {
    message: 'REDIS_URL must be a Redis URL, e.g. redis://127.0.0.1:6379/0',
  })
  REDIS_URL = 'redis://127.0.0.1:6379/0';

  @IsOptional()
  @IsString()
  @Matches(/^[A-Za-z0-9_.@-]{3,64}$/, {
    message: 'DUBAN_ADMIN_USERNAME must be 3-64 letters, digits or _ . @ -',
  })
  DUBAN_ADMIN_USERNAME?: string;

  @IsOptional()
  @IsString()
  @MinLength(12, { message: 'DUBAN_ADMIN_PASSWORD must be at least 12 characters long' })
  DUBAN_ADMIN_PASSWORD?: string;

  @Matches(/^.{32,}$/s, {
    message: 'DUBAN_JWT_SECRET is required: a random secret of at least 32 characters',
  })
  DUBAN_JWT_SECRET!: string;

  @Transform(toInt)
  @IsInt({ message: 'DUBAN_TOKEN_TTL_SECONDS must be an integer number of seconds' })
  @Min(60, { message: 'DUBAN_TOKEN_TTL_SECONDS must be at least 60' })
  @Max(7 * 24 * 3600, { message: 'DUBAN_TOKEN_TTL_SECONDS must be at most 604800 (7 days)' })
  DUBAN_TOKEN_TTL_SECONDS = 8 * 3600;

  @Transform(toInt)
  @IsInt({ message: 'DUBAN_SWEEP_INTERVAL_MS must be an integer number of milliseconds' })
  @Min(1000, { message: 'DUBAN_SWEEP_INTERVAL_MS must be at least 1000' })
  DUBAN_SWEEP_INTERVAL_MS = 60000;

  @Transform(toInt)
  @IsInt({ message: 'DUBAN_CLAIM_LEASE_MS must be an integer number of milliseconds' })
  @Min(1000, { message: 'DUBAN_CLAIM_LEASE_MS must be at least 1000' })
  DUBAN_CLAIM_LEASE_MS = 120000;

  @Transform(toInt)
  @IsInt({ message: 'DUBAN_SWEEP_BATCH must be an integer' })
  @Min(1, { message: 'DUBAN_SWEEP_BATCH must be at least 1' })
  @Max(100000, { message: 'DUBAN_SWEEP_BATCH must be at most 100000' })
  DUBAN_SWEEP_BATCH = 5000;

  @Transform(toInt)
  @IsInt({ message: 'DUBAN_WORKER_CONCURRENCY must be an integer' })
  @Min(1, { message: 'DUBAN_WORKER_CONCURRENCY must be at least 1' })
  @Max(64, { message: 'DUBAN_WORKER_CONCURRENCY must be at most 64' })
  DUBAN_WORKER_CONCURRENCY = 4;

  @Transform(toInt)
  @IsInt({ message: 'DUBAN_SHUTDOWN_TIMEOUT_MS must be an integer number of milliseconds' })
  @Min(0, { message: 'DUBAN_SHUTDOWN_TIMEOUT_MS must not be negative' })
  DUBAN_SHUTDOWN_TIMEOUT_MS = 10000;

  @Matches(/^[A-Za-z0-9_-]{1,40}$/, {
    message: 'DUBAN_QUEUE_PREFIX must be 1-40 letters, digits, _ or -',
  })
  DUBAN_QUEUE_PREFIX = 'duban';

  @Transform(toInt)
  @IsInt({ message: 'DUBAN_LOGIN_MAX_FAILURES must be an integer' })
  @Min(1, { message: 'DUBAN_LOGIN_MAX_FAILURES must be at least 1' })
  DUBAN_LOGIN_MAX_FAILURES = 10;

  @Transform(toInt)
  @IsInt({ message: 'DUBAN_LOGIN_WINDOW_SECONDS must be an integer number of seconds' })
  @Min(1, { message: 'DUBAN_LOGIN_WINDOW_SECONDS must be at least 1' })
  DUBAN_LOGIN_WINDOW_SECONDS = 900;

  /**
   * Express's `trust proxy`: whose X-Forwarded-For the api believes when it counts failed logins
   * per address. Unset: nobody's (the peer address counts). A hop count (`1`), or a
   * comma-separated list of `loopback`, `linklocal`, `uniquelocal`, addresses and CIDRs.
   */
  @IsOptional()
  @Matches(TRUST_PROXY_PATTERN, {
    message:
      'DUBAN_TRUST_PROXY must be a hop count (e.g. 1) or a comma-separated list of loopback, linklocal, uniquelocal, IP addresses or CIDRs (e.g. 10.0.0.0/8)',
  })
  DUBAN_TRUST_PROXY?: string;

  /**
   * Compressed time, for soak runs and demonstrations only: from DUBAN_CLOCK_ORIGIN (a wall-clock
   * instant) on, the service's clock runs DUBAN_CLOCK_RATE times faster (2160: a quarter per hour).
   */
  @IsOptional()
  @Transform(toInt)
  @IsInt({ message: 'DUBAN_CLOCK_RATE must be a whole number from 1 to 1000000' })
  @Min(1, { message: 'DUBAN_CLOCK_RATE must be a whole number from 1 to 1000000' })
  @Max(1000000, { message: 'DUBAN_CLOCK_RATE must be a whole number from 1 to 1000000' })
  DUBAN_CLOCK_RATE?: number;

  @IsOptional()
  @Matches(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/, {
    message: 'DUBAN_CLOCK_ORIGIN must be an instant such as 2026-12-02T02:00:00Z',
  })
  DUBAN_CLOCK_ORIGIN?: string;

  @Matches(/^\d+(kb|mb)$/i, { message: 'DUBAN_BODY_LIMIT must look like 512kb or 1mb' })
  DUBAN_BODY_LIMIT = '1mb';

  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
    message: 'DUBAN_LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent',
  })
  DUBAN_LOG_LEVEL = 'info';

  @IsOptional()
  @Matches(/^smtps?:\/\/.+/, { message: 'SMTP_URL must be an smtp:// or smtps:// URL' })
  SMTP_URL?: string;

  /** The sender of notification e-mails; its domain also names the stable Message-IDs. */
  @Matches(/^([^<>]*<)?[^\s@<>]+@[^\s@<>]+>?$/, {
    message: 'SMTP_FROM must be an address, e.g. duban@example.org or 督办 <duban@example.org>',
  })
  SMTP_FROM = 'duban@localhost';

  /** Upper bound on one SMTP send (connect, greeting, every command), so a stuck server frees the worker. */
  @Transform(toInt)
  @IsInt({ message: 'DUBAN_SMTP_TIMEOUT_MS must be an integer number of milliseconds' })
  @Min(100, { message: 'DUBAN_SMTP_TIMEOUT_MS must be at least 100' })
  @Max(120000, { message: 'DUBAN_SMTP_TIMEOUT_MS must be at most 120000' })
  DUBAN_SMTP_TIMEOUT_MS = 30000;

  /** Upper bound on one webhook POST, response included. */
  @Transform(toInt)
  @IsInt({ message: 'DUBAN_WEBHOOK_TIMEOUT_MS must be an integer number of milliseconds' })
  @Min(100, { message: 'DUBAN_WEBHOOK_TIMEOUT_MS must be at least 100' })
  @Max(60000, { message: 'DUBAN_WEBHOOK_TIMEOUT_MS must be at most 60000' })
  DUBAN_WEBHOOK_TIMEOUT_MS = 10000;

  /** Local time (in each user's zone) at which the daily digest e-mail goes out. */
  @Matches(/^([01]\d|2[0-3]):[0-5]\d$/, {
    message: 'DUBAN_DIGEST_TIME must be a local time as HH:MM, e.g. 08:00',
  })
  DUBAN_DIGEST_TIME = '08:00';

  /** An unacknowledged escalation notice is re-sent after this many hours (at most 3 times). */
  @Transform(toInt)
  @IsInt({ message: 'DUBAN_ACK_CHASE_HOURS must be an integer number of hours' })
  @Min(1, { message: 'DUBAN_ACK_CHASE_HOURS must be at least 1' })
  @Max(24 * 30, { message: 'DUBAN_ACK_CHASE_HOURS must be at most 720' })
  DUBAN_ACK_CHASE_HOURS = 24;

  /**
   * Where evidence files (佐证材料) are kept, content-addressed by SHA-256: `postgres:` (the
   * default: in this service's own database, chunked), `s3://bucket/prefix?endpoint=…` or, for
   * development only, `file:///absolute/dir`.
   */
  @IsOptional()
  @Matches(/^(postgres:|s3:\/\/[^/?#]+(\/[^?#]*)?(\?[^#]*)?|file:\/\/\/[^\0?#]+)$/, {
    message:
      'DUBAN_ATTACHMENTS_URL must be postgres: (the default), s3://bucket/prefix?endpoint=…&region=… ' +
      'or file:///absolute/directory',
  })
  DUBAN_ATTACHMENTS_URL?: string;

  /**
   * Deprecated alias of DUBAN_ATTACHMENTS_URL=file://…: a directory (relative paths are taken
   * from the installation directory). Used only when DUBAN_ATTACHMENTS_URL is unset.
   */
  @IsOptional()
  @IsString({ message: 'DUBAN_ATTACHMENTS_DIR must be a directory path, e.g. .local/attachments' })
  @Matches(/^[^\0]+$/, {
    message: 'DUBAN_ATTACHMENTS_DIR must be a directory path, e.g. .local/attachments',
  })
  DUBAN_ATTACHMENTS_DIR?: string;

  /** Where categories.json and escalation-policy.json are read; default: config/ of the installation. */
  @IsOptional()
  @IsString({ message: 'DUBAN_CONFIG_DIR must be a directory path' })
  @Matches(/^[^\0]+$/, { message: 'DUBAN_CONFIG_DIR must be a directory path' })
  DUBAN_CONFIG_DIR?: string;

  @Transform(toInt)
  @IsInt({ message: 'DUBAN_ATTACHMENT_MAX_BYTES must be an integer number of bytes' })
  @Min(1, { message: 'DUBAN_ATTACHMENT_MAX_BYTES must be at least 1' })
  DUBAN_ATTACHMENT_MAX_BYTES = 20 * 1024 * 1024;

  /**
   * A separate login for the apps' pool (not a superuser, a member of duban_app); migrations
   * still run as DATABASE_URL's user. Unset: the apps log in as DATABASE_URL's user and switch
   * to duban_app on every connection.
   */
  @IsOptional()
  @Matches(/^postgres(ql)?:\/\/.+/, {
    message:
      'DUBAN_APP_DATABASE_URL must be a PostgreSQL URL, e.g. postgres://duban_login@127.0.0.1:5432/duban',
  })
  DUBAN_APP_DATABASE_URL?: string;

  /** Ed25519 private key (PEM) that signs the audit anchors; unset: no anchors are made. */
  @IsOptional()
  @IsString()
  @Matches(/^[^\0]+$/, { message: 'DUBAN_AUDIT_KEY_FILE must be a file path' })
  DUBAN_AUDIT_KEY_FILE?: string;

  /** The JSON-lines file outside the database every anchor is appended to. */
  @IsString({ message: 'DUBAN_AUDIT_ANCHOR_FILE must be a file path' })
  @Matches(/^[^\0]+$/, { message: 'DUBAN_AUDIT_ANCHOR_FILE must be a file path' })
  DUBAN_AUDIT_ANCHOR_FILE = DEFAULT_AUDIT_ANCHOR_FILE;

  /** Optional: every anchor (without its heads) is also POSTed here as JSON. */
  @IsOptional()
  @Matches(/^https?:\/\/.+/, {
    message: 'DUBAN_AUDIT_ANCHOR_WEBHOOK_URL must be an http:// or https:// URL',
  })
  DUBAN_AUDIT_ANCHOR_WEBHOOK_URL?: string;

  @Transform(toInt)
  @IsInt({ message: 'DUBAN_AUDIT_ANCHOR_INTERVAL_MS must be an integer number of milliseconds' })
  @Min(1000, { message: 'DUBAN_AUDIT_ANCHOR_INTERVAL_MS must be at least 1000' })
  DUBAN_AUDIT_ANCHOR_INTERVAL_MS = 3600_000;

  /**
   * Optional: the address people reach Duban at (e.g. https://duban.example.org), for links
   * that leave the app — calendar feed URLs and the task links inside them. Unset: the
   * address of the request asking for the URL.
   */
  @IsOptional()
  @Matches(/^https?:\/\/[^/\s]+(\/[^\s]*)?$/, {
    message: 'DUBAN_PUBLIC_URL must be an http:// or https:// URL, e.g. https://duban.example.org',
  })
  DUBAN_PUBLIC_URL?: string;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

// A value of the wrong type also fails its range checks; the type problem is the one to report.
const FIRST_CONSTRAINTS = ['isInt', 'isString'];

function flatten(errors: ValidationError[]): string[] {
  return errors.flatMap((e) => {
    if (!e.constraints) return flatten(e.children ?? []);
    const key = FIRST_CONSTRAINTS.find((k) => k in e.constraints!) ?? Object.keys(e.constraints)[0];
    return [e.constraints[key]];
  });
}

/** Reads and validates the configuration; throws ConfigError naming every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const known = Object.keys(new AppConfig()).concat([
    'DUBAN_ADMIN_USERNAME',
    'DUBAN_ADMIN_PASSWORD',
    'DUBAN_JWT_SECRET',
    'SMTP_URL',
    'DUBAN_TRUST_PROXY',
    'DUBAN_APP_DATABASE_URL',
    'DUBAN_AUDIT_KEY_FILE',
    'DUBAN_AUDIT_ANCHOR_WEBHOOK_URL',
    'DUBAN_PUBLIC_URL',
    'DUBAN_ATTACHMENTS_URL',
    'DUBAN_ATTACHMENTS_DIR',
    'DUBAN_CONFIG_DIR',
    'DUBAN_CLOCK_RATE',
    'DUBAN_CLOCK_ORIGIN',
  ]);
  const raw: Record<string, string> = {};
  for (const key of known) {
    const value = env[key];
    if (value !== undefined && value !== '') raw[key] = value;
  }
  const config = plainToInstance(AppConfig, raw);
  const problems = flatten(validateSync(config, { forbidUnknownValues: true }));
  if (problems.length > 0) throw new ConfigError(problems);
  if ((config.DUBAN_ADMIN_USERNAME === undefined) !== (config.DUBAN_ADMIN_PASSWORD === undefined)) {
    throw new ConfigError([
      'DUBAN_ADMIN_USERNAME and DUBAN_ADMIN_PASSWORD must be set together (or both left unset)',
    ]);
  }
  if ((config.DUBAN_CLOCK_RATE === undefined) !== (config.DUBAN_CLOCK_ORIGIN === undefined)) {
    throw new ConfigError(['DUBAN_CLOCK_RATE and DUBAN_CLOCK_ORIGIN must be set together']);
  }
  return config;
}

export const APP_CONFIG = Symbol('AppConfig');
