/**
 * The console's frame: navigation (what the role may see), language, the account menu, and the page
 * of the current route. Without a session every route shows the login page, which then comes back
 * to the route asked for.
 */
import { useEffect, useState } from 'preact/hooks';
import type { ComponentType } from 'preact';
import { can, session, setSession, type Role } from './api/session.ts';
import { ChangePassword } from './pages/Users.tsx';
import { Dialog } from './components/ui.tsx';
import { LANGS, setLang, t, useLang, type Key } from './i18n/index.ts';
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
import { LiveWall, Alarms, Reports } from './pages/Later.tsx';

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

type Page = { path: string; key: Key; role: Role; view: (params: Record<string, string>) => preact.JSX.Element; nav?: boolean };

const PAGES: Page[] = [
  { path: '/', key: 'nav.overview', role: 'viewer', view: () => <Overview />, nav: true },
  { path: '/live', key: 'nav.live', role: 'viewer', view: () => <LiveWall />, nav: true },
  { path: '/alarms', key: 'nav.alarms', role: 'viewer', view: () => <Alarms />, nav: true },
  { path: '/libraries', key: 'nav.libraries', role: 'viewer', view: () => <Libraries />, nav: true },
  { path: '/libraries/:lib_id', key: 'nav.libraries', role: 'viewer', view: (p) => <Persons libId={Number(p.lib_id)} /> },
  { path: '/import', key: 'nav.import', role: 'operator', view: () => <Import />, nav: true },
  { path: '/cameras', key: 'nav.cameras', role: 'viewer', view: () => <Cameras />, nav: true },
  { path: '/tasks', key: 'nav.tasks', role: 'viewer', view: () => <Tasks />, nav: true },
  { path: '/records', key: 'nav.records', role: 'viewer', view: () => <Records />, nav: true },
  { path: '/reports', key: 'nav.reports', role: 'viewer', view: () => <Reports />, nav: true },
  { path: '/users', key: 'nav.users', role: 'admin', view: () => <Users />, nav: true },
  { path: '/system', key: 'nav.system', role: 'admin', view: () => <System />, nav: true },
];

export function App() {
  useLang();
  const s = useValue(session);
  const r = useValue(route);
  if (!s || r.path === '/login') return <Login />;
  let page: Page | undefined;
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
          {PAGES.filter((p) => p.nav && can(p.role, s)).map((p) => {
            const active = p.path === '/' ? r.path === '/' : r.path === p.path || r.path.startsWith(`${p.path}/`);
            return <li><a href={href(p.path)} aria-current={active ? 'page' : undefined}>{t(p.key)}</a></li>;
          })}
        </ul>
      </nav>
      <main id="main" tabIndex={-1}>
        {!page ? <p>{t('common.notFound')}</p>
          : !can(page.role, s) ? <p class="error" role="alert">{t('err.1008')}</p>
          : page.view(params)}
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
        <span class="user" data-testid="user">{s.username} · {t(`role.${s.role}`)}</span>
        <button type="button" onClick={() => setPw(true)}>{t('account.password')}</button>
        <button type="button" onClick={logout} data-testid="logout">{t('account.logout')}</button>
      </div>
      {pw && (
        <Dialog title={t('account.password')} onClose={() => setPw(false)}>
          <ChangePassword userId={s.user_id} self onDone={() => setPw(false)} />
        </Dialog>
      )}
    </header>
  );
}
