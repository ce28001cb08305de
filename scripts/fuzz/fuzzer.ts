/**
 * A fuzzer driven by the OpenAPI document: for every operation it sends requests whose path
 * parameters, query strings and bodies are valid-looking values mutated in the ways clients and
 * attackers get wrong (wrong types, lengths, unicode edge cases including lone surrogates and
 * NUL, RTL marks and emoji, huge and negative numbers, missing and extra fields, arrays for
 * objects, deep nesting, malformed JSON), and checks the answers: never a 5xx, and every 4xx in
 * the API's error shape. Seeded, so a failure reproduces with the same seed and count.
 *
 * Used by test/e2e/fuzz.e2e-spec.ts (a small count) and `npm run fuzz -- --count N`.
 */

// --- a seeded PRNG ------------------------------------------------------------------------------

export class Rng {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0 || 1;
  }
  /** mulberry32: a uniform float in [0, 1). */
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }
}

// --- the OpenAPI document -------------------------------------------------------------------------

type Schema = {
  $ref?: string;
  type?: string;
  format?: string;
  enum?: unknown[];
  example?: unknown;
  items?: Schema;
  properties?: Record<string, Schema>;
  required?: string[];
  oneOf?: Schema[];
  anyOf?: Schema[];
  allOf?: Schema[];
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  nullable?: boolean;
};

interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required?: boolean;
  schema?: Schema;
}

export interface OpenApiDocument {
  paths: Record<string, Record<string, OperationObject>>;
  components?: { schemas?: Record<string, Schema> };
}

interface OperationObject {
  operationId?: string;
  parameters?: Parameter[];
  requestBody?: { content?: Record<string, { schema?: Schema }> };
}

export interface Operation {
  method: string;
  path: string;
  id: string;
  parameters: Parameter[];
  jsonBody?: Schema;
  multipart?: Schema;
}

const METHODS = ['get', 'post', 'put', 'patch', 'delete'];

export function operationsOf(doc: OpenApiDocument): Operation[] {
  const ops: Operation[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const method of METHODS) {
      const op = item[method];
      if (!op) continue;
      const content = op.requestBody?.content ?? {};
      ops.push({
        method: method.toUpperCase(),
        path,
        id: `${method.toUpperCase()} ${path}`,
        parameters: op.parameters ?? [],
        jsonBody: content['application/json']?.schema,
        multipart: content['multipart/form-data']?.schema,
      });
    }
  }
  return ops;
}

// --- values ---------------------------------------------------------------------------------------

/** Known-good ids the fuzzer may put in paths and bodies, by kind. */
export type KnownIds = Partial<Record<string, string[]>>;

const UNICODE_EDGES = [
  '\ud800',
  '\udfff',
  'a\ud83d',
  '\ude00b',
  '\u0000',
  'x\u0000y',
  '\u200f\u202eمرحبا\u202c',
  '😀👨‍👩‍👧‍👦',
  '\ufeff',
  '\u200b\u200c\u200d',
  'e\u0301\u0301\u0301',
  '𠮷野家',
  '\uffff\ufffe',
  '\u2028\u2029',
  '\r\n\t',
  "'; DROP TABLE tasks; --",
  '%00',
  '../../etc/passwd',
  '<script>alert(1)</script>',
  '${jndi:ldap://x}',
  '督办'.repeat(3000),
];

const HUGE_NUMBERS = [
  1e20,
  2 ** 53 + 2,
  -(2 ** 53) - 2,
  -1,
  0,
  -0.5,
  1.5,
  2 ** 31,
  -(2 ** 31) - 1,
  2 ** 63,
  Number.MAX_VALUE,
  Number.MIN_VALUE,
];

/** Written as raw JSON text (JSON.stringify cannot produce them). */
const RAW_NUMBERS = ['1e400', '-1e400', '99999999999999999999999', '1e-400', '-0'];

const QUERY_EDGES = [
  '99999999999999999999',
  '9007199254740993',
  '1e400',
  '-1',
  '0',
  '1.5',
  'NaN',
  'Infinity',
  '',
  'true',
  '%ED%A0%80',
  '%C0%80',
  '%FF%FE',
  '%00',
  '%',
  '%E0%A4%A',
  '%F0%9F%98%80',
  '%E2%80%AE',
  encodeURIComponent('督办'.repeat(500)),
  '2026-13-45',
  '2026-02-30T25:61:00Z',
  '0000-01-01',
  '9999-12-31',
  'P99999999Y',
  'not-a-uuid',
  '00000000-0000-0000-0000-000000000000',
  'ffffffff-ffff-ffff-ffff-ffffffffffff',
];

