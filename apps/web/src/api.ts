// The only way the workspace talks to the server: the public v1 API with a bearer token, through
// a client typed by the OpenAPI document.
import createClient from 'openapi-fetch';
import type { components, paths } from './generated/api';

const TOKEN_KEY = 'duban.token';

/** An answer other than 2xx, carrying the API's own message (it says what was wrong and why). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly fieldErrors: { field: string; message: string }[] = [],
    /** The whole error body, for errors that carry more (e.g. an import's row report). */
    readonly body: Record<string, unknown> = {},
  ) {
    super(message);
  }

  /** The API's stable name of the failure (`stale_version`, `conflict_of_interest`, …). */
  get code(): string | undefined {
    return typeof this.body.code === 'string' ? this.body.code : undefined;
  }
}

let token: string | null = sessionStorage.getItem(TOKEN_KEY);
const unauthorizedListeners = new Set<() => void>();

export function getToken(): string | null {
  return token;
}

export function setToken(value: string | null): void {
  token = value;
  if (value) sessionStorage.setItem(TOKEN_KEY, value);
  else sessionStorage.removeItem(TOKEN_KEY);
}

/** Called when the server says the token is no longer good (expired, account disabled). */
export function onUnauthorized(listener: () => void): () => void {
  unauthorizedListeners.add(listener);
  return () => unauthorizedListeners.delete(listener);
}

type Query = Record<string, unknown>;

/** The query string of a request: empty values are left out (a filter that is not set). */
export function serializeQuery(query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    for (const one of Array.isArray(v) ? v : [v]) {
      if (one !== undefined && one !== null && one !== '') params.append(k, String(one));
    }
  }
  return params.toString();
}

/**
 * The typed client of the v1 API: paths, parameters, bodies and answers are the OpenAPI
 * document's (types generated into ./generated/api.ts by `npm run openapi`).
 */
export const client = createClient<paths>({ baseUrl: '', querySerializer: serializeQuery });

client.use({
  onRequest({ request }) {
    request.headers.set('Accept', request.headers.get('Accept') ?? 'application/json');
    if (token) request.headers.set('Authorization', `Bearer ${token}`);
    return request;
  },
  onResponse({ response }) {
    if (response.status === 401 && token) unauthorizedListeners.forEach((l) => l());
    return response;
  },
});

type ErrorBody = components['schemas']['ErrorBody'];

/** What the client answers: the data, or the error body (openapi-fetch's FetchResponse). */
interface Answer<D> {
  data?: D;
  error?: unknown;
  response: Response;
}

async function settle<D>(pending: Promise<Answer<D>>): Promise<Answer<D>> {
  let answer: Answer<D>;
  try {
    answer = await pending;
  } catch {
    throw new ApiError(0, '无法连接服务器，请检查网络后重试');
  }
  if (!answer.response.ok) {
    const status = answer.response.status;
    const body = (
      typeof answer.error === 'object' && answer.error !== null ? answer.error : {}
    ) as Partial<ErrorBody> & Record<string, unknown>;
    const message =
      typeof body.message === 'string' && body.message ? body.message : `请求失败（${status}）`;
    const fieldErrors = Array.isArray(body.errors)
      ? body.errors.map((e) => ({ field: e.field, message: e.message ?? '' }))
      : [];
    throw new ApiError(status, message, fieldErrors, body);
  }
  return answer;
}

/** The data of a typed call, or an ApiError with the API's own message. */
export async function call<D>(pending: Promise<Answer<D>>): Promise<D> {
  return (await settle(pending)).data as D;
}

/** A file the server names in Content-Disposition (RFC 6266, filename* first). */
export async function callFile(
  pending: Promise<Answer<Blob>>,
): Promise<{ blob: Blob; fileName: string | null }> {
  const answer = await settle(pending);
  const cd = answer.response.headers.get('Content-Disposition') ?? '';
  const star = /filename\*=UTF-8''([^;]+)/i.exec(cd);
  const plain = /filename="?([^";]+)"?/i.exec(cd);
  const fileName = star ? decodeURIComponent(star[1]) : plain ? plain[1] : null;
  return { blob: answer.data as Blob, fileName };
}

/** If-Match for a task write: the version the task was read at. */
export function ifMatch(version: number): { 'If-Match': string } {
  return { 'If-Match': String(version) };
}

/** Hands a blob to the browser as a download. */
export function saveBlob(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/** Runs `fn` over `items` with at most `limit` requests in flight. */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]);
    }
  });
  await Promise.all(workers);
  return results;
}

/**
 * A multipart body. The document types a file field as a string (`format: binary`); the browser
 * sends the FormData as it is, with its own boundary.
 */
export function multipart(form: FormData): { body: never; bodySerializer: () => FormData } {
  return { body: Object.fromEntries(form) as never, bodySerializer: () => form };
}

/** The bytes of an attachment: downloads need the bearer token, so they go through the client. */
export function attachmentBytes(id: string): Promise<Blob> {
  return call(
    client.GET('/api/v1/attachments/{id}', { params: { path: { id } }, parseAs: 'blob' }),
  );
}

/**
 * The query of a GET, for filters read back from the page's own URL: their values are the
 * strings the API listed (the server still validates them).
 */
export type QueryOf<P extends keyof paths> = paths[P] extends {
  get: { parameters: { query?: infer Q } };
}
  ? NonNullable<Q>
  : never;

/** A pending typed call (what `client.GET(...)` and the others return). */
export type Pending = Promise<Answer<unknown>>;

/**
 * Filters read back from the page's own URL, as the query of `path`: strings that the server
 * validates (a wrong one is its 400), not values the workspace chose.
 */
export function fromUrl<P extends keyof paths>(
  _path: P,
  values: Record<string, unknown>,
): QueryOf<P> {
  return values as QueryOf<P>;
}
