import { useState, type FormEvent } from 'react';
import { ApiError } from '../api';
import { ErrorBox } from '../components/ui';
import { navigate, useLocation } from '../router';
import { useSession } from '../session';

export function LoginPage() {
  const { login } = useSession();
  const { query } = useLocation();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await login(username.trim(), password);
      navigate(query.get('next') || '/my-work', { replace: true });
    } catch (err) {
      setError(
        err instanceof ApiError && err.status === 401
          ? new Error('用户名或密码不正确')
          : err instanceof ApiError && err.status === 429
            ? new Error('失败次数过多，请稍后再试')
            : err,
      );
    } finally {
      setBusy(false);
    }
  }

  return (
    <main className="login" id="main">
      <form className="card login-card" onSubmit={submit} aria-labelledby="login-title">
        <h1 id="login-title">督办 · 整改督办工作台</h1>
        <p className="muted">问题有人管、整改有期限、逾期有升级、销号有验收。</p>
        <label>
          用户名
          <input
            name="username"
            autoComplete="username"
            value={username}
            onChange={(e) => setUsername(e.target.value)}
            required
            autoFocus
          />
        </label>
        <label>
          密码
          <input
            name="password"
            type="password"
            autoComplete="current-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            required
          />
        </label>
        <ErrorBox error={error} />
        <button type="submit" className="primary" disabled={busy}>
          {busy ? '正在登录…' : '登录'}
        </button>
      </form>
    </main>
  );
}
