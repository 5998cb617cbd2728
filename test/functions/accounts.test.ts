import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectNatsBus, createMemoryBus, Subjects, type Bus } from '../../core/bus/index.ts';
import { ErrorTable as E, isAppError } from '../../core/errors.ts';
import { createLogger } from '../../core/log.ts';
import { accountNameKey } from '../../core/names.ts';
import { openDatabase, type Database } from '../../db/client.ts';
import { createRepositories } from '../../db/repositories/index.ts';
import { startHost } from '../../functions/host.ts';
import { createAccountsService, type AccountsService } from '../../functions/services/accounts.ts';
import { startNatsServer, type NatsServer } from '../../infra/services/nats.ts';
import { until } from '../stream-node/helpers.ts';
import { ADMIN_PASSWORD, backends, md5, startApi, type Api, type Reply } from '../support/api.ts';

describe.each(backends)('accounts (%s)', (backend) => {
  let api: Api;
  beforeAll(async () => { api = await startApi(backend); await api.login(); });
  afterAll(async () => { await api?.stop(); });

  describe('happy', () => {
    it('Login returns user_id and a random session', async () => {
      const a = await api.call('/Login', { username: 'admin', password: md5(ADMIN_PASSWORD) }, { session: null });
      const b = await api.call('/Login', { username: 'admin', password: md5(ADMIN_PASSWORD) }, { session: null });
      expect(a).toMatchObject({ code: 0, msg: '', user_id: expect.any(Number) });
      expect(a.session).toMatch(/^[A-Za-z0-9_-]{40,}$/);
      expect(a.session).not.toBe(b.session);
    });

    it('accepts the session in the body, Authorization: Bearer and X-Session', async () => {
      const body = { name: 'sess-check', password: md5('x') };
      expect((await api.call('/RegisterUser', body)).code).toBe(0);
      expect((await api.call('/UpdateUser', { user_id: 1, remark: 'bearer' }, { session: null, headers: { authorization: `Bearer ${api.session}` } })).code).toBe(0);
      expect((await api.call('/UpdateUser', { user_id: 1, remark: 'x-session' }, { session: null, headers: { 'x-session': api.session } })).code).toBe(0);
    });

    it('RegisterUser → Login as the new user → UpdateUser password → old sessions end → DeleteUser', async () => {
      const reg = await api.call('/RegisterUser', { name: 'rose', password: md5('pw1'), remark: 'r' });
      expect(reg).toMatchObject({ code: 0, msg: '', user_id: expect.any(Number) });
      const s1 = await api.login('rose', 'pw1');
      expect((await api.call('/UpdateUser', { user_id: reg.user_id, old_password: md5('pw1'), password: md5('pw2') }, { session: s1 })).code).toBe(0);
      expect((await api.call('/UpdateUser', { user_id: reg.user_id, name: 'rose2' })).code).toBe(0); // renames are for admins
      expect((await api.call('/UpdateUser', { user_id: reg.user_id, remark: 'x' }, { session: s1 })).code).toBe(E.SESSION_INVALID.code);
      expect((await api.call('/Login', { username: 'rose2', password: md5('pw1') }, { session: null })).code).toBe(E.LOGIN_FAILED.code);
      const s2 = await api.login('rose2', 'pw2');
      expect((await api.call('/DeleteUser', { user_id: reg.user_id })).code).toBe(0);
      expect((await api.call('/UpdateUser', { user_id: 1, remark: 'x' }, { session: s2 })).code).toBe(E.SESSION_INVALID.code);
      expect((await api.call('/Login', { username: 'rose2', password: md5('pw2') }, { session: null })).code).toBe(E.LOGIN_FAILED.code);
    });

    it('RegisterUser and UpdateUser store remark; an UpdateUser without remark keeps it', async () => {
      const accounts = api.host.resources.repos.accounts;
      const reg = await api.call('/RegisterUser', { name: 'remarked', password: md5('x'), remark: '备注 one' });
      expect(reg.code).toBe(0);
      expect((await accounts.findUser(reg.user_id))!.remark).toBe('备注 one');
      expect((await api.call('/RegisterUser', { name: 'unremarked', password: md5('x') })).code).toBe(0);
      expect((await accounts.findUserByKey(accountNameKey('unremarked')))!.remark).toBe('');
      expect(await api.call('/UpdateUser', { user_id: reg.user_id, remark: 'two' })).toEqual({ code: 0, msg: '' });
      expect((await accounts.findUser(reg.user_id))!.remark).toBe('two');
      expect((await api.call('/UpdateUser', { user_id: reg.user_id, name: 'remarked2' })).code).toBe(0);
      expect(await accounts.findUser(reg.user_id)).toMatchObject({ name: 'remarked2', remark: 'two' });
      expect((await api.call('/UpdateUser', { user_id: reg.user_id, remark: '' })).code).toBe(0);
      expect((await accounts.findUser(reg.user_id))!.remark).toBe('');
    });

    it('ignores unknown request fields, including another URI\'s fields', async () => {
      const accounts = api.host.resources.repos.accounts;
      const login = await api.call('/Login', { username: 'admin', password: md5(ADMIN_PASSWORD), remember_me: true, extra: { a: [1] } }, { session: null });
      expect(login.code).toBe(0);
      const reg = await api.call('/RegisterUser', { name: 'extra-fields', password: md5('x'), user_id: 4242, password_hash: 'scrypt$forged', bogus: null });
      expect(reg.code).toBe(0);
      expect(reg.user_id).not.toBe(4242);
      const u = await accounts.findUser(reg.user_id);
      expect(u).toMatchObject({ name: 'extra-fields', remark: '' });
      expect(u!.passwordHash).not.toBe('scrypt$forged');
      expect(await api.call('/UpdateUser', { user_id: reg.user_id, remark: 'kept', failed_logins: 9, locked_until: '2099-01-01 00:00:00' })).toEqual({ code: 0, msg: '' });
      expect(await api.call('/UpdateUser', { user_id: reg.user_id, remark: 'kept', failed_logins: 9, locked_until: '2099-01-01 00:00:00', name_key: 'admin' })).toEqual({ code: 0, msg: '' });
      expect(await accounts.findUser(reg.user_id)).toMatchObject({ remark: 'kept', role: 'operator', nameKey: accountNameKey('extra-fields') });
      await api.login('extra-fields', 'x');
    });

    it('accepts an uppercase md5', async () => {
      expect((await api.call('/Login', { username: 'admin', password: md5(ADMIN_PASSWORD).toUpperCase() }, { session: null })).code).toBe(0);
    });
  });

  describe('error', () => {
    it('Login: wrong password, unknown user, missing and malformed fields', async () => {
      expect((await api.call('/Login', { username: 'admin', password: md5('nope') }, { session: null })).code).toBe(E.LOGIN_FAILED.code);
      expect((await api.call('/Login', { username: 'ghost', password: md5('nope') }, { session: null })).code).toBe(E.LOGIN_FAILED.code);
      const missing = await api.call('/Login', { username: 'admin' }, { session: null });
      expect(missing).toEqual({ code: E.INVALID_FIELD.code, msg: 'password: is required' });
      const plain = await api.call('/Login', { username: 'admin', password: 'plain' }, { session: null });
      expect(plain.code).toBe(E.INVALID_FIELD.code);
      expect(plain.msg).toMatch(/^password:/);
      const wrongType = await api.call('/Login', { username: 42, password: md5('x') }, { session: null });
      expect(wrongType.code).toBe(E.INVALID_FIELD.code);
      expect(wrongType.msg).toMatch(/^username:/);
    });

    it('RegisterUser: duplicate name → USER_EXISTS; empty name → INVALID_FIELD', async () => {
      expect((await api.call('/RegisterUser', { name: 'admin', password: md5('x') })).code).toBe(E.USER_EXISTS.code);
      expect((await api.call('/RegisterUser', { name: '   ', password: md5('x') })).code).toBe(E.INVALID_FIELD.code);
    });

    it('UpdateUser: unknown user, password without/with wrong old_password, rename onto another user', async () => {
      expect((await api.call('/UpdateUser', { user_id: 99999, remark: 'x' })).code).toBe(E.USER_NOT_FOUND.code);
      expect((await api.call('/UpdateUser', { user_id: 1, password: md5('new') })).code).toBe(E.OLD_PASSWORD_REQUIRED.code);
      expect((await api.call('/UpdateUser', { user_id: 1, old_password: md5('bad'), password: md5('new') })).code).toBe(E.OLD_PASSWORD_WRONG.code);
      const other = await api.call('/RegisterUser', { name: 'other-user', password: md5('x') });
      expect((await api.call('/UpdateUser', { user_id: other.user_id, name: 'admin' })).code).toBe(E.USER_EXISTS.code);
      await api.login(); // admin's password is unchanged
    });

    it('RegisterUser: missing or non-md5 password → INVALID_FIELD naming password; nothing stored', async () => {
      const accounts = api.host.resources.repos.accounts;
      expect(await api.call('/RegisterUser', { name: 'nopw' })).toEqual({ code: E.INVALID_FIELD.code, msg: 'password: is required' });
      for (const password of ['plain', '', md5('x').slice(1), md5('x') + 'a', 'g'.repeat(32), ` ${md5('x').slice(1)}`, 42, null]) {
        const r = await api.call('/RegisterUser', { name: 'nopw', password });
        expect(r.code, String(password)).toBe(E.INVALID_FIELD.code);
        expect(r.msg, String(password)).toMatch(/^password: /);
      }
      expect(await accounts.findUserByKey(accountNameKey('nopw'))).toBeUndefined();
    });

    it('UpdateUser: non-md5 password or old_password → INVALID_FIELD naming it; the password is unchanged', async () => {
      const reg = await api.call('/RegisterUser', { name: 'pwcheck', password: md5('pw1') });
      const s = await api.login('pwcheck', 'pw1');
      for (const password of ['plain', '', md5('pw2').slice(1), 'z'.repeat(32), 7, null]) {
        const r = await api.call('/UpdateUser', { user_id: reg.user_id, old_password: md5('pw1'), password });
        expect(r.code, String(password)).toBe(E.INVALID_FIELD.code);
        expect(r.msg, String(password)).toMatch(/^password: /);
      }
      const old = await api.call('/UpdateUser', { user_id: reg.user_id, old_password: 'pw1', password: md5('pw2') });
      expect(old.code).toBe(E.INVALID_FIELD.code);
      expect(old.msg).toMatch(/^old_password: /);
      // nothing changed: the session is alive and the first password still logs in
      expect((await api.call('/UpdateUser', { user_id: reg.user_id, remark: 'alive' }, { session: s })).code).toBe(0);
      await api.login('pwcheck', 'pw1');
      expect((await api.call('/Login', { username: 'pwcheck', password: md5('pw2') }, { session: null })).code).toBe(E.LOGIN_FAILED.code);
    });

    it('DeleteUser: unknown user; the last account cannot be deleted', async () => {
      expect((await api.call('/DeleteUser', { user_id: 99999 })).code).toBe(E.USER_NOT_FOUND.code);
    });
  });

  describe('security', () => {
    it('refuses missing, unknown and wrong-typed sessions with their own codes', async () => {
      expect((await api.call('/RegisterUser', { name: 'n', password: md5('x') }, { session: null })).code).toBe(E.SESSION_MISSING.code);
      expect((await api.call('/RegisterUser', { name: 'n', password: md5('x') }, { session: 'forged' })).code).toBe(E.SESSION_INVALID.code);
      expect((await api.call('/RegisterUser', { session: 123, name: 'n', password: md5('x') }, { session: null })).code).toBe(E.SESSION_INVALID.code);
      expect((await api.call('/RegisterUser', { name: 'n', password: md5('x') }, { session: null, headers: { authorization: 'Bearer nope' } })).code).toBe(E.SESSION_INVALID.code);
    });

    it('locks a username after repeated failures, even for the right password', async () => {
      await api.call('/RegisterUser', { name: 'victim', password: md5('right') });
      for (let i = 0; i < 5; i++) expect((await api.call('/Login', { username: 'victim', password: md5(`wrong${i}`) }, { session: null })).code).toBe(E.LOGIN_FAILED.code);
      expect((await api.call('/Login', { username: 'victim', password: md5('right') }, { session: null })).code).toBe(E.LOGIN_LOCKED.code);
      // other usernames are not affected
      expect((await api.call('/Login', { username: 'admin', password: md5(ADMIN_PASSWORD) }, { session: null })).code).toBe(0);
    });

    it('never stores the password md5 as is', async () => {
      await api.call('/RegisterUser', { name: 'hashcheck', password: md5('pw') });
      const u = await api.host.resources.repos.accounts.findUserByKey(accountNameKey('hashcheck'));
      expect(u!.passwordHash).toMatch(/^scrypt\$/);
      expect(u!.passwordHash).not.toContain(md5('pw'));
    });

    it('malformed JSON, non-object bodies and huge bodies get their codes', async () => {
      const bad = await (await api.raw('/Login', { headers: { 'content-type': 'application/json' }, body: '{"username":' })).json() as Reply;
      expect(bad.code).toBe(E.MALFORMED_JSON.code);
      const arr = await (await api.raw('/Login', { headers: { 'content-type': 'application/json' }, body: '[1]' })).json() as Reply;
      expect(arr.code).toBe(E.MALFORMED_JSON.code);
      const huge = await (await api.raw('/Login', { headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'x'.repeat(2_000_000) }) })).json() as Reply;
      expect(huge.code).toBe(E.BODY_TOO_LARGE.code);
    });

    it('unknown URIs and other methods → UNKNOWN_URI with HTTP 200', async () => {
      const res = await api.raw('/NoSuchThing', { body: '{}' });
      expect(res.status).toBe(200);
      expect((await res.json() as Reply).code).toBe(E.UNKNOWN_URI.code);
      const get = await fetch(`${api.url}/Login`);
      expect((await get.json() as Reply).code).toBe(E.UNKNOWN_URI.code);
    });
  });
});

