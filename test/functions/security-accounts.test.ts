/**
 * The accounts findings of the adversarial review (issue 10, items 1-5 and 16), each reproduced over
 * HTTP against the real host on loopback, with bounded request counts.
 */
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorTable as E } from '../../core/errors.ts';
import { eq, sql } from 'drizzle-orm';
import { accountNameKey } from '../../core/names.ts';
import { loginFailures } from '../../db/schema.ts';
import { ADMIN_PASSWORD, md5, startApi, type Api, type Reply } from '../support/api.ts';

/** POST from a chosen loopback source address (127.0.0.2 ...): another client, as far as the host can tell */
function callFrom(api: Api, localAddress: string, uri: string, body: object): Promise<Reply> {
  const url = new URL(api.url + uri);
  const data = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, path: url.pathname, method: 'POST', localAddress, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve(JSON.parse(Buffer.concat(chunks).toString())));
    });
    req.on('error', reject);
    req.end(data);
  });
}

describe('accounts under attack (embedded)', () => {
  let api: Api;
  const login = (username: string, password: string) => api.call('/Login', { username, password: md5(password) }, { session: null });
  const register = async (name: string, password: string, role?: string) => {
    const r = await api.call('/RegisterUser', { name, password: md5(password), ...(role ? { role } : {}) });
    expect(r.code, `${name}: ${r.msg}`).toBe(0);
    return r.user_id as number;
  };

  beforeAll(async () => {
    // locks long enough that a burst under load ends within one (the lockout test of accounts.test.ts waits one out)
    api = await startApi('embedded', { LOGIN_LOCK_SECONDS: '30', LOGIN_LOCK_MAX_SECONDS: '600' });
    await api.login();
  });
  afterAll(async () => { await api?.stop(); });

  it('1. a burst of 40 parallel guesses gets at most LOGIN_MAX_FAILURES (5) password checks; then even the right password is locked', async () => {
    await register('burst', 'right');
    const codes = await Promise.all(Array.from({ length: 40 }, (_, i) => login('burst', `wrong${i}`).then((r) => r.code)));
    expect(codes.filter((c) => c === E.LOGIN_FAILED.code).length).toBeLessThanOrEqual(5);
    expect(codes.filter((c) => c === E.LOGIN_LOCKED.code).length).toBeGreaterThanOrEqual(35);
    expect(codes.every((c) => c === E.LOGIN_FAILED.code || c === E.LOGIN_LOCKED.code)).toBe(true);
    expect((await login('burst', 'right')).code).toBe(E.LOGIN_LOCKED.code);
  });

  it('1b. parallel logins with the right password (one account, several workers behind one address) all get a session', async () => {
    await register('workers', 'right');
    // twice LOGIN_MAX_FAILURES at once: the slots their guesses hold in flight are not failures
    const answers = await Promise.all(Array.from({ length: 10 }, () => login('workers', 'right')));
    expect(answers.map((a) => a.code)).toEqual(Array(10).fill(0));
    expect(new Set(answers.map((a) => a.session)).size).toBe(10);
  });

  it('2. roles: the first account is admin, RegisterUser defaults to operator, each URI refuses a lower role naming the role needed', async () => {
    const admin = await login('admin', ADMIN_PASSWORD);
    expect(admin).toMatchObject({ code: 0, role: 'admin', user_id: 1 });
    const opId = await register('op1', 'pw');
    await register('viewer1', 'pw', 'viewer');
    const op = (await login('op1', 'pw')).session as string;
    const viewer = (await login('viewer1', 'pw')).session as string;
    expect((await login('op1', 'pw')).role).toBe('operator');

    // what the review did with a second account: rename to admin, register an admin, delete users, move the store
    for (const [uri, body] of [
      ['/RegisterUser', { name: 'admin2', password: md5('x') }],
      ['/DeleteUser', { user_id: 1 }],
      ['/QueryUserList', { page_no: 1, page_size: 10 }],
      ['/UpdateSystemConfig', { name: 'StorageServer', config: '{"type":"local"}' }],
      ['/GetSystemConfig', { name: 'StorageServer' }],
    ] as const) {
      expect(await api.call(uri, body, { session: op }), uri).toEqual({ code: E.PERMISSION_DENIED.code, msg: 'permission denied: needs the admin role' });
    }
    expect((await api.call('/UpdateUser', { user_id: 1, name: 'admin' }, { session: op })).code).toBe(E.PERMISSION_DENIED.code);
    expect((await api.call('/UpdateUser', { user_id: opId, name: 'admin' }, { session: op })).msg).toBe('permission denied: needs the admin role to change name');
    expect((await api.call('/UpdateUser', { user_id: opId, role: 'admin' }, { session: op })).msg).toBe('permission denied: needs the admin role to change role');
    // another user's password cannot even be tried
    expect((await api.call('/UpdateUser', { user_id: 1, old_password: md5(ADMIN_PASSWORD), password: md5('mine') }, { session: op })).code).toBe(E.PERMISSION_DENIED.code);
    // viewers query, download and compare; operators manage
    expect(await api.call('/AddLibrary', { name: 'lib' }, { session: viewer })).toEqual({ code: E.PERMISSION_DENIED.code, msg: 'permission denied: needs the operator role' });
    expect((await api.call('/QueryLibraryList', { page_no: 1, page_size: 10 }, { session: viewer })).code).toBe(0);
    expect((await api.call('/AddLibrary', { name: 'lib' }, { session: op })).code).toBe(0);
    // the operator may change their own password and remark
    expect((await api.call('/UpdateUser', { user_id: opId, remark: 'me' }, { session: op })).code).toBe(0);
    expect((await api.call('/UpdateUser', { user_id: opId, old_password: md5('pw'), password: md5('pw2') }, { session: op })).code).toBe(0);
    expect((await login('op1', 'pw2')).code).toBe(0);
  });

  it('2. QueryUserList (admins) pages accounts with their role and no password material', async () => {
    await register('listed', 'pw', 'viewer');
    const r = await api.call('/QueryUserList', { page_no: 1, page_size: 1000, name: 'LIST' });
    expect(r.code).toBe(0);
    expect(r.info).toMatchObject({ page_no: 1, page_size: 1000, total_count: 1 });
    expect(r.info.items).toEqual([{ user_id: expect.any(Number), name: 'listed', role: 'viewer', remark: '', create_time: expect.stringMatching(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/) }]);
    const all = await api.call('/QueryUserList', { page_no: 1, page_size: 2 });
    expect(all.info.items).toHaveLength(2);
    expect(all.info.total_count).toBeGreaterThan(2);
    expect(JSON.stringify(all)).not.toMatch(/password|scrypt|hash/i);
  });

  it('2. an own password change needs the old one, and wrong guesses of it lock like logins', async () => {
    const id = await register('guesser', 'pw');
    const s = (await login('guesser', 'pw')).session as string;
    const codes: number[] = [];
    for (let i = 0; i < 7; i++) codes.push((await api.call('/UpdateUser', { user_id: id, old_password: md5(`g${i}`), password: md5('new') }, { session: s })).code);
    expect(codes.slice(0, 5)).toEqual(Array(5).fill(E.OLD_PASSWORD_WRONG.code));
    expect(codes.slice(5)).toEqual([E.LOGIN_LOCKED.code, E.LOGIN_LOCKED.code]);
    expect((await api.call('/UpdateUser', { user_id: id, old_password: md5('pw'), password: md5('new') }, { session: s })).code).toBe(E.LOGIN_LOCKED.code);
  });

  it('2. the last admin can be neither demoted nor deleted; with a second admin both work', async () => {
    expect((await api.call('/UpdateUser', { user_id: 1, role: 'operator' })).code).toBe(E.LAST_ADMIN.code);
    expect((await api.call('/DeleteUser', { user_id: 1 })).code).toBe(E.LAST_ADMIN.code);
    const second = await register('admin-two', 'pw', 'admin');
    const s2 = (await login('admin-two', 'pw')).session as string;
    expect((await api.call('/UpdateUser', { user_id: second, role: 'viewer' }, { session: s2 })).code).toBe(0);
    // the demotion reaches the session at once (no cached admin role)
    expect((await api.call('/QueryUserList', { page_no: 1, page_size: 1 }, { session: s2 })).code).toBe(E.PERMISSION_DENIED.code);
    expect((await api.call('/DeleteUser', { user_id: second })).code).toBe(0);
  });

  it('3. a lock is per (username, client address): guesses from 127.0.0.2 do not lock admin out of 127.0.0.1; an admin reset reaches a locked account', async () => {
    for (let i = 0; i < 6; i++) await callFrom(api, '127.0.0.2', '/Login', { username: 'admin', password: md5(`bad${i}`) });
    expect((await callFrom(api, '127.0.0.2', '/Login', { username: 'admin', password: md5(ADMIN_PASSWORD) })).code).toBe(E.LOGIN_LOCKED.code);
    expect((await login('admin', ADMIN_PASSWORD)).code).toBe(0);

    const id = await register('locked-out', 'pw');
    for (let i = 0; i < 6; i++) await login('locked-out', `bad${i}`);
    expect((await login('locked-out', 'pw')).code).toBe(E.LOGIN_LOCKED.code);
    expect((await api.call('/UpdateUser', { user_id: id, password: md5('reset') })).code).toBe(0); // admin: no old_password
    expect((await login('locked-out', 'reset')).code).toBe(0);
  });

  it('3. locks back off exponentially: the second lock in a row lasts twice the first', async () => {
    await register('backoff', 'pw');
    const { orm } = api.host.resources.db;
    const key = accountNameKey('backoff');
    const row = async () => (await orm.query.loginFailures.findFirst({ where: (t, { eq }) => eq(t.nameKey, key) }))!;
    for (let i = 0; i < 5; i++) await login('backoff', 'bad');
    const first = await row();
    expect(first.locks).toBe(1);
    expect((await login('backoff', 'pw')).code).toBe(E.LOGIN_LOCKED.code);
    // the first lock runs out (as if 30 s had passed), then the next five failures lock again, twice as long
    await orm.update(loginFailures).set({ lockedUntil: sql`now() - interval '1 second'` }).where(eq(loginFailures.nameKey, key));
    for (let i = 0; i < 5; i++) expect((await login('backoff', 'bad')).code).toBe(E.LOGIN_FAILED.code);
    const second = await row();
    expect(second.locks).toBe(2);
    const length = (r: typeof first) => (r.lockedUntil!.getTime() - r.updated.getTime()) / 1000;
    expect(length(first)).toBeCloseTo(30, 0);
    expect(length(second)).toBeCloseTo(60, 0);
  });

  it('3. JSON URIs refuse text/plain, form and missing content types (what a foreign web page can send)', async () => {
    const body = JSON.stringify({ username: 'admin', password: md5(ADMIN_PASSWORD) });
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', undefined]) {
      const res = await fetch(`${api.url}/Login`, { method: 'POST', body, headers: type ? { 'content-type': type } : {} });
      // undici adds text/plain itself when no type is given
      const r = (await res.json()) as Reply;
      expect(r.code, String(type)).toBe(E.UNSUPPORTED_CONTENT_TYPE.code);
      expect(r.msg).toMatch(/^content-type: must be application\/json/);
    }
    expect((await fetch(`${api.url}/Login`, { method: 'POST', body, headers: { 'content-type': 'application/json; charset=utf-8' } }).then((r) => r.json()) as Reply).code).toBe(0);
  });

  it('4. account names: case and width variants are the same name, look-alikes are refused, hidden characters are refused', async () => {
    const cases: [string, number][] = [
      ['Admin', E.USER_EXISTS.code], ['ＡＤＭＩＮ', E.USER_EXISTS.code], ['аdmin', E.NAME_CONFUSABLE.code], ['adrnin', E.NAME_CONFUSABLE.code],
      ['ad\u200Bmin', E.INVALID_FIELD.code], ['admin\u202E', E.INVALID_FIELD.code], ['ad\u0007min', E.INVALID_FIELD.code], ['\u2066admin', E.INVALID_FIELD.code],
    ];
    for (const [name, code] of cases) {
      const r = await api.call('/RegisterUser', { name, password: md5('x') });
      expect(r.code, JSON.stringify(name)).toBe(code);
      expect(r.msg, JSON.stringify(name)).toMatch(/^name: /);
    }
    expect((await api.call('/RegisterUser', { name: 'аdmin', password: md5('x') })).msg).toMatch(/looks like the existing account "admin"/);
    // a rename onto a look-alike is refused the same way
    const id = await register('renamer', 'pw');
    expect((await api.call('/UpdateUser', { user_id: id, name: 'ADMIN' })).code).toBe(E.USER_EXISTS.code);
    // login compares case-insensitively
    expect((await login('ADMIN', ADMIN_PASSWORD)).code).toBe(0);
    // names are stored NFKC-normalised
    await register('ｗｉｄｅ', 'pw');
    expect((await api.host.resources.repos.accounts.findUserByKey(accountNameKey('wide')))?.name).toBe('wide');
  });

  it('4. person and library names refuse control and bidi-override characters', async () => {
    for (const name of ['lib\u0000x', 'lib\u0007', 'evil\u202Egnp.exe', '\u2067x']) {
      const r = await api.call('/AddLibrary', { name });
      expect(r.code, JSON.stringify(name)).toBe(E.INVALID_FIELD.code);
      expect(r.msg).toMatch(/^name: /);
    }
    expect((await api.call('/AddLibrary', { name: '名单 one' })).code).toBe(0);
  });

  it('5. unknown and real usernames answer alike and both lock', async () => {
    await register('real-user', 'pw');
    const real = [], ghost = [];
    for (let i = 0; i < 6; i++) {
      real.push(await login('real-user', `bad${i}`));
      ghost.push(await login('no-such-user', `bad${i}`));
    }
    expect(ghost).toEqual(real);
    expect(real.map((r) => r.code)).toEqual([...Array(5).fill(E.LOGIN_FAILED.code), E.LOGIN_LOCKED.code]);
  });

  it('16. concurrent renames to one name: one wins, every loser gets USER_EXISTS (not INTERNAL)', async () => {
    const ids = await Promise.all(['ren-a', 'ren-b', 'ren-c', 'ren-d'].map((n) => register(n, 'pw')));
    const codes = await Promise.all(ids.map((user_id) => api.call('/UpdateUser', { user_id, name: 'same-name' }).then((r) => r.code)));
    expect(codes.filter((c) => c === 0)).toHaveLength(1);
    expect(codes.filter((c) => c === E.USER_EXISTS.code)).toHaveLength(3);
  });
});
