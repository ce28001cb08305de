import { DEFAULT_TIME_ZONE, isValidTimeZone, localDateOf, localTimeOf } from '#duban/domain';

/** A notice as people read it: a one-line title and a plain-text body (zh-CN). */
export interface RenderedNotice {
  title: string;
  body: string;
}

/**
 * Reads a template's parameters. A missing or malformed parameter is a bug in the engine
 * that asked for the notice, so it throws with the kind and the parameter's name.
 */
export class TemplateParams {
  constructor(
    private readonly kind: string,
    private readonly params: Record<string, unknown>,
  ) {}

  private fail(name: string, expected: string): never {
    throw new Error(`notification '${this.kind}': params.${name} must be ${expected}`);
  }

  text(name: string): string {
    const v = this.params[name];
    if (typeof v !== 'string' || v.trim() === '') this.fail(name, 'a non-empty string');
    return v.trim();
  }

  optionalText(name: string): string | undefined {
    const v = this.params[name];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'string') this.fail(name, 'a string when given');
    return v.trim() || undefined;
  }

  int(name: string): number {
    const v = this.params[name];
    if (typeof v !== 'number' || !Number.isInteger(v)) this.fail(name, 'an integer');
    return v;
  }

  optionalInt(name: string): number | undefined {
    const v = this.params[name];
    if (v === undefined || v === null) return undefined;
    return this.int(name);
  }

  optionalBool(name: string): boolean | undefined {
    const v = this.params[name];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'boolean') this.fail(name, 'true or false when given');
    return v;
  }

  /** An ISO 8601 instant (or a Date), e.g. a task's dueAt. */
  instant(name: string): Date {
    const v = this.params[name];
    const d = typeof v === 'string' ? new Date(v) : v instanceof Date ? v : undefined;
    if (!d || Number.isNaN(d.getTime())) this.fail(name, 'an ISO 8601 instant');
    return d;
  }

  optionalInstant(name: string): Date | undefined {
    const v = this.params[name];
    if (v === undefined || v === null) return undefined;
    return this.instant(name);
  }

  /** The zone dates are shown in: params.timeZone, else the default (Asia/Shanghai). */
  timeZone(): string {
    const v = this.params['timeZone'];
    if (v === undefined || v === null) return DEFAULT_TIME_ZONE;
    if (typeof v !== 'string' || !knownZone(v)) this.fail('timeZone', 'an IANA time zone');
    return v;
  }

  /** A quarter label such as '2026Q4', shown as 2026年第四季度. */
  quarter(name: string): string {
    const v = this.params[name];
    if (typeof v !== 'string' || !QUARTER.test(v)) {
      this.fail(name, "a quarter such as '2026Q4'");
    }
    return quarterLabel(v);
  }

  /** A non-empty list of objects, each read by `item`. */
  list<T>(name: string, item: (p: TemplateParams, index: number) => T): T[] {
    const v = this.params[name];
    if (!Array.isArray(v) || v.length === 0) this.fail(name, 'a non-empty array');
    return v.map((entry: unknown, i) => {
      if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
        this.fail(`${name}[${i}]`, 'an object');
      }
      return item(new TemplateParams(this.kind, entry as Record<string, unknown>), i);
    });
  }

  /** A list of objects that may be missing or empty (then []), each read by `item`. */
  optionalList<T>(name: string, item: (p: TemplateParams, index: number) => T): T[] {
    const v = this.params[name];
    if (v === undefined || v === null || (Array.isArray(v) && v.length === 0)) return [];
    return this.list(name, item);
  }
}

const QUARTER = /^\d{4}Q[1-4]$/;
const QUARTER_NAMES = ['一', '二', '三', '四'];

export function quarterLabel(label: string): string {
  const m = /^(\d{4})Q([1-4])$/.exec(label);
  return m ? `${m[1]}年第${QUARTER_NAMES[Number(m[2]) - 1]}季度` : label;
}

const pad = (n: number) => String(n).padStart(2, '0');

/*
 * A quarterly fan-out renders 10^4 notices with the same few dates and one zone; Intl
 * formatting is the slow part of rendering, so zones and formatted instants are remembered.
 */
const zones = new Set<string>();
function knownZone(zone: string): boolean {
  if (zones.has(zone)) return true;
  if (!isValidTimeZone(zone)) return false;
  zones.add(zone);
  return true;
}

const MEMO_LIMIT = 10_000;
const formatted = new Map<string, string>();
function memo(key: string, format: () => string): string {
  let value = formatted.get(key);
  if (value === undefined) {
    if (formatted.size >= MEMO_LIMIT) formatted.clear();
    value = format();
    formatted.set(key, value);
  }
  return value;
}

/** 2026年12月31日 23:59, in the given zone. */
export function formatDateTime(instant: Date, timeZone: string): string {
  return memo(`t|${timeZone}|${instant.getTime()}`, () => {
    const t = localTimeOf(instant, timeZone);
    return `${formatDate(instant, timeZone)} ${pad(t.hour)}:${pad(t.minute)}`;
  });
}

/** 2026年12月31日, in the given zone. */
export function formatDate(instant: Date, timeZone: string): string {
  return memo(`d|${timeZone}|${instant.getTime()}`, () => {
    const [y, m, d] = localDateOf(instant, timeZone).split('-').map(Number);
    return `${y}年${m}月${d}日`;
  });
}

/** Long lists are cut in a notice; the full list is one click away in the app. */
export const MAX_LISTED = 50;

export function numberedList(lines: string[]): string {
  const shown = lines.slice(0, MAX_LISTED).map((line, i) => `${i + 1}. ${line}`);
  if (lines.length > MAX_LISTED) shown.push(`……等共${lines.length}项，详见督办系统。`);
  return shown.join('\n');
}