const PATH_EDGES = [
  'not-a-uuid',
  '00000000-0000-0000-0000-000000000000',
  '3f2b8c1e-0000-4000-8000-000000000001',
  '%ED%A0%80',
  '%00',
  '%E0%A4%A',
  '%25',
  '1%27%20OR%201=1',
  '99999999999999999999',
  '-1',
  '%F0%9F%98%80',
  'a'.repeat(3000),
  '2027-02-30',
  '2027-01-01',
  '..%2F..%2F',
];

/** Percent-encoded UTF-8; a lone surrogate (which UTF-8 cannot carry) as its CESU-8 bytes. */
function encodeText(text: string): string {
  return text.replace(/[\s\S]/gu, (ch) => {
    try {
      return encodeURIComponent(ch);
    } catch {
      const c = ch.charCodeAt(0);
      const bytes = [0xe0 | (c >> 12), 0x80 | ((c >> 6) & 0x3f), 0x80 | (c & 0x3f)];
      return bytes.map((b) => `%${b.toString(16).toUpperCase()}`).join('');
    }
  });
}

function randomUuid(rng: Rng): string {
  const hex = () => rng.int(0, 15).toString(16);
  const part = (n: number) => Array.from({ length: n }, hex).join('');
  return `${part(8)}-${part(4)}-4${part(3)}-8${part(3)}-${part(12)}`;
}

export class ValueMaker {
  constructor(
    private readonly rng: Rng,
    private readonly doc: OpenApiDocument,
    private readonly ids: KnownIds,
  ) {}

  resolve(schema: Schema | undefined, depth = 0): Schema {
    let s = schema ?? {};
    for (let i = 0; s.$ref && i < 10; i++) {
      const name = s.$ref.split('/').pop() ?? '';
      s = this.doc.components?.schemas?.[name] ?? {};
    }
    if (s.allOf && depth < 5) {
      const merged: Schema = { type: 'object', properties: {}, required: [] };
      for (const part of s.allOf) {
        const r = this.resolve(part, depth + 1);
        Object.assign(merged.properties!, r.properties ?? {});
        merged.required!.push(...(r.required ?? []));
      }
      return merged;
    }
    return s;
  }

  /** An id of the kind a field or parameter name suggests, sometimes a random one. */
  idFor(name: string, context = ''): string {
    const n = `${context} ${name}`.toLowerCase();
    const kinds: [RegExp, string][] = [
      [/extension/, 'extension'],
      [/accountability|case/, 'case'],
      [/notification/, 'notification'],
      [/delegation/, 'delegation'],
      [/attachment/, 'attachment'],
      [/task/, 'task'],
      [/problem/, 'problem'],
      [/org|parent/, 'org'],
      [/user|deputy|leader|responsible/, 'user'],
    ];
    const kind = kinds.find(([re]) => re.test(n))?.[1];
    const pool = kind ? this.ids[kind] : undefined;
    if (pool?.length && this.rng.chance(0.85)) return this.rng.pick(pool);
    return randomUuid(this.rng);
  }

  /** A value that satisfies the schema as far as the document says. */
  valid(schema: Schema | undefined, name = '', depth = 0): unknown {
    const s = this.resolve(schema);
    if (depth > 6) return null;
    const alternatives = s.oneOf ?? s.anyOf;
    if (alternatives?.length) return this.valid(this.rng.pick(alternatives), name, depth + 1);
    if (s.enum?.length) return this.rng.pick(s.enum);
    if (s.example !== undefined && this.rng.chance(0.6)) return s.example;
    switch (s.type) {
      case 'integer':
      case 'number': {
        const min = s.minimum ?? 0;
        const n = this.rng.int(min, Math.min(s.maximum ?? min + 100, min + 100));
        return s.type === 'number' && this.rng.chance(0.1) ? n + 0.5 : n;
      }
      case 'boolean':
        return this.rng.chance(0.5);
      case 'array': {
        const n = this.rng.int(0, 3);
        return Array.from({ length: n }, () => this.valid(s.items, name, depth + 1));
      }
      case 'object':
      case undefined: {
        if (!s.properties) return s.type === 'object' ? {} : 'x';
        const out: Record<string, unknown> = {};
        for (const [key, prop] of Object.entries(s.properties)) {
          if ((s.required ?? []).includes(key) || this.rng.chance(0.5)) {
            out[key] = this.valid(prop, key, depth + 1);
          }
        }
        return out;
      }
      default:
        return this.validString(s, name);
    }
  }

