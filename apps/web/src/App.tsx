import { useCallback, useEffect, useRef, useState, type ReactNode } from 'react';
import { ROLE_LABEL } from './labels';
import { AdminPage } from './pages/AdminPage';
import { CampaignBoardPage } from './pages/CampaignBoardPage';
import { CampaignListPage } from './pages/CampaignListPage';
import { AssessmentListPage, AssessmentPage } from './pages/AssessmentPage';
import { CasePage } from './pages/CasePage';
import { CommitmentsPage } from './pages/CommitmentsPage';
import { DashboardPage } from './pages/DashboardPage';
import { NegativeListPage, ReinspectionsPage } from './pages/FollowupPages';
import { InboxPage } from './pages/InboxPage';
import { LoginPage } from './pages/LoginPage';
import { MyWorkPage } from './pages/MyWorkPage';
import { NewCampaignPage } from './pages/NewCampaignPage';
import { PolicyPage } from './pages/PolicyPage';
import { ProblemDetailPage } from './pages/ProblemDetailPage';
import { ProblemListPage } from './pages/ProblemListPage';
import { RaiseProblemPage } from './pages/RaiseProblemPage';
import { ReviewListPage, ReviewPage } from './pages/ReviewPages';
import { SettingsPage } from './pages/SettingsPage';
import { TaskDetailPage } from './pages/TaskDetailPage';
import { TaskListPage } from './pages/TaskListPage';
import { Link, match, navigate, useLocation } from './router';
import { useSession } from './session';
import { Loading } from './components/ui';

const NAV: { to: string; label: string; prefix: string }[] = [
  { to: '/my-work', label: '待办', prefix: '/my-work' },
  { to: '/dashboard', label: '督办看板', prefix: '/dashboard' },
  { to: '/problems', label: '问题清单', prefix: '/problems' },
  { to: '/tasks', label: '任务清单', prefix: '/tasks' },
  { to: '/problems/new', label: '立项交办', prefix: '/problems/new' },
  { to: '/campaigns', label: '督查', prefix: '/campaigns' },
  { to: '/policy', label: '升级规则', prefix: '/policy' },
  { to: '/commitments', label: '承诺', prefix: '/commitments' },
  { to: '/reviews', label: '述职评议', prefix: '/reviews' },
  { to: '/assessments', label: '考核', prefix: '/assessments' },
  { to: '/reinspections', label: '回头看', prefix: '/reinspections' },
  { to: '/negative-list', label: '负面清单', prefix: '/negative-list' },
  { to: '/people', label: '人员与组织', prefix: '/people' },
];

/**
 * The main menu; on a phone it is one row that scrolls sideways, and a fade with an arrow at
 * the edge says there is more (tapping the arrow scrolls on).
 */
function MainNav({ children }: { children: ReactNode }) {
  const nav = useRef<HTMLElement>(null);
  const [more, setMore] = useState({ left: false, right: false });
  const measure = useCallback(() => {
    const el = nav.current;
    if (!el) return;
    const left = el.scrollLeft > 2;
    const right = el.scrollLeft + el.clientWidth < el.scrollWidth - 2;
    setMore((m) => (m.left === left && m.right === right ? m : { left, right }));
  }, []);
  useEffect(() => {
    measure();
    window.addEventListener('resize', measure);
    return () => window.removeEventListener('resize', measure);
  }, [measure]);
  const scroll = (direction: 1 | -1) =>
    nav.current?.scrollBy({ left: direction * nav.current.clientWidth * 0.7, behavior: 'smooth' });
  return (
    <div
      className="mainnav-wrap"
      data-more-left={more.left || undefined}
      data-more-right={more.right || undefined}
    >
      {more.left && (
        <button
          type="button"
          className="nav-more left"
          aria-label="菜单向左滑动"
          data-testid="nav-more-left"
          onClick={() => scroll(-1)}
        >
          ‹
        </button>
      )}
      <nav className="mainnav" aria-label="主导航" ref={nav} onScroll={measure}>
        {children}
      </nav>
      {more.right && (
        <button
          type="button"
          className="nav-more right"
          aria-label="更多菜单，向右滑动"
          data-testid="nav-more"
          onClick={() => scroll(1)}
        >
          ›
        </button>
      )}
    </div>
  );
}