describe('sessions expire; the last account stays (embedded)', () => {
  it('an idle session expires with SESSION_EXPIRED; the only account cannot be deleted', async () => {
    const api = await startApi('embedded', { SESSION_IDLE_MINUTES: '0.005' /* 0.3 s */ });
    try {
      await api.login();
      expect((await api.call('/DeleteUser', { user_id: 1 })).code).toBe(E.LAST_USER.code);
      await new Promise((r) => setTimeout(r, 500));
      expect((await api.call('/UpdateUser', { user_id: 1, remark: 'x' })).code).toBe(E.SESSION_EXPIRED.code);
      expect((await api.call('/UpdateUser', { user_id: 1, remark: 'x' })).code).toBe(E.SESSION_INVALID.code);
    } finally {
      await api.stop();
    }
  });
});

describe('login lockout ends after LOGIN_LOCK_SECONDS (embedded)', () => {
  it('locked, then after the lock time the right password works and the failure count starts again', async () => {
    const api = await startApi('embedded', { LOGIN_LOCK_SECONDS: '1', LOGIN_MAX_FAILURES: '3' });
    try {
      await api.login();
      await api.call('/RegisterUser', { name: 'locked', password: md5('right') });
      const login = (pw: string) => api.call('/Login', { username: 'locked', password: md5(pw) }, { session: null }).then((r) => r.code);
      for (let i = 0; i < 3; i++) expect(await login('wrong')).toBe(E.LOGIN_FAILED.code);
      expect(await login('right')).toBe(E.LOGIN_LOCKED.code);
      await new Promise((r) => setTimeout(r, 1_300));
      expect(await login('right')).toBe(0);
      // a success clears the count: two more failures do not lock again, the third does
      for (let i = 0; i < 2; i++) expect(await login('wrong')).toBe(E.LOGIN_FAILED.code);
      expect(await login('right')).toBe(0);
      for (let i = 0; i < 3; i++) expect(await login('wrong')).toBe(E.LOGIN_FAILED.code);
      expect(await login('right')).toBe(E.LOGIN_LOCKED.code);
    } finally {
      await api.stop();
    }
  });
});

