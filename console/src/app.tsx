/**
 * The console's frame: navigation (what the role may see, lib/pages.ts), language, the alarm bell,
 * the account menu, and the page of the current route. Without a session every route shows the
 * login page, which then comes back to the route asked for. While someone is logged in the tab keeps
 * one live stream open (api/live.ts) for the live wall, the alarm feed and its sound.
 */
import { useEffect, useState } from 'preact/hooks';
import type { ComponentType, JSX } from 'preact';
import { live } from './api/live.ts';
import { can, session, setSession } from './api/session.ts';
import { ChangePassword } from './pages/Users.tsx';
import { AlarmBell } from './components/AlarmBell.tsx';
import { Dialog } from './components/ui.tsx';
import { LANGS, setLang, t, useLang } from './i18n/index.ts';
import { navFor, PAGES, type PageEntry, type PageId } from './lib/pages.ts';
import { href, match, navigate, route } from './lib/router.ts';
import { useValue } from './lib/signal.ts';
import { Login } from './pages/Login.tsx';
import { Overview } from './pages/Overview.tsx';
import { Libraries } from './pages/Libraries.tsx';
import { Persons } from './pages/Persons.tsx';
import { Cameras } from './pages/Cameras.tsx';
import { Tasks } from './pages/Tasks.tsx';
import { Records } from './pages/Records.tsx';
import { Users } from './pages/Users.tsx';
import { System } from './pages/System.tsx';
import { LiveWall } from './pages/Live.tsx';
import { Alarms } from './pages/Alarms.tsx';
import { Reports } from './pages/Reports.tsx';

/**
 * The bulk import page brings the zip and CSV readers (fflate, papaparse): loaded when first opened,
 * so they are not part of the first load.
 */
function lazy(load: () => Promise<ComponentType>): ComponentType {
  let loaded: ComponentType | undefined;
  return function Lazy() {
    const [C, setC] = useState<ComponentType | undefined>(() => loaded);
    useEffect(() => { if (!C) load().then((c) => { loaded = c; setC(() => c); }); }, []);
    return C ? <C /> : <p class="muted" aria-busy="true">{t('common.loading')}</p>;
  };
}
const Import = lazy(() => import('./pages/Import.tsx').then((m) => m.Import));

const VIEWS: Record<PageId, (params: Record<string, string>) => JSX.Element> = {
  overview: () => <Overview />,
  live: () => <LiveWall />,
  alarms: () => <Alarms />,
  libraries: () => <Libraries />,
  persons: (p) => <Persons libId={Number(p.lib_id)} />,
  import: () => <Import />,
  cameras: () => <Cameras />,
  tasks: () => <Tasks />,
  records: () => <Records />,
  reports: () => <Reports />,
  users: () => <Users />,
  system: () => <System />,
};

export function App() {
  useLang();
  const s = useValue(session);
  const r = useValue(route);
  const token = s?.session;
  useEffect(() => {
    if (token) live.start(token);
    else live.stop();
  }, [token]);
  if (!s || r.path === '/login') return <Login />;
  let page: PageEntry | undefined;
  let params: Record<string, string> = {};
  for (const p of PAGES) {
    const m = match(p.path, r.path);
    if (m) { page = p; params = m; break; }
  }
  return (
    <div class="shell">
      <a class="skip" href="#main">{t('common.skip')}</a>
      <Header />
      <nav class="side" aria-label={t('nav.label')}>
        <ul>
          {navFor(s.role).map((p) => {
            const active = p.path === '/' ? r.path === '/' : r.path === p.path || r.path.startsWith(`${p.path}/`);
            return <li><a href={href(p.path)} aria-current={active ? 'page' : undefined}>{t(p.key)}</a></li>;
          })}
        </ul>
      </nav>
      <main id="main" tabIndex={-1}>
        {!page ? <p>{t('common.notFound')}</p>
          : !can(page.role, s) ? <p class="error" role="alert">{t('err.1008')}</p>
          : VIEWS[page.id](params)}
      </main>
    </div>
  );
}

function Header() {
  const lang = useLang();
  const s = useValue(session)!;
  const [pw, setPw] = useState(false);
  const logout = () => {
    // Sessions end on the server by idle time; the console forgets its own at once.
    setSession(null);
    navigate('/login', true);
  };
  return (
    <header class="top">
      <a class="brand" href={href('/')}>facewatch</a>
      <div class="top-right">
        <label class="lang">
          <span class="sr-only">{t('common.language')}</span>
          <select value={lang} onChange={(e) => setLang(e.currentTarget.value as typeof lang)} data-testid="lang">
            {LANGS.map((l) => <option value={l.lang}>{l.label}</option>)}
          </select>
        </label>
        <AlarmBell />
        <span class="user" data-testid="user">{s.username} · {t(`role.${s.role}`)}</span>
        <button type="button" onClick={() => setPw(true)}>{t('account.password')}</button>
        <button type="button" onClick={logout} data-testid="logout">{t('account.logout')}</button>
      </div>
      {pw && (
        <Dialog title={t('account.password')} onClose={() => setPw(false)}>
          <ChangePassword userId={s.user_id} onDone={() => setPw(false)} />
        </Dialog>
      )}
    </header>
  );
}
