/** Login: the password is MD5-hashed here (the API takes the MD5 hex); back to `next` afterwards. */
import { useState } from 'preact/hooks';
import { call } from '../api/client.ts';
import { roleOf, setSession } from '../api/session.ts';
import { ErrorText } from '../components/ui.tsx';
import { LANGS, setLang, t, useLang } from '../i18n/index.ts';
import { md5Hex } from '../lib/md5.ts';
import { navigate, route } from '../lib/router.ts';

/** Only console routes are followed after login (never another site). */
const safeNext = (next: string | null): string => (next && next.startsWith('/') && !next.startsWith('//') && next !== '/login' ? next : '/');

export function Login() {
  const lang = useLang();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const expired = route.value.query.has('next');

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const r = await call<{ user_id: number; session: string; role?: string }>('/Login', { username: username.trim(), password: md5Hex(password) });
      setSession({ session: r.session, user_id: r.user_id, username: username.trim(), role: roleOf(r) });
      navigate(safeNext(route.value.query.get('next')), true);
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };

  return (
    <main class="login" id="main">
      <form onSubmit={submit} aria-labelledby="login-title">
        <h1 id="login-title">facewatch</h1>
        <p class="muted">{t('login.subtitle')}</p>
        {expired && !error && <p class="notice" role="status">{t('login.expired')}</p>}
        <label class="field">
          <span class="label">{t('login.username')}</span>
          <input name="username" autoComplete="username" required autoFocus value={username} onInput={(e) => setUsername(e.currentTarget.value)} />
        </label>
        <label class="field">
          <span class="label">{t('login.password')}</span>
          <input name="password" type="password" autoComplete="current-password" required value={password} onInput={(e) => setPassword(e.currentTarget.value)} />
        </label>
        <ErrorText error={error} />
        <button class="primary" type="submit" disabled={busy}>{busy ? t('common.wait') : t('login.submit')}</button>
        <div class="login-lang">
          {LANGS.map((l) => (
            <button type="button" class="link" aria-pressed={lang === l.lang} onClick={() => setLang(l.lang)}>{l.label}</button>
          ))}
        </div>
      </form>
    </main>
  );
}
