/**
 * Accounts (admins): add, change a password, delete. The list needs /QueryUserList (issue 10; the
 * customer document has no way to list accounts): until the server has it, accounts are addressed by
 * their id. Anyone changes their own password from the header (ChangePassword).
 */
import { useState } from 'preact/hooks';
import { call, hasUri, query } from '../api/client.ts';
import { session, setSession } from '../api/session.ts';
import type { User } from '../api/types.ts';
import { Problem } from '../api/errors.ts';
import { FormDialog } from '../components/FormDialog.tsx';
import { Dialog, ErrorText, Field, NotAvailable, PagedTable } from '../components/ui.tsx';
import { useAction } from '../lib/actions.ts';
import { t } from '../i18n/index.ts';
import { useAsync } from '../lib/hooks.ts';
import { md5Hex } from '../lib/md5.ts';
import { navigate } from '../lib/router.ts';

/** New password twice, old password (the API wants it, also for other accounts today). */
export function ChangePassword(props: { userId?: number; self?: boolean; onDone: () => void }) {
  const [error, setError] = useState<unknown>();
  const [done, setDone] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget as HTMLFormElement);
    const userId = props.userId ?? Number(f.get('user_id'));
    setError(undefined);
    setDone(false);
    try {
      if (f.get('password') !== f.get('password2')) throw new Problem(t('users.mismatch'));
      await call('/UpdateUser', { user_id: userId, old_password: md5Hex(String(f.get('old_password'))), password: md5Hex(String(f.get('password'))) });
      // a password change ends that user's sessions, the caller's own included
      if (userId === session.value?.user_id) {
        setSession(null);
        navigate('/login', true);
        return;
      }
      setDone(true);
      props.onDone();
    } catch (err) {
      setError(err);
    }
  };
  return (
    <form class="form" onSubmit={submit}>
      {props.userId === undefined && <Field label={t('users.id')}><input name="user_id" type="number" min={1} required /></Field>}
      <Field label={t('users.oldPassword')}><input name="old_password" type="password" required autoComplete={props.self ? 'current-password' : 'off'} /></Field>
      <Field label={t('users.newPassword')}><input name="password" type="password" required minLength={6} autoComplete="new-password" /></Field>
      <Field label={t('users.repeatPassword')}><input name="password2" type="password" required minLength={6} autoComplete="new-password" /></Field>
      <ErrorText error={error} />
      {done && <p class="notice" role="status">{t('common.saved')}</p>}
      <div class="form-actions"><button class="primary" type="submit">{t('users.change')}</button></div>
    </form>
  );
}

export function Users() {
  const listed = useAsync(() => hasUri('/QueryUserList'), []);
  const [page, setPage] = useState(1);
  const [size, setSize] = useState(20);
  const users = useAsync((signal) => (listed.data ? query<User>('/QueryUserList', { page_no: page, page_size: size }, signal) : Promise.resolve(undefined)), [listed.data, page, size]);
  const [adding, setAdding] = useState(false);
  const [passwordOf, setPasswordOf] = useState<number | null>(null);
  const [message, setMessage] = useState('');
  const action = useAction(users.reload);
  const remove = (userId: number, name = `#${userId}`) => {
    setMessage('');
    return action.run(async () => {
      await call('/DeleteUser', { user_id: userId });
      setMessage(t('users.deleted', { name }));
    }, t('users.confirmDelete', { name }));
  };

  return (
    <section aria-labelledby="users-title">
      <div class="page-head">
        <h1 id="users-title">{t('nav.users')}</h1>
        <button class="primary" type="button" onClick={() => setAdding(true)}>{t('users.add')}</button>
      </div>
      <ErrorText error={action.error ?? users.error} />
      {message && <p class="notice" role="status">{message}</p>}
      {listed.data === false && (
        <>
          <NotAvailable what={t('users.list')} uris={['/QueryUserList']} />
          <div class="two-col">
            <div class="panel">
              <h2>{t('users.changeOf')}</h2>
              <ChangePassword onDone={() => setMessage(t('common.saved'))} />
            </div>
            <div class="panel">
              <h2>{t('users.deleteById')}</h2>
              <form class="form" onSubmit={(e) => { e.preventDefault(); remove(Number(new FormData(e.currentTarget as HTMLFormElement).get('user_id'))); }}>
                <Field label={t('users.id')}><input name="user_id" type="number" min={1} required /></Field>
                <div class="form-actions"><button class="danger" type="submit">{t('common.delete')}</button></div>
              </form>
            </div>
          </div>
        </>
      )}
      {listed.data && (
        <PagedTable
          testId="users" data={users.data} cols={6} page={page} size={size} onPage={(p, s) => { setPage(p); setSize(s); }}
          head={<><th>ID</th><th>{t('common.name')}</th><th>{t('users.role')}</th><th>{t('common.remark')}</th><th>{t('common.created')}</th><th><span class="sr-only">{t('common.actions')}</span></th></>}
          row={(u) => (
            <tr>
              <td>{u.user_id}</td><td>{u.name}</td><td>{u.role ? t(`role.${u.role as 'admin'}`) : ''}</td><td>{u.remark}</td><td class="nowrap">{u.create_time}</td>
              <td class="actions">
                <button type="button" onClick={() => setPasswordOf(u.user_id)}>{t('users.change')}</button>
                <button type="button" class="danger" onClick={() => remove(u.user_id, u.name)}>{t('common.delete')}</button>
              </td>
            </tr>
          )}
        />
      )}
      {adding && <AddUser roles={!!listed.data} onClose={() => setAdding(false)} onDone={(msg) => { setAdding(false); setMessage(msg); users.reload(); }} />}
      {passwordOf !== null && (
        <Dialog title={t('users.change')} onClose={() => setPasswordOf(null)}>
          <ChangePassword userId={passwordOf} onDone={() => { setPasswordOf(null); setMessage(t('common.saved')); }} />
        </Dialog>
      )}
    </section>
  );
}

function AddUser(props: { roles: boolean; onClose: () => void; onDone: (msg: string) => void }) {
  return (
    <FormDialog title={t('users.add')} onClose={props.onClose} onSubmit={async (f) => {
      if (f.get('password') !== f.get('password2')) throw new Problem(t('users.mismatch'));
      const name = String(f.get('name'));
      const r = await call<{ user_id: number }>('/RegisterUser', {
        name, password: md5Hex(String(f.get('password'))), remark: String(f.get('remark') ?? ''), ...(props.roles ? { role: f.get('role') } : {}),
      });
      props.onDone(t('users.added', { name, id: r.user_id }));
    }}>
      <Field label={t('common.name')}><input name="name" required maxLength={128} autoFocus autoComplete="off" /></Field>
      {props.roles && (
        <Field label={t('users.role')}>
          {/* the server's default role; `selected` on the option, as Preact leaves a select's defaultValue unapplied */}
          <select name="role">
            <option value="viewer">{t('role.viewer')}</option><option value="operator" selected>{t('role.operator')}</option><option value="admin">{t('role.admin')}</option>
          </select>
        </Field>
      )}
      <Field label={t('users.newPassword')}><input name="password" type="password" required minLength={6} autoComplete="new-password" /></Field>
      <Field label={t('users.repeatPassword')}><input name="password2" type="password" required minLength={6} autoComplete="new-password" /></Field>
      <Field label={t('common.remark')} wide><input name="remark" maxLength={1024} /></Field>
    </FormDialog>
  );
}