function Header() {
  const { me, unread, logout } = useSession();
  const { path } = useLocation();
  if (!me) return null;
  const roles = me.roles.map((r) =>
    r.orgId ? `${r.orgName ?? ''}·${ROLE_LABEL[r.role] ?? r.role}` : ROLE_LABEL[r.role],
  );
  if (me.systemAdmin && !me.roles.some((r) => r.role === 'admin')) roles.unshift('系统管理员');
  const current = (prefix: string) =>
    prefix === '/problems'
      ? path === '/problems' || (path.startsWith('/problems/') && path !== '/problems/new')
      : path.startsWith(prefix);
  return (
    <header className="topbar">
      <div className="brand">
        <Link to="/my-work" className="logo">
          督办
        </Link>
        <span className="tagline">整改督办工作台</span>
      </div>
      <MainNav>
        {NAV.map((n) => (
          <Link key={n.to} to={n.to} aria-current={current(n.prefix) ? 'page' : undefined}>
            {n.label}
          </Link>
        ))}
      </MainNav>
      <div className="who">
        <Link
          to="/inbox"
          className="inbox-link"
          aria-label={`通知，${unread} 条未读`}
          data-testid="inbox-link"
        >
          通知
          <span className={unread ? 'badge' : 'badge zero'} data-testid="unread-count">
            {unread}
          </span>
        </Link>
        <span className="user" data-testid="current-user">
          <strong>{me.displayName}</strong>
          <span className="roles" data-testid="current-roles">
            {roles.join('；')}
          </span>
        </span>
        <Link to="/settings">设置</Link>
        <button
          type="button"
          className="link-button"
          onClick={() => {
            logout();
            navigate('/login');
          }}
        >
          退出
        </button>
      </div>
    </header>
  );
}

function Routes() {
  const { path, query } = useLocation();
  const table: [string, (p: Record<string, string>) => ReactNode][] = [
    ['/my-work', () => <MyWorkPage />],
    ['/dashboard', () => <DashboardPage />],
    ['/problems', () => <ProblemListPage />],
    ['/problems/new', () => <RaiseProblemPage />],
    ['/problems/:id', (p) => <ProblemDetailPage id={p.id} />],
    ['/tasks', () => <TaskListPage />],
    ['/tasks/:id', (p) => <TaskDetailPage id={p.id} />],
    ['/cases/:id', (p) => <CasePage id={p.id} />],
    ['/campaigns', () => <CampaignListPage />],
    ['/campaigns/new', () => <NewCampaignPage />],
    ['/campaigns/:id', (p) => <CampaignBoardPage id={p.id} />],
    ['/policy', () => <PolicyPage />],
    ['/reinspections', () => <ReinspectionsPage />],
    ['/negative-list', () => <NegativeListPage />],
    ['/inbox', () => <InboxPage />],
    ['/settings', () => <SettingsPage />],
    ['/commitments', () => <CommitmentsPage />],
    ['/commitments/public', () => <CommitmentsPage publicView />],
    ['/reviews', () => <ReviewListPage />],
    ['/reviews/:id', (p) => <ReviewPage id={p.id} />],
    ['/assessments', () => <AssessmentListPage />],
    ['/assessments/:id', (p) => <AssessmentPage id={p.id} />],
    ['/people', () => <AdminPage />],
  ];
  for (const [pattern, render] of table) {
    const params = match(pattern, path);
    // A new address is a new page: filters and forms start from what the address says.
    if (params) return <div key={`${path}?${query}`}>{render(params)}</div>;
  }
  return (
    <div className="card">
      <h1>页面不存在</h1>
      <p>
        <Link to="/my-work">回到待办</Link>
      </p>
    </div>
  );
}

export function App() {
  const { me, loading, refreshUnread } = useSession();
  const location = useLocation();
  useEffect(() => {
    if (!loading && !me && location.path !== '/login') {
      const back = location.path + (location.query.toString() ? `?${location.query}` : '');
      navigate(`/login?next=${encodeURIComponent(back)}`, { replace: true });
    }
    if (!loading && me && (location.path === '/' || location.path === '/login')) {
      navigate(location.query.get('next') || '/my-work', { replace: true });
    }
  }, [loading, me, location]);
  // The unread count follows the user around: fetched once on every page (the session itself
  // does not fetch it, so a sign-in or a reload asks once, not twice).
  const signedIn = me?.id;
  useEffect(() => {
    if (signedIn) refreshUnread();
  }, [signedIn, location.path, refreshUnread]);

  if (loading) return <Loading what="正在登录" />;
  if (!me) return location.path === '/login' ? <LoginPage /> : null;
  return (
    <>
      <a className="skip" href="#main">
        跳到正文
      </a>
      <Header />
      <main id="main" tabIndex={-1}>
        <Routes />
      </main>
    </>
  );
}
