/**
 * Every URI of the table (functions/index.ts), over HTTP on the real host, gets the same checks:
 * no session → SESSION_MISSING (all but /Login), a viewer's session → PERMISSION_DENIED for the
 * operator and admin URIs, a body of the wrong content type → UNSUPPORTED_CONTENT_TYPE, a malformed
 * body → MALFORMED_JSON, and each required field left out → INVALID_FIELD naming it. A URI added to the table is walked without being listed here. The answers
 * are checked against the URI's description as in every test (VALIDATE_RESPONSES); the last part
 * shows that check failing an answer that drifts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ErrorTable as E } from '../../core/errors.ts';
import { createLogger } from '../../core/log.ts';
import { functions } from '../../functions/index.ts';
import { buildApp } from '../../functions/lib/app.ts';
import { defineFunction, type ApiFunction } from '../../functions/lib/define.ts';
import { jsonSchema } from '../../functions/lib/openapi.ts';
import { out } from '../../functions/lib/outputs.ts';
import type { Services } from '../../functions/services/index.ts';
import { md5, startApi, type Api } from '../support/api.ts';

let api: Api;
let viewer: string;
beforeAll(async () => {
  api = await startApi('embedded');
  await api.login();
  expect((await api.call('/RegisterUser', { name: 'walker', password: md5('walker-pw'), role: 'viewer' })).code).toBe(0);
  viewer = await api.login('walker', 'walker-pw');
}, 120_000);
afterAll(async () => { await api?.stop(); });

const post = (fn: ApiFunction, body: string | FormData, headers: Record<string, string>) => fetch(api.url + fn.uri, { method: 'POST', body, headers });
const answer = async (res: Response) => {
  expect(res.headers.get('x-request-id')).toBeTruthy();
  return (await res.json()) as { code: number; msg: string };
};
/** the request's required fields, from the same schema the description shows */
const requiredOf = (fn: ApiFunction): string[] => (fn.body === 'multipart' ? ['file'] : ((jsonSchema(fn.input, 'input').required as string[]) ?? []));

describe.each(functions.map((fn) => [fn.uri, fn] as const))('%s', (_uri, fn) => {
  const json = { 'content-type': 'application/json' };

  it.runIf(fn.role !== 'none')('without a session: SESSION_MISSING', async () => {
    const res = fn.body === 'multipart' ? await post(fn, new FormData(), {}) : await post(fn, JSON.stringify(fn.example.input), json);
    expect(await answer(res)).toMatchObject({ code: E.SESSION_MISSING.code });
  });

  it.runIf(fn.role === 'operator' || fn.role === 'admin')(`a viewer's session: PERMISSION_DENIED naming the ${fn.role} role`, async () => {
    const res = fn.body === 'multipart' ? await post(fn, new FormData(), { 'x-session': viewer }) : await post(fn, JSON.stringify(fn.example.input), { ...json, 'x-session': viewer });
    expect(await answer(res)).toEqual({ code: E.PERMISSION_DENIED.code, msg: `permission denied: needs the ${fn.role} role` });
  });

  it.runIf(fn.body !== 'multipart')('a form or text body: UNSUPPORTED_CONTENT_TYPE', async () => {
    expect(await answer(await post(fn, JSON.stringify(fn.example.input), { 'x-session': api.session, 'content-type': 'text/plain' })))
      .toMatchObject({ code: E.UNSUPPORTED_CONTENT_TYPE.code });
  });

  it('a malformed body: MALFORMED_JSON (an upload not sent as a form: UNSUPPORTED_CONTENT_TYPE)', async () => {
    const auth = { 'x-session': api.session };
    if (fn.body === 'multipart') {
      expect(await answer(await post(fn, '--x\r\nnot a form', { ...auth, 'content-type': 'multipart/form-data; boundary=x' }))).toMatchObject({ code: E.MALFORMED_JSON.code });
      expect(await answer(await post(fn, '{}', { ...auth, ...json }))).toMatchObject({ code: E.UNSUPPORTED_CONTENT_TYPE.code });
    } else {
      for (const body of ['{"page_no": 1,', '[1, 2]', '"text"', 'null']) {
        expect(await answer(await post(fn, body, { ...auth, ...json })), body).toMatchObject({ code: E.MALFORMED_JSON.code });
      }
    }
  });

  it.each(requiredOf(fn))('without %s: INVALID_FIELD naming it', async (field) => {
    const auth = { 'x-session': api.session };
    let res: Response;
    if (fn.body === 'multipart') {
      const form = new FormData();
      form.append('session', api.session);
      res = await post(fn, form, {});
    } else {
      const { [field]: _, ...rest } = fn.example.input;
      res = await post(fn, JSON.stringify(rest), { ...auth, ...json });
    }
    expect(await answer(res)).toEqual({ code: E.INVALID_FIELD.code, msg: `${field}: is required` });
  });
});

describe('answers are checked against the description (VALIDATE_RESPONSES)', () => {
  const described = { role: 'none', summary: 'test', input: z.object({}), output: out({ n: z.number() }), errors: ['TASK_RUNNING'], example: { input: {} } } as const;
  const fns = [
    defineFunction({ ...described, uri: '/Good', handler: () => ({ n: 1 }) }),
    defineFunction({ ...described, uri: '/Extra', handler: () => ({ n: 1, secret: 'x' }) as { n: number } }),
    defineFunction({ ...described, uri: '/WrongType', handler: () => ({ n: '1' }) as unknown as { n: number } }),
    defineFunction({ ...described, uri: '/Declared', handler: () => { throw new (class extends Error {})(); } }),
    defineFunction({ ...described, uri: '/Undeclared', handler: async () => { const { AppError } = await import('../../core/errors.ts'); throw new AppError('TASK_NOT_FOUND'); } }),
  ];
  const app = (validateResponses: boolean) => buildApp(fns, async () => ({ config: { maxBodyBytes: 1000, maxUploadBytes: 1000, validateResponses } }) as Services, createLogger('silent'));
  const call = async (validate: boolean, uri: string) => (await app(validate).fetch(new Request(`http://x${uri}`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } }))).json();

  it('an answer as described passes; an extra field, a wrong type or an undeclared code answer RESPONSE_INVALID naming it', async () => {
    expect(await call(true, '/Good')).toEqual({ code: 0, msg: '', n: 1 });
    expect(await call(true, '/Declared')).toMatchObject({ code: E.INTERNAL.code }); // INTERNAL is a code every URI may answer
    expect(await call(true, '/Extra')).toMatchObject({ code: E.RESPONSE_INVALID.code, msg: expect.stringContaining('secret') });
    expect(await call(true, '/WrongType')).toMatchObject({ code: E.RESPONSE_INVALID.code, msg: expect.stringMatching(/^\/WrongType: n: /) });
    expect(await call(true, '/Undeclared')).toMatchObject({ code: E.RESPONSE_INVALID.code, msg: expect.stringContaining(`code ${E.TASK_NOT_FOUND.code}`) });
  });

  it('off (production): answers go out as they are', async () => {
    expect(await call(false, '/Extra')).toEqual({ code: 0, msg: '', n: 1, secret: 'x' });
    expect(await call(false, '/Undeclared')).toMatchObject({ code: E.TASK_NOT_FOUND.code });
  });

  it('is on in this suite', () => {
    expect(api.host.services.config.validateResponses).toBe(true);
  });
});