  private validString(s: Schema, name: string): string {
    switch (s.format) {
      case 'uuid':
        return this.idFor(name);
      case 'date-time':
        return new Date(Date.now() + this.rng.int(1, 300) * 86400_000).toISOString();
      case 'date':
        return new Date(Date.now() + this.rng.int(1, 300) * 86400_000).toISOString().slice(0, 10);
      case 'email':
        return `u${this.rng.int(0, 1e6)}@example.org`;
      case 'uri':
        return `https://example.org/hook/${this.rng.int(0, 1e6)}`;
      default: {
        if (/id$/i.test(name)) return this.idFor(name);
        const known = this.ids[name];
        if (known?.length) return this.rng.pick(known);
        const text = this.rng.pick([
          '整改',
          '督办测试',
          'abc',
          '第一支部',
          `fuzz.${this.rng.int(0, 1e9)}`,
        ]);
        const min = s.minLength ?? (/password/i.test(name) ? 12 : 1);
        return text.padEnd(min, 'x').slice(0, s.maxLength ?? 10_000);
      }
    }
  }

  /** A number at or past the edges: huge, negative, fractional, or raw text like 1e400. */
  number(): unknown {
    return this.rng.chance(0.7)
      ? this.rng.pick(HUGE_NUMBERS)
      : { $raw: this.rng.pick(RAW_NUMBERS) };
  }

  /** Something wrong for any schema. */
  wrong(depth = 0): unknown {
    const r = this.rng.int(0, 13);
    switch (r) {
      case 0:
        return this.rng.pick(UNICODE_EDGES);
      case 1:
        return this.rng.pick(HUGE_NUMBERS);
      case 2:
        return null;
      case 3:
        return this.rng.chance(0.5);
      case 4:
        return [];
      case 5:
        return {};
      case 6:
        return [this.wrong(depth + 1), this.wrong(depth + 1)];
      case 7:
        return { x: this.wrong(depth + 1), __proto__x: 1, constructor: 'y' };
      case 8:
        return deep(this.rng.int(10, 200), this.rng.chance(0.5));
      case 9:
        return 'x'.repeat(this.rng.pick([0, 1, 255, 256, 2001, 10001, 100_000]));
      case 10:
        return randomUuid(this.rng);
      case 11:
        return this.rng.pick(QUERY_EDGES);
      case 12:
        return `${this.rng.pick(['整改', 'a', ''])}${this.rng.pick(UNICODE_EDGES)}`;
      default:
        return { $raw: this.rng.pick(RAW_NUMBERS) };
    }
  }
}

function deep(n: number, arrays: boolean): unknown {
  let v: unknown = 1;
  for (let i = 0; i < n; i++) v = arrays ? [v] : { a: v };
  return v;
}

/** Every path to a value inside a JSON value, for picking where to mutate. */
function pathsOf(
  value: unknown,
  prefix: (string | number)[] = [],
  out: (string | number)[][] = [],
) {
  if (out.length > 200) return out;
  if (Array.isArray(value)) {
    value.forEach((v, i) => {
      out.push([...prefix, i]);
      pathsOf(v, [...prefix, i], out);
    });
  } else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      out.push([...prefix, k]);
      pathsOf(v, [...prefix, k], out);
    }
  }
  return out;
}

function setAt(root: unknown, path: (string | number)[], v: unknown, remove = false): void {
  let cur = root as Record<string | number, unknown>;
  for (const key of path.slice(0, -1)) cur = cur[key] as Record<string | number, unknown>;
  const last = path[path.length - 1];
  if (remove) {
    if (Array.isArray(cur)) cur.splice(Number(last), 1);
    else delete cur[last];
  } else {
    cur[last] = v;
  }
}

/** JSON text, with `{ $raw: "1e400" }` placeholders written as raw number text. */
function toJsonText(value: unknown): string {
  return JSON.stringify(value).replace(/\{"\$raw":"([^"]*)"\}/g, '$1');
}

// --- requests -------------------------------------------------------------------------------------

export interface FuzzRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string | FormData;
  /** A short description of what was sent, for reports. */
  describe: string;
}

export interface Tokens {
  admin: string;
  /** A plain member, responsible for the seeded tasks. */
  member: string;
  /** A supervisor of the raising committee (raises problems, checks, verifies). */
  supervisor?: string;
}

