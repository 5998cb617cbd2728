/**
 * The function plumbing on its own: one function deployed alone through the fetch adapter, the
 * INTERNAL answer for unexpected errors, and the pure helpers (plan, time, id lists, pinyin).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AppError, ErrorTable as E } from '../../core/errors.ts';
import { createLogger } from '../../core/log.ts';
import { isPlanActive, parsePlan } from '../../core/plan.ts';
import { formatTime, parseTime } from '../../core/time.ts';
import * as AddLibrary from '../../functions/AddLibrary.ts';
import * as Login from '../../functions/Login.ts';
import { buildApp } from '../../functions/lib/app.ts';
import { defineFunction } from '../../functions/lib/define.ts';
import { toFetchHandler } from '../../functions/lib/runtime.ts';
import { parseIdList } from '../../functions/lib/fields.ts';
import { nameToPinyin } from '../../functions/services/pinyin.ts';
import { createPersonsService } from '../../functions/services/persons.ts';
import type { Services } from '../../functions/services/index.ts';
import { md5 } from '../support/api.ts';

const post = (uri: string, body: unknown) => new Request(`http://fn.local${uri}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe('one function deployed alone (functions/lib/runtime.ts)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fn-alone-'));
  const handler = toFetchHandler(Login.app, { DATA_DIR: dir, ADMIN_PASSWORD: 'pw', LOG_LEVEL: 'silent' });
  afterAll(async () => { await handler.close(); rmSync(dir, { recursive: true, force: true }); });

  it('answers its URI with the same envelope, and only its URI', async () => {
    const ok = await (await handler(post('/Login', { username: 'admin', password: md5('pw') }))).json() as { code: number; session: string };
    expect(ok.code).toBe(0);
    expect(ok.session).toBeTruthy();
    const other = await (await handler(post('/AddLibrary', { session: ok.session, name: 'x' }))).json() as { code: number };
    expect(other.code).toBe(E.UNKNOWN_URI.code);
  }, 90_000); // the first call creates the embedded database
});

describe('a function deployed alone starts no worker and opens only what its URI uses', () => {
  // NATS_URL points at a port nothing listens on: a cold start that connected to the bus (or started
  // a matcher, which consumes from it) would fail or log; these answer, and the bus stays unopened.
  const dir = mkdtempSync(join(tmpdir(), 'fn-lean-'));
  const env = { DATA_DIR: dir, ADMIN_PASSWORD: 'pw', LOG_LEVEL: 'silent', NATS_URL: 'nats://127.0.0.1:1' };
  const login = toFetchHandler(Login.app, env);
  const addLibrary = toFetchHandler(AddLibrary.app, { ...env, SESSION_CACHE_MS: '0' });
  afterAll(async () => { await login.close(); await addLibrary.close(); rmSync(dir, { recursive: true, force: true }); });

  it('/Login: database only; no bus connection, no object store', async () => {
    const ok = await (await login(post('/Login', { username: 'admin', password: md5('pw') }))).json() as { code: number; session: string };
    expect(ok.code).toBe(0);
    expect(login.resources?.bus.connected).toBe(false);
    expect(login.resources?.store.target).toBeUndefined();
    await login.close(); // the PGlite directory is one process's at a time
    const lib = await (await addLibrary(post('/AddLibrary', { session: ok.session, name: 'lean' }))).json() as { code: number; lib_id: number };
    expect(lib).toMatchObject({ code: 0, lib_id: expect.any(Number) });
    expect(addLibrary.resources?.bus.connected).toBe(false);
    expect(addLibrary.resources?.store.target).toBeUndefined();
  }, 90_000); // two embedded databases opened one after the other
});

describe('unexpected errors', () => {
  it('are INTERNAL with a generic msg (no stack), logged with the request id', async () => {
    const lines: string[] = [];
    const log = createLogger('error');
    const captured = log.child({});
    (captured as unknown as { error: (o: { err?: Error }, m: string) => void }).error = (o, m) => { lines.push(`${m} ${o.err?.message}`); };
    const bindings: { requestId?: string }[] = [];
    const described = { role: 'none', summary: 'test', input: z.object({}), errors: ['TASK_RUNNING'], example: { input: {} } } as const;
    const boom = defineFunction({ ...described, uri: '/Boom', handler: () => { throw new Error('secret detail at /srv/x.ts:1'); } });
    const fail = defineFunction({ ...described, uri: '/Fail', handler: () => { throw new AppError('TASK_RUNNING'); } });
    const fakeServices = { config: { maxBodyBytes: 1000, maxUploadBytes: 1000 } } as unknown as Services;
    const app = buildApp([boom, fail], async () => fakeServices, { child: (b: { requestId?: string }) => { bindings.push(b); return captured; } } as unknown as typeof log);
    const res = await app.fetch(post('/Boom', {}));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ code: E.INTERNAL.code, msg: E.INTERNAL.msg });
    expect(lines.join('\n')).toContain('secret detail');
    expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(bindings[0].requestId).toBe(res.headers.get('x-request-id'));
    expect(await (await app.fetch(post('/Fail', {}))).json()).toEqual({ code: E.TASK_RUNNING.code, msg: E.TASK_RUNNING.msg });
  });

  it('a function cannot be mounted twice', () => {
    expect(() => buildApp([Login.app, Login.app], async () => ({}) as Services, createLogger('silent'))).toThrow(/twice/);
  });
});

describe('core/plan.ts', () => {
  it('"" is always on; a weekly plan is parsed and checked in the zone', () => {
    expect(parsePlan('')).toBeNull();
    expect(isPlanActive(null, new Date(), 'UTC')).toBe(true);
    const plan = parsePlan('{"1":["08:00-12:00"],"7":["22:00-24:00"]}');
    // 2026-11-23 is a Monday
    expect(isPlanActive(plan, new Date('2026-11-23T08:00:00Z'), 'UTC')).toBe(true);
    expect(isPlanActive(plan, new Date('2026-11-23T11:59:59Z'), 'UTC')).toBe(true);
    expect(isPlanActive(plan, new Date('2026-11-23T12:00:00Z'), 'UTC')).toBe(false);
    expect(isPlanActive(plan, new Date('2026-11-23T00:30:00Z'), 'Asia/Shanghai')).toBe(true); // 08:30 in Shanghai
    expect(isPlanActive(plan, new Date('2026-11-22T23:59:00Z'), 'UTC')).toBe(true); // Sunday 23:59
    expect(isPlanActive(plan, new Date('2026-11-24T09:00:00Z'), 'UTC')).toBe(false); // Tuesday
  });

  it.each(['x', '[]', '{}', '{"0":["08:00-09:00"]}', '{"1":"08:00-09:00"}', '{"1":["8:00-9:00"]}', '{"1":["09:00-09:00"]}', '{"1":["23:00-24:01"]}', '{"1":["24:00-24:00"]}', '{"1":[]}'])(
    'refuses %s with INVALID_PLAN', (p) => {
      expect(() => parsePlan(p)).toThrow(expect.objectContaining({ kind: 'INVALID_PLAN', message: expect.stringMatching(/^plan: /) }));
    });
});

describe('core/time.ts', () => {
  it('formats and parses yyyy-mm-dd hh:mm:ss in a zone', () => {
    const d = new Date('2026-11-23T16:05:09Z');
    expect(formatTime(d, 'Asia/Shanghai')).toBe('2026-11-24 00:05:09');
    expect(formatTime(d, 'UTC')).toBe('2026-11-23 16:05:09');
    expect(parseTime('2026-11-24 00:05:09', 'Asia/Shanghai')?.toISOString()).toBe(d.toISOString());
    expect(parseTime('2026-07-01 12:00:00', 'Europe/Berlin')?.toISOString()).toBe('2026-07-01T10:00:00.000Z');
    for (const bad of ['2026-02-30 00:00:00', '2026-11-23', '2026-11-23T00:00:00', '2026-11-23 24:00:00', '']) expect(parseTime(bad, 'UTC')).toBeNull();
  });
});

describe('id lists and pinyin', () => {
  it('parses "1,2" lists', () => {
    expect(parseIdList(' 1, 2,2 ,3', { allowEmpty: false })).toEqual([1, 2, 3]);
    expect(parseIdList('', { allowEmpty: true })).toEqual([]);
    for (const bad of ['', '1,', 'a', '1;2', '0', '1.5', '-1', '2147483648']) {
      expect(() => parseIdList(bad, { allowEmpty: false })).toThrow(expect.objectContaining({ kind: 'INVALID_ID_LIST' }));
    }
  });

  it('gives toneless pinyin for Chinese names and leaves Latin names alone', () => {
    expect(nameToPinyin('张三')).toBe('zhang san');
    expect(nameToPinyin('欧阳娜娜')).toBe('ou yang na na');
    expect(nameToPinyin('Tom Smith')).toBe('Tom Smith');
    expect(nameToPinyin('Tom张')).toBe('Tom zhang');
  });
});

describe('face engine failures', () => {
  it('an engine crash (not an AppError) is FACE_ENGINE_FAILED naming the picture; nothing is stored', async () => {
    let inserted = 0;
    const persons = createPersonsService({
      repo: { insert: async () => ++inserted } as never,
      libraries: { find: async () => ({ id: 1 }) } as never,
      pictures: { requireKnown: async () => ({ width: 10, height: 10 }), read: async () => Buffer.from('img') } as never,
      face: { enrol: async () => { throw new Error('worker died'); } } as never,
      similarity: () => 1,
      timeZone: 'UTC',
    });
    await expect(persons.compare('/a', '/b')).rejects.toMatchObject({ kind: 'FACE_ENGINE_FAILED', message: 'first_pic: face engine failed' });
    await expect(persons.add({ lib_id: 1, name: 'x', pic_url: '/a' })).rejects.toMatchObject({ kind: 'FACE_ENGINE_FAILED', message: 'pic_url: face engine failed' });
    expect(inserted).toBe(0);
  });
});