describe('first start without ADMIN_PASSWORD (embedded)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'api-first-start-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));
  /** starts the real host on dataDir with a logger whose JSON lines are returned */
  const start = async () => {
    const lines: Record<string, any>[] = [];
    const sink = new Writable({ write(chunk, _enc, done) { for (const l of String(chunk).split('\n')) if (l) lines.push(JSON.parse(l)); done(); } });
    const host = await startHost({ PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, TIME_ZONE: 'Asia/Shanghai', FACE_THREADS: '1' }, pino({ level: 'info' }, sink));
    return { host, lines };
  };
  const login = async (url: string, password: string) => (await (await fetch(`${url}/Login`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: md5(password) }),
  })).json()) as Reply;

  it('creates admin with a random password logged once (warn); it logs in; a second start logs none', async () => {
    const first = await start();
    let password: string;
    try {
      const told = first.lines.filter((l) => 'password' in l);
      expect(told).toHaveLength(1);
      expect(told[0]).toMatchObject({ level: 40, username: 'admin', password: expect.any(String) });
      password = told[0].password;
      expect(password.length).toBeGreaterThanOrEqual(12);
      expect(password).not.toBe(ADMIN_PASSWORD);
      expect(first.lines.filter((l) => JSON.stringify(l).includes(password))).toHaveLength(1);
      expect(await login(first.host.url, password)).toMatchObject({ code: 0, session: expect.any(String) });
      expect((await login(first.host.url, 'admin')).code).toBe(E.LOGIN_FAILED.code);
    } finally {
      await first.host.stop();
    }
    const second = await start();
    try {
      expect(second.lines.some((l) => l.msg === 'API listening')).toBe(true); // the capture works
      expect(second.lines.filter((l) => 'password' in l || /initial account/.test(l.msg))).toEqual([]);
      expect((await login(second.host.url, password)).code).toBe(0);
      expect(await second.host.resources.repos.accounts.countUsers()).toBe(1);
    } finally {
      await second.host.stop();
    }
  });
});