export class RequestMaker {
  private readonly values: ValueMaker;
  constructor(
    private readonly rng: Rng,
    doc: OpenApiDocument,
    ids: KnownIds,
    private readonly tokens: Tokens,
  ) {
    this.values = new ValueMaker(rng, doc, ids);
  }

  /** A request for `op`; `intact` keeps it unmutated (for bursts of identical requests). */
  make(op: Operation, intact = false): FuzzRequest {
    this.intact = intact;
    const rng = this.rng;
    const headers: Record<string, string> = {};
    const who = rng.next();
    const supervisor = this.tokens.supervisor ?? this.tokens.admin;
    if (who < 0.4) headers.authorization = `Bearer ${this.tokens.admin}`;
    else if (who < 0.7) headers.authorization = `Bearer ${this.tokens.member}`;
    else if (who < 0.95) headers.authorization = `Bearer ${supervisor}`;
    else if (who < 0.97) headers.authorization = `Bearer ${this.tokens.admin.slice(0, -3)}abc`;
    if (rng.chance(0.04)) {
      headers['if-match'] = String(
        rng.pick([1, 2, '"3"', 'abc', '99999999999999999999', '-1', '1e400', '*', '']),
      );
    }

    // Path: each parameter valid (a known id of the right kind) or mutated.
    const segments = op.path.split('/');
    let url = segments
      .map((seg, i) => {
        const m = /^\{(.+)\}$/.exec(seg);
        if (!m) return seg;
        const name = m[1];
        if (this.intact || rng.chance(0.85)) {
          if (/date/i.test(name)) return rng.pick(['2027-01-01', '2027-10-01', '2027-02-13']);
          return this.values.idFor(name, segments[i - 1] ?? '');
        }
        return rng.pick(PATH_EDGES);
      })
      .join('/');

    // Query: a valid value for some parameters, and (half the time) exactly one of them
    // mutated, so that the mutation is what the server has to deal with.
    const query: string[] = [];
    const params = op.parameters.filter((x) => x.in === 'query');
    const mutated = params.length && !this.intact && rng.chance(0.5) ? rng.pick(params).name : null;
    for (const p of params) {
      if (p.name === mutated) {
        const r = rng.next();
        if (r < 0.75) query.push(`${encodeURIComponent(p.name)}=${rng.pick(QUERY_EDGES)}`);
        else if (r < 0.85) query.push(`${p.name}=1&${p.name}=2`);
        else if (r < 0.9) query.push(`${p.name}[a]=${rng.pick(QUERY_EDGES)}`);
        else {
          const text = `${String(this.values.valid(p.schema, p.name))}${rng.pick(UNICODE_EDGES)}`;
          query.push(`${encodeURIComponent(p.name)}=${encodeText(text)}`);
        }
        continue;
      }
      if (!p.required && rng.chance(0.5)) continue;
      const v = this.values.valid(p.schema, p.name);
      const text = typeof v === 'object' ? JSON.stringify(v) : String(v);
      query.push(`${encodeURIComponent(p.name)}=${encodeURIComponent(text)}`);
    }
    if (rng.chance(0.1)) query.push(`${rng.pick(['x', '__proto__', 'constructor', '%00'])}=1`);
    if (query.length) url += `?${query.join('&')}`;

    let body: string | FormData | undefined;
    let what = '';
    if (op.multipart) {
      body = this.multipart(op);
      what = 'multipart';
    } else if (op.jsonBody || (op.method !== 'GET' && op.method !== 'DELETE')) {
      const r = rng.next();
      if (r < 0.05 && !this.intact) {
        body = rng.pick(['{', '{"a":', '[1,2', 'null', '"x"', '1', '[]', '{"a":1}}', '\u0000']);
        headers['content-type'] = 'application/json';
        what = 'malformed json';
      } else if (r < 0.08 && !this.intact) {
        body = 'a=1&b=%ED%A0%80&c=%00';
        headers['content-type'] = rng.pick([
          'application/x-www-form-urlencoded',
          'text/plain',
          'application/json; charset=utf-16',
        ]);
        what = 'wrong content type';
      } else {
        const value = this.body(op.jsonBody);
        body = toJsonText(value);
        headers['content-type'] = 'application/json';
        what = 'json';
      }
    }
    const shown = typeof body === 'string' ? body.slice(0, 300) : what;
    return {
      method: op.method,
      url,
      headers,
      body,
      describe: `${op.method} ${url.slice(0, 300)} ${shown}`,
    };
  }

  private intact = false;

