import { useState } from 'react';
import { call, client } from '../api';
import { ErrorBox, Loading, Pager, useAsync } from '../components/ui';
import { formatDateTime } from '../format';
import { NOTIFICATION_KIND_LABEL, label } from '../labels';
import { Link, navigate, useLocation } from '../router';
import { useSession } from '../session';
import type { Notification } from '../types';

export function InboxPage() {
  const { refreshUnread } = useSession();
  const { query } = useLocation();
  const unreadOnly = query.get('unread') === 'true';
  const page = Number(query.get('page') ?? 1) || 1;
  const list = useAsync(
    () =>
      call(
        client.GET('/api/v1/notifications', {
          params: { query: { unread: unreadOnly || undefined, page, pageSize: 50 } },
        }),
      ),
    [unreadOnly, page],
  );
  const [error, setError] = useState<unknown>(null);
  const [status, setStatus] = useState<string | null>(null);

  async function markRead(n: Notification) {
    setError(null);
    try {
      await call(
        client.POST('/api/v1/notifications/{id}/read', { params: { path: { id: n.id } } }),
      );
      list.reload();
      refreshUnread();
    } catch (e) {
      setError(e);
    }
  }

  async function readAll() {
    setError(null);
    try {
      const r = await call(client.POST('/api/v1/notifications/read-all'));
      setStatus(
        `已标记 ${r.updated} 条为已读` +
          (r.awaitingAcknowledgement
            ? `；${r.awaitingAcknowledgement} 条督办通知须逐条打开确认`
            : ''),
      );
      list.reload();
      refreshUnread();
    } catch (e) {
      setError(e);
    }
  }

  return (
    <div className="page">
      <h1>通知</h1>
      <div className="toolbar">
        <label className="check">
          <input
            type="checkbox"
            checked={unreadOnly}
            onChange={(e) => navigate(e.target.checked ? '/inbox?unread=true' : '/inbox')}
          />
          只看未读
        </label>
        <button type="button" onClick={readAll}>
          全部标为已读
        </button>
        <Link to="/settings">通知设置</Link>
      </div>
      <div aria-live="polite">
        {status && (
          <p className="ok" role="status">
            {status}
          </p>
        )}
      </div>
      <ErrorBox error={error ?? list.error} />
      {list.loading && !list.data && <Loading />}
      {list.data && (
        <section className="card" aria-label="通知列表">
          {list.data.items.length === 0 ? (
            <p className="muted">{unreadOnly ? '没有未读通知' : '暂无通知'}</p>
          ) : (
            <ul className="inbox">
              {list.data.items.map((n) => {
                const taskId = typeof n.data?.taskId === 'string' ? n.data.taskId : null;
                return (
                  <li
                    key={n.id}
                    className={n.readAt ? 'notice read' : 'notice unread'}
                    data-notification-id={n.id}
                    data-kind={n.kind}
                  >
                    <div className="notice-head">
                      <span className="tag">{label(NOTIFICATION_KIND_LABEL, n.kind)}</span>
                      {n.urgent && <span className="tag danger">紧急</span>}
                      <strong>{n.title}</strong>
                    </div>
                    <p className="prewrap">{n.body}</p>
                    <div className="notice-foot muted">
                      <time dateTime={n.createdAt}>{formatDateTime(n.createdAt)}</time>
                      {n.chaseCount > 0 && <span> · 已催读 {n.chaseCount} 次</span>}
                      {n.readAt ? (
                        <span className="read-receipt"> · 已阅于 {formatDateTime(n.readAt)}</span>
                      ) : (
                        <span> · 未读</span>
                      )}
                      {taskId && (
                        <>
                          {' · '}
                          <Link
                            to={`/tasks/${taskId}`}
                            onClick={() => !n.readAt && void markRead(n)}
                          >
                            查看任务
                          </Link>
                        </>
                      )}
                      {!n.readAt && (
                        <button type="button" className="link-button" onClick={() => markRead(n)}>
                          {n.requiresAck ? '确认已阅' : '标为已读'}
                        </button>
                      )}
                    </div>
                  </li>
                );
              })}
            </ul>
          )}
          <Pager
            page={page}
            pageSize={50}
            total={list.data.total}
            onPage={(p) => navigate(`/inbox?${unreadOnly ? 'unread=true&' : ''}page=${p}`)}
          />
        </section>
      )}
    </div>
  );
}
