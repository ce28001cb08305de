// The only way the workspace talks to the server: the public v1 API with a bearer token.

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

type Query = Record<string, string | number | boolean | undefined | null>;

export function withQuery(path: string, query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v !== undefined && v !== null && v !== '') params.set(k, String(v));
  }
  const s = params.toString();
  return s ? `${path}?${s}` : path;
}

interface RequestOptions {
  method?: string;
  body?: unknown;
  query?: Query;
  ifMatch?: number;
}

async function send(path: string, options: RequestOptions = {}): Promise<Response> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (token) headers.Authorization = `Bearer ${token}`;
  if (options.ifMatch !== undefined) headers['If-Match'] = String(options.ifMatch);
  let body: BodyInit | undefined;
  if (options.body instanceof FormData) {
    body = options.body;
  } else if (options.body !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(options.body);
  }
  let res: Response;
  try {
    res = await fetch(`/api/v1${withQuery(path, options.query)}`, {
      method: options.method ?? 'GET',
      headers,
      body,
    });
  } catch {
    throw new ApiError(0, '无法连接服务器，请检查网络后重试');
  }
  if (res.status === 401 && token) {
    unauthorizedListeners.forEach((l) => l());
  }
  if (!res.ok) {
    let message = `请求失败（${res.status}）`;
    let fieldErrors: { field: string; message: string }[] = [];
    let payload: Record<string, unknown> = {};
    try {
      payload = (await res.json()) as Record<string, unknown>;
      if (typeof payload.message === 'string') message = payload.message;
      else if (Array.isArray(payload.message)) message = payload.message.join('; ');
      if (Array.isArray(payload.errors)) {
        fieldErrors = payload.errors as { field: string; message: string }[];
      }
    } catch {
      // not JSON: keep the status line
    }
    throw new ApiError(res.status, message, fieldErrors, payload);
  }
  return res;
}

export async function api<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const res = await send(path, options);
  if (res.status === 204) return undefined as T;
  return (await res.json()) as T;
}

/** The bytes of an attachment: downloads need the bearer token, so they go through fetch. */
export async function fetchBlob(path: string): Promise<Blob> {
  const res = await send(path);
  return res.blob();
}

/** A file the server names in Content-Disposition (RFC 6266, filename* first). */
export async function fetchFile(
  path: string,
  query: Query = {},
): Promise<{ blob: Blob; fileName: string | null }> {
  const res = await send(path, { query });
  const cd = res.headers.get('Content-Disposition') ?? '';
  const star = /filename\*=UTF-8''([^;]+)/i.exec(cd);
  const plain = /filename="?([^";]+)"?/i.exec(cd);
  const fileName = star ? decodeURIComponent(star[1]) : plain ? plain[1] : null;
  return { blob: await res.blob(), fileName };
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