  private body(schema: Schema | undefined): unknown {
    const rng = this.rng;
    const base = this.values.valid(schema);
    if (this.intact) return base;
    const r = rng.next();
    if (r < 0.1) return base; // mostly-valid requests reach deeper code
    if (r < 0.15) return this.values.wrong(); // array / scalar / deep for the whole body
    const root = { v: base };
    const mutations = rng.chance(0.75) ? 1 : rng.int(2, 3);
    for (let i = 0; i < mutations; i++) {
      const paths = pathsOf(root.v, ['v']);
      const kind = rng.next();
      if (kind < 0.1) {
        // an extra field where there is an object
        const objects = [['v'], ...paths].filter((p) => {
          let cur: unknown = root;
          for (const k of p) cur = (cur as Record<string | number, unknown>)?.[k];
          return cur !== null && typeof cur === 'object' && !Array.isArray(cur);
        });
        if (objects.length) {
          const at = rng.pick(objects);
          setAt(
            root,
            [...at, rng.pick(['extra', 'x\ud800', '__proto__', 'id', '😀'])],
            this.values.wrong(),
          );
        }
      } else if (kind < 0.2 && paths.length) {
        setAt(root, rng.pick(paths), undefined, true); // missing field
      } else if (kind < 0.5 && paths.length) {
        // a text edge case inside an otherwise valid string (or number) value
        const at = rng.pick(paths);
        let cur: unknown = root;
        for (const k of at) cur = (cur as Record<string | number, unknown>)?.[k];
        if (typeof cur === 'string') setAt(root, at, `${cur}${rng.pick(UNICODE_EDGES)}`);
        else if (typeof cur === 'number') setAt(root, at, this.values.number());
        else setAt(root, at, this.values.wrong());
      } else if (paths.length) {
        setAt(root, rng.pick(paths), this.values.wrong());
      } else {
        root.v = this.values.wrong();
      }
    }
    return root.v;
  }

  private multipart(op: Operation): FormData {
    const rng = this.rng;
    const form = new FormData();
    const s = this.values.resolve(op.multipart);
    for (const [key, prop] of Object.entries(s.properties ?? {})) {
      const p = this.values.resolve(prop);
      if (p.format === 'binary') {
        if (rng.chance(0.15)) continue;
        const bytes = rng.pick([
          'hello',
          '%PDF-1.4\n%\u00e2\u00e3\n',
          'PK\u0003\u0004garbage',
          '\u0000'.repeat(10),
          '',
        ]);
        const name = rng.pick([
          'a.pdf',
          '整改.xlsx',
          'x\u202egpj.exe',
          '../../x.txt',
          'a'.repeat(300),
        ]);
        form.append(rng.chance(0.9) ? key : 'other', new Blob([bytes]), name);
      } else if (rng.chance(0.6)) {
        form.append(key, String(rng.chance(0.5) ? this.values.valid(p, key) : this.values.wrong()));
      }
    }
    if (rng.chance(0.2)) form.append(rng.pick(['extra', 'taskId']), String(this.values.wrong()));
    return form;
  }
}

// --- the run --------------------------------------------------------------------------------------

export interface Failure {
  request: string;
  status: number;
  problem: string;
  body: string;
}

export interface FuzzResult {
  seed: number;
  requests: number;
  byStatus: Record<number, number>;
  /** Statuses by operation (`METHOD /path`), to see which ones the mutations reach into. */
  byOperation: Record<string, Record<number, number>>;
  fiveHundreds: number;
  /** 400s without `errors[]` (allowed, but every 400 should name its field). */
  badRequestsWithoutFields: number;
  failures: Failure[];
  healthAfter: number;
}

export interface FuzzOptions {
  baseUrl: string;
  doc: OpenApiDocument;
  seed: number;
  count: number;
  tokens: Tokens;
  ids: KnownIds;
  /** Requests in flight at once. */
  concurrency?: number;
  /** Operations (by `METHOD /path` regexp) that do real work: sent at most this share. */
  heavy?: { pattern: RegExp; share: number };
  /** Operations never sent (e.g. ones that would end the run's own session). */
  skip?: RegExp;
  log?: (line: string) => void;
  /** Log the first few requests and answers of each operation and status (to tune the fuzzer). */
  samples?: number;
}