/*
 * Two API instances on one database: each caches sessions it has seen. When one ends a user's
 * sessions the other must stop accepting them at once, not when its cache entry runs out. The cache
 * time is a minute here, so only the bus message can end them within the test's wait. Service level:
 * two hosts cannot share the tests' wire-protocol database (PGlite serves one connection at a time),
 * so the two instances share one PGlite in this process; the bus is a real nats-server, or the
 * in-process bus that two handlers deployed in one process would share.
 */
describe.each(['nats', 'memory'] as const)('sessions ended on one API instance end on the others (%s bus)', (kind) => {
  let db: Database;
  let nats: NatsServer | undefined;
  const buses: Bus[] = [];
  const instances: AccountsService[] = [];
  const log = createLogger('silent');
  const bus = async (): Promise<Bus> => {
    if (kind === 'memory') return buses[0] ?? (buses.push(createMemoryBus()), buses[0]);
    const b = await connectNatsBus({ servers: nats!.url, name: `api-${buses.length}` });
    buses.push(b);
    return b;
  };
  const instance = async (): Promise<AccountsService> => {
    const a = createAccountsService(createRepositories(db.orm).accounts, { idleMinutes: 60, maxFailures: 5, lockSeconds: 60, sessionCacheMs: 60_000 }, log, await bus());
    a.listen();
    instances.push(a);
    return a;
  };
  const codeOf = (token: string, a: AccountsService) => a.authenticate(token).then(() => 0, (e: unknown) => (isAppError(e) ? e.code : -1));

  beforeAll(async () => {
    db = await openDatabase({ kind: 'pglite', dataDir: null });
    if (kind === 'nats') nats = await startNatsServer();
  });
  afterAll(async () => {
    for (const a of instances) await a.stop();
    for (const b of new Set(buses)) await b.close();
    await nats?.stop();
    await db?.close();
  });

  it('a password change on A ends the session B has cached; so does deleting the user on A', async () => {
    const [A, B] = [await instance(), await instance()];
    await A.ensureAdmin('admin-pw');
    const { user_id } = await A.register({ name: `walt-${kind}`, password: md5('pw1') });
    const s1 = (await A.login(`walt-${kind}`, md5('pw1'), 'test')).session;
    expect(await B.authenticate(s1)).toMatchObject({ userId: user_id }); // B caches it for a minute
    await A.update({ user_id, old_password: md5('pw1'), password: md5('pw2') }, { userId: user_id, role: 'operator', address: 'test' });
    await until(async () => (await codeOf(s1, B)) === E.SESSION_INVALID.code, 'B to refuse the session A ended', 3_000);

    const s2 = (await A.login(`walt-${kind}`, md5('pw2'), 'test')).session;
    expect(await B.authenticate(s2)).toMatchObject({ userId: user_id });
    await A.remove(user_id);
    await until(async () => (await codeOf(s2, B)) === E.SESSION_INVALID.code, 'B to refuse the deleted user\'s session', 3_000);
  });

  it('a malformed message on the subject is ignored; the cache and the listener go on working', async () => {
    const [A, B] = [await instance(), await instance()];
    await A.ensureAdmin('admin-pw');
    const { user_id } = await A.register({ name: `vera-${kind}`, password: md5('pw1') });
    const s = (await A.login(`vera-${kind}`, md5('pw1'), 'test')).session;
    expect(await B.authenticate(s)).toMatchObject({ userId: user_id });
    for (const bad of [{ user_id: 'x' }, {}, null, 'text']) buses[0].emit(Subjects.sessionsEnded, bad);
    await new Promise((r) => setTimeout(r, 200));
    expect(await B.authenticate(s)).toMatchObject({ userId: user_id });
    await A.update({ user_id, old_password: md5('pw1'), password: md5('pw2') }, { userId: user_id, role: 'operator', address: 'test' });
    await until(async () => (await codeOf(s, B)) === E.SESSION_INVALID.code, 'B to refuse the session A ended', 3_000);
  });
});
