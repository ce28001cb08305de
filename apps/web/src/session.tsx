import { createContext, useCallback, useContext, useEffect, useState, type ReactNode } from 'react';
import { call, client, getToken, onUnauthorized, setToken } from './api';
import { clearCaches } from './directory';
import { dateInBeijing } from './format';
import type { Me, Role } from './types';

interface Session {
  me: Me | null;
  loading: boolean;
  unread: number;
  login: (username: string, password: string) => Promise<void>;
  logout: () => void;
  refreshUnread: () => void;
}

const SessionContext = createContext<Session | null>(null);

/** How far the service's clock is from this browser's (from the last /me). */
let serverOffsetMs = 0;

function learnClock(me: Me): Me {
  serverOffsetMs = Date.parse(me.now) - Date.now();
  return me;
}

/**
 * Today in Beijing time by the service's clock (the one deadlines are checked against), not the
 * browser's: forms refuse a deadline before it, as the server will.
 */
export function serverToday(): string {
  return dateInBeijing(new Date(Date.now() + serverOffsetMs));
}

export function SessionProvider({ children }: { children: ReactNode }) {
  const [me, setMe] = useState<Me | null>(null);
  const [loading, setLoading] = useState(Boolean(getToken()));
  const [unread, setUnread] = useState(0);

  const logout = useCallback(() => {
    setToken(null);
    clearCaches();
    setMe(null);
    setUnread(0);
  }, []);

  const refreshUnread = useCallback(() => {
    if (!getToken()) return;
    call(client.GET('/api/v1/notifications', { params: { query: { unread: true, pageSize: 1 } } }))
      .then((p) => setUnread(p.total))
      .catch(() => undefined);
  }, []);

  useEffect(() => onUnauthorized(logout), [logout]);

  useEffect(() => {
    if (!getToken()) return;
    call(client.GET('/api/v1/me'))
      .then((m) => setMe(learnClock(m)))
      .catch(() => logout())
      .finally(() => setLoading(false));
  }, [logout]);

  const login = useCallback(async (username: string, password: string) => {
    const res = await call(client.POST('/api/v1/auth/login', { body: { username, password } }));
    clearCaches();
    setToken(res.accessToken);
    setMe(learnClock(res.user));
    // The unread count is fetched by the page that follows (App), once.
  }, []);

  return (
    <SessionContext.Provider value={{ me, loading, unread, login, logout, refreshUnread }}>
      {children}
    </SessionContext.Provider>
  );
}

export function useSession(): Session {
  const s = useContext(SessionContext);
  if (!s) throw new Error('useSession outside SessionProvider');
  return s;
}

/** The signed-in user (pages below the login only). */
export function useMe(): Me {
  const { me } = useSession();
  if (!me) throw new Error('not signed in');
  return me;
}

/** Org ids where the user holds one of `roles`, without duplicates, in the order /me lists them. */
export function orgsWithRole(me: Me, roles: Role[]): { id: string; name: string }[] {
  const seen = new Map<string, string>();
  for (const r of me.roles) {
    if (r.orgId && roles.includes(r.role) && !seen.has(r.orgId)) {
      seen.set(r.orgId, r.orgName ?? r.orgId);
    }
  }
  return [...seen].map(([id, name]) => ({ id, name }));
}