/** What a 4xx body must look like; null when it does. */
export function errorShapeProblem(status: number, body: unknown): string | null {
  if (body === null || typeof body !== 'object') return 'body is not a JSON object';
  const b = body as Record<string, unknown>;
  if (b.statusCode !== status) return `statusCode ${String(b.statusCode)} ≠ ${status}`;
  if (typeof b.error !== 'string' || !b.error) return 'no error';
  if (typeof b.message !== 'string' || !b.message) return 'no message';
  if (typeof b.code !== 'string' || !/^[a-z][a-z0-9]*(_[a-z0-9]+)*$/.test(b.code)) {
    return `code ${JSON.stringify(b.code)} is not lower_snake_case`;
  }
  if (b.errors !== undefined) {
    if (!Array.isArray(b.errors)) return 'errors is not an array';
    for (const e of b.errors as Record<string, unknown>[]) {
      if (typeof e?.field !== 'string' || typeof e?.message !== 'string') {
        return 'an errors[] entry without field and message';
      }
    }
  }
  return null;
}

export async function runFuzz(o: FuzzOptions): Promise<FuzzResult> {
  const rng = new Rng(o.seed);
  const log = o.log ?? (() => undefined);
  const skip = o.skip;
  const ops = operationsOf(o.doc).filter((op) => !skip?.test(op.id));
  const maker = new RequestMaker(rng, o.doc, o.ids, o.tokens);
  const result: FuzzResult = {
    seed: o.seed,
    requests: 0,
    byStatus: {},
    byOperation: {},
    fiveHundreds: 0,
    badRequestsWithoutFields: 0,
    failures: [],
    healthAfter: 0,
  };
  // The requests are made up front, in order, so the seed alone decides them.
  const requests: (FuzzRequest & { op: string; copies: number })[] = [];
  for (let i = 0; i < o.count; i++) {
    let op = ops[i % ops.length];
    if (o.heavy?.pattern.test(op.id) && !rng.chance(o.heavy.share)) {
      op = rng.pick(ops.filter((x) => !o.heavy!.pattern.test(x.id)));
    }
    // Now and then a burst: the same unmutated request 8 times at once (races: unique
    // violations, lost updates, deadlocks).
    if (op.method !== 'GET' && !op.multipart && rng.chance(0.03) && i + 8 <= o.count) {
      requests.push({ ...maker.make(op, true), op: op.id, copies: 8 });
      i += 7;
    } else {
      requests.push({ ...maker.make(op), op: op.id, copies: 1 });
    }
  }
  let next = 0;
  const send = async (req: FuzzRequest & { op: string }): Promise<void> => {
    let status: number;
    let text: string;
    try {
      const res = await fetch(o.baseUrl + req.url, {
        method: req.method,
        headers: req.headers,
        body: req.body,
        signal: AbortSignal.timeout(30_000),
      });
      status = res.status;
      text = await res.text();
    } catch (e) {
      status = 599;
      text = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    }
    result.requests++;
    result.byStatus[status] = (result.byStatus[status] ?? 0) + 1;
    const perOp = (result.byOperation[req.op] ??= {});
    perOp[status] = (perOp[status] ?? 0) + 1;
    if (o.samples && perOp[status] <= o.samples) {
      log(`· ${status} ${req.describe.slice(0, 400)}\n    → ${text.slice(0, 300)}`);
    }
    let problem: string | null = null;
    if (status >= 500) {
      result.fiveHundreds++;
      problem = `status ${status}`;
    } else if (status >= 400) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = null;
      }
      problem = errorShapeProblem(status, parsed);
      if (status === 400 && !problem && !Array.isArray((parsed as { errors?: unknown }).errors)) {
        result.badRequestsWithoutFields++;
        if (o.samples)
          log(`· 400 without errors[]: ${req.describe.slice(0, 200)} → ${text.slice(0, 200)}`);
      }
    }
    if (problem) {
      const failure = { request: req.describe, status, problem, body: text.slice(0, 500) };
      result.failures.push(failure);
      if (result.failures.length <= 50) log(`✗ ${problem}: ${req.describe}\n    → ${failure.body}`);
    }
  };
  const worker = async () => {
    while (next < requests.length) {
      const req = requests[next++];
      if (req.copies === 1) await send(req);
      else {
        // A FormData body can be sent once only: bursts are of JSON requests.
        const copies = typeof req.body === 'string' || req.body === undefined ? req.copies : 1;
        await Promise.all(Array.from({ length: copies }, () => send(req)));
      }
    }
  };
  await Promise.all(Array.from({ length: o.concurrency ?? 4 }, worker));
  const health = await fetch(`${o.baseUrl}/health`).catch(() => null);
  result.healthAfter = health?.status ?? 0;
  return result;
}
