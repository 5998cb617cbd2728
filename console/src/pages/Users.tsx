/**
 * Accounts (admins): the list with roles (/QueryUserList, name search, server paging), add with a
 * role, change a role, reset a password, delete. An admin resets another account's password without
 * its old one, which also lifts that account's login locks (docs/security.md): the way back in for a
 * locked-out user. Anyone changes their own password from the header (ChangePassword, old password
 * needed). The server refuses demoting or deleting the last admin (LAST_ADMIN, shown in words).
 */
import { useState } from 'preact/hooks';
import { call, query } from '../api/client.ts';
import { session, setSession } from '../api/session.ts';
import type { User } from '../api/types.ts';
import { Problem } from '../api/errors.ts';
import { FormDialog } from '../components/FormDialog.tsx';
import { Dialog, ErrorText, Field, NameSearch, PagedTable } from '../components/ui.tsx';
import { useAction } from '../lib/actions.ts';
import { t } from '../i18n/index.ts';
import { useAsync } from '../lib/hooks.ts';
import { md5Hex } from '../lib/md5.ts';
import { ROLES, type Role } from '../lib/roles.ts';
import { listParams, navigate } from '../lib/router.ts';

/**
 * A new password twice; the old one when it is the caller's own (the server wants it; a wrong one
 * counts toward the lockout). An admin resetting another account sends none.
 */
export function ChangePassword(props: { userId: number; onDone: () => void }) {
  const self = props.userId === session.value?.user_id;
  const [error, setError] = useState<unknown>();
  const submit = async (e: Event) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget as HTMLFormElement);
    setError(undefined);
    try {
      if (f.get('password') !== f.get('password2')) throw new Problem(t('users.mismatch'));
      await call('/UpdateUser', {
        user_id: props.userId, password: md5Hex(String(f.get('password'))), ...(self ? { old_password: md5Hex(String(f.get('old_password'))) } : {}),
      });
      // a password change ends that user's sessions, the caller's own included
      if (self) {
        setSession(null);
        navigate('/login', true);
        return;
      }
      props.onDone();
    } catch (err) {
      setError(err);
    }
  };
  return (
    <form class="form" onSubmit={submit} data-testid="password-form">
      {self
        ? <Field label={t('users.oldPassword')}><input name="old_password" type="password" required autoComplete="current-password" /></Field>
        : <p class="hint">{t('users.resetHint')}</p>}
      <Field label={t('users.newPassword')}><input name="password" type="password" required minLength={6} autoComplete="new-password" /></Field>
      <Field label={t('users.repeatPassword')}><input name="password2" type="password" required minLength={6} autoComplete="new-password" /></Field>
      <ErrorText error={error} />
      <div class="form-actions"><button class="primary" type="submit">{self ? t('users.change') : t('users.reset')}</button></div>
    </form>
  );
}

function RoleSelect(props: { value?: Role }) {
  return (
    <select name="role" defaultValue={props.value ?? 'operator'}>
      {/* `selected` on the option: Preact leaves a select's defaultValue unapplied on first render */}
      {ROLES.map((r) => <option value={r} selected={r === (props.value ?? 'operator')}>{t(`role.${r}`)}</option>)}
    </select>
  );
}

