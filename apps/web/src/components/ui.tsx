import { useCallback, useEffect, useRef, useState, type ReactNode } from 'react';
import { ApiError } from '../api';
import { LIGHT_LABEL, LIGHT_MEANING, STATE_LABEL } from '../labels';
import type { Light, TaskState } from '../types';

export function LightBadge({ light }: { light: Light }) {
  return (
    <span className={`light light-${light}`} title={LIGHT_MEANING[light]} data-light={light}>
      <span className="dot" aria-hidden="true" />
      {LIGHT_LABEL[light]}
    </span>
  );
}

export function StateBadge({ state }: { state: TaskState }) {
  return (
    <span className={`state state-${state}`} data-state={state}>
      {STATE_LABEL[state]}
    </span>
  );
}

export function LevelBadge({ level, name }: { level: number; name?: string }) {
  if (!level) return <span className="muted">未升级</span>;
  return (
    <span className="level" data-level={level}>
      {level}级{name ? ` ${name}` : ''}
    </span>
  );
}

/** What went wrong, in the server's words when it gave them. */
/**
 * The API's refusal as it said it (zh-CN). A stale version (someone changed the record since it
 * was shown) offers to load it again in place, when the page passes `onReload`.
 */
export function ErrorBox({ error, onReload }: { error: unknown; onReload?: () => void }) {
  if (!error) return null;
  const stale = error instanceof ApiError && error.code === 'stale_version';
  const message = error instanceof Error ? error.message : String(error);
  const status = error instanceof ApiError ? error.status : 0;
  const prefix =
    status === 403
      ? '无权操作：'
      : status === 409
        ? '状态已变化：'
        : status === 400
          ? '填写有误：'
          : status === 404
            ? '未找到：'
            : '';
  const fields = error instanceof ApiError ? error.fieldErrors : [];
  return (
    <div className="error" role="alert">
      <strong>{prefix || '出错了：'}</strong>
      <span className="api-message">{message}</span>
      {fields.length > 1 && (
        <ul>
          {fields.map((f) => (
            <li key={f.field + f.message}>{f.message}</li>
          ))}
        </ul>
      )}
      {stale && onReload && (
        <p>
          <button type="button" className="primary" onClick={onReload}>
            刷新为最新内容
          </button>{' '}
          <span className="muted">刷新后请确认内容再办理。</span>
        </p>
      )}
    </div>
  );
}

export function Loading({ what = '加载中' }: { what?: string }) {
  return (
    <p className="muted" role="status">
      {what}…
    </p>
  );
}

/** Loads data on mount and whenever `deps` change; `reload` fetches again. */
export function useAsync<T>(
  load: () => Promise<T>,
  deps: unknown[],
): { data: T | undefined; error: unknown; loading: boolean; reload: () => void } {
  const [state, setState] = useState<{ data?: T; error?: unknown; loading: boolean }>({
    loading: true,
  });
  const [tick, setTick] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;
  useEffect(() => {
    let live = true;
    setState((s) => ({ ...s, loading: true }));
    loadRef
      .current()
      .then((data) => live && setState({ data, loading: false }))
      .catch((error: unknown) => live && setState({ error, loading: false }));
    return () => {
      live = false;
    };
  }, [...deps, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { data: state.data, error: state.error, loading: state.loading, reload };
}

export function Section({
  title,
  children,
  count,
  id,
}: {
  title: string;
  children: ReactNode;
  count?: number;
  id?: string;
}) {
  const headingId = `${id ?? title}-heading`;
  return (
    <section className="card" aria-labelledby={headingId} id={id}>
      <h2 id={headingId}>
        {title}
        {count !== undefined && <span className="count">{count}</span>}
      </h2>
      {children}
    </section>
  );
}

export function Pager({
  page,
  pageSize,
  total,
  onPage,
}: {
  page: number;
  pageSize: number;
  total: number;
  onPage: (page: number) => void;
}) {
  const pages = Math.max(1, Math.ceil(total / pageSize));
  return (
    <nav className="pager" aria-label="分页">
      <button type="button" disabled={page <= 1} onClick={() => onPage(page - 1)}>
        上一页
      </button>
      <span>
        第 {page} / {pages} 页，共 {total} 条
      </span>
      <button type="button" disabled={page >= pages} onClick={() => onPage(page + 1)}>
        下一页
      </button>
    </nav>
  );
}