export function Users() {
  const { params, page, size, set } = listParams('/users');
  const name = params.name ?? '';
  const users = useAsync((signal) => query<User>('/QueryUserList', { page_no: page, page_size: size, ...(name ? { name } : {}) }, signal), [page, size, name]);
  const [adding, setAdding] = useState(false);
  const [passwordOf, setPasswordOf] = useState<User | null>(null);
  const [roleOf, setRoleOf] = useState<User | null>(null);
  const [message, setMessage] = useState('');
  const action = useAction(users.reload);
  const me = session.value?.user_id;
  const remove = (u: User) => {
    setMessage('');
    return action.run(async () => {
      await call('/DeleteUser', { user_id: u.user_id });
      setMessage(t('users.deleted', { name: u.name }));
    }, t('users.confirmDelete', { name: u.name }));
  };
  const done = (msg: string) => { setMessage(msg); users.reload(); };

  return (
    <section aria-labelledby="users-title">
      <div class="page-head">
        <h1 id="users-title">{t('nav.users')}</h1>
        <button class="primary" type="button" onClick={() => setAdding(true)}>{t('users.add')}</button>
      </div>
      <NameSearch value={name} label={t('users.searchName')} onSearch={(v) => set({ name: v })} />
      <ErrorText error={action.error ?? users.error} />
      {message && <p class="notice" role="status">{message}</p>}
      <PagedTable
        testId="users" data={users.data} cols={6} page={page} size={size} onPage={(p, s) => set({ page: p, size: s })}
        head={<><th>ID</th><th>{t('common.name')}</th><th>{t('users.role')}</th><th>{t('common.remark')}</th><th>{t('common.created')}</th><th><span class="sr-only">{t('common.actions')}</span></th></>}
        row={(u) => (
          <tr data-user={u.name}>
            <td>{u.user_id}</td>
            <td>{u.name}{u.user_id === me && <span class="badge">{t('users.you')}</span>}</td>
            <td>{t(`role.${u.role}`)}</td>
            <td>{u.remark}</td>
            <td class="nowrap">{u.create_time}</td>
            <td class="actions">
              <button type="button" onClick={() => setRoleOf(u)}>{t('users.changeRole')}</button>
              <button type="button" onClick={() => setPasswordOf(u)}>{u.user_id === me ? t('users.change') : t('users.reset')}</button>
              <button type="button" class="danger" onClick={() => remove(u)}>{t('common.delete')}</button>
            </td>
          </tr>
        )}
      />
      {adding && <AddUser onClose={() => setAdding(false)} onDone={(msg) => { setAdding(false); done(msg); }} />}
      {passwordOf && (
        <Dialog title={passwordOf.user_id === me ? t('users.change') : t('users.resetOf', { name: passwordOf.name })} onClose={() => setPasswordOf(null)}>
          <ChangePassword userId={passwordOf.user_id} onDone={() => { const n = passwordOf.name; setPasswordOf(null); done(t('users.passwordReset', { name: n })); }} />
        </Dialog>
      )}
      {roleOf && (
        <FormDialog title={t('users.roleOf', { name: roleOf.name })} onClose={() => setRoleOf(null)} testId="role-form" onSubmit={async (f) => {
          const role = String(f.get('role')) as Role;
          await call('/UpdateUser', { user_id: roleOf.user_id, role });
          const n = roleOf.name;
          setRoleOf(null);
          done(t('users.roleChanged', { name: n, role: t(`role.${role}`) }));
        }}>
          <Field label={t('users.role')} hint={t('users.roleHint')}><RoleSelect value={roleOf.role} /></Field>
        </FormDialog>
      )}
    </section>
  );
}

function AddUser(props: { onClose: () => void; onDone: (msg: string) => void }) {
  return (
    <FormDialog title={t('users.add')} onClose={props.onClose} onSubmit={async (f) => {
      if (f.get('password') !== f.get('password2')) throw new Problem(t('users.mismatch'));
      const name = String(f.get('name'));
      const r = await call<{ user_id: number }>('/RegisterUser', {
        name, password: md5Hex(String(f.get('password'))), remark: String(f.get('remark') ?? ''), role: String(f.get('role')),
      });
      props.onDone(t('users.added', { name, id: r.user_id }));
    }}>
      <Field label={t('common.name')}><input name="name" required maxLength={128} autoFocus autoComplete="off" /></Field>
      <Field label={t('users.role')} hint={t('users.roleHint')}><RoleSelect /></Field>
      <Field label={t('users.newPassword')}><input name="password" type="password" required minLength={6} autoComplete="new-password" /></Field>
      <Field label={t('users.repeatPassword')}><input name="password2" type="password" required minLength={6} autoComplete="new-password" /></Field>
      <Field label={t('common.remark')} wide><input name="remark" maxLength={1024} /></Field>
    </FormDialog>
  );
}
