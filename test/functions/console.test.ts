/**
 * The host serves the console (dist/console, built by the vitest global setup) at `/` and
 * `/assets/*`, and nothing else: every other path and method is still the API's. Over real HTTP.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorTable as E } from '../../core/errors.ts';
import { createLogger } from '../../core/log.ts';
import { CONSOLE_DIR, mountConsole } from '../../functions/lib/console.ts';
import { startApi, type Api } from '../support/api.ts';

describe('the console on the API host', () => {
  let api: Api;
  const get = (path: string, headers: Record<string, string> = {}) => fetch(api.url + path, { headers });
  /** the path sent exactly as written (fetch would normalise "%2e%2e"), the body as it came (not decompressed) */
  const raw = (path: string, headers: Record<string, string> = {}) => new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }>((resolve, reject) => {
    const u = new URL(api.url);
    const req = request({ host: u.hostname, port: u.port, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
  const assets = () => readdirSync(join(CONSOLE_DIR, 'assets')).filter((f) => !f.endsWith('.gz'));

  beforeAll(async () => {
    api = await startApi('embedded');
    await api.login();
  });
  afterAll(async () => { await api?.stop(); });

  describe('happy', () => {
    it('GET / is the page, never cached, with a strict content security policy; its assets are served', async () => {
      const res = await get('/');
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(res.headers.get('cache-control')).toBe('no-cache');
      expect(res.headers.get('content-security-policy')).toMatch(/default-src 'self'.*script-src 'self'.*frame-ancestors 'none'/);
      expect(res.headers.get('x-frame-options')).toBe('DENY');
      const html = await res.text();
      expect(html).toBe(readFileSync(join(CONSOLE_DIR, 'index.html'), 'utf8'));
      const script = /src="\.\/assets\/([^"]+\.js)"/.exec(html)![1];
      const js = await get(`/assets/${script}`, { 'accept-encoding': 'identity' });
      expect(js.status).toBe(200);
      expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
      expect(js.headers.get('cache-control')).toContain('immutable');
      expect(Buffer.from(await js.arrayBuffer())).toEqual(readFileSync(join(CONSOLE_DIR, 'assets', script)));
      expect((await get('/index.html')).status).toBe(200);
      expect((await fetch(`${api.url}/`, { method: 'HEAD' })).headers.get('content-type')).toBe('text/html; charset=utf-8');
    });

    it('assets go gzipped to a browser that accepts it', async () => {
      const css = assets().find((f) => f.endsWith('.css'))!;
      const res = await raw(`/assets/${css}`, { 'accept-encoding': 'gzip, br' });
      expect(res.headers['content-encoding']).toBe('gzip');
      expect(res.headers.vary).toBe('accept-encoding');
      expect(gunzipSync(res.body)).toEqual(readFileSync(join(CONSOLE_DIR, 'assets', css)));
      const plain = await raw(`/assets/${css}`);
      expect(plain.headers['content-encoding']).toBeUndefined();
      expect(plain.body).toEqual(readFileSync(join(CONSOLE_DIR, 'assets', css)));
    });

    it('every API URI still answers, and other paths stay the API\'s', async () => {
      expect((await api.call('/QueryLibraryList', { page_no: 1, page_size: 1 })).code).toBe(0);
      for (const path of ['/QueryLibraryList', '/console', '/favicon.ico']) {
        expect(await (await get(path)).json(), path).toMatchObject({ code: E.UNKNOWN_URI.code });
      }
      // the operations routes answer as themselves, not with the console's page
      const page = readFileSync(join(CONSOLE_DIR, 'index.html'), 'utf8');
      for (const path of ['/openapi.json', '/docs', '/healthz', '/metrics']) {
        const res = await get(path);
        expect(res.status, path).toBe(200);
        expect(await res.text(), path).not.toBe(page);
      }
      // GET /Events is the API's (issue 13): without a session it answers SESSION_MISSING, not the console
      expect(await (await get('/Events')).json()).toMatchObject({ code: E.SESSION_MISSING.code });
      expect(await (await fetch(`${api.url}/`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } })).json()).toMatchObject({ code: E.UNKNOWN_URI.code });
    });
  });

  describe('security', () => {
    it('only built asset names: no traversal, no dot files, no other types', async () => {
      for (const path of ['/assets/..%2F..%2Fpackage.json', '/assets/%2e%2e/%2e%2e/package.json', '/assets/../../package.json', '/assets/.build-stamp.json', '/assets/', '/assets/nope.js', '/assets/x.html', '/.build-stamp.json', '/assets/a/b.js', '/assets/%2e%2e%2fpackage.json']) {
        const res = await raw(path);
        expect(res.headers['content-type'] ?? '', path).toContain('application/json');
        expect(JSON.parse(res.body.toString()), path).toMatchObject({ code: E.UNKNOWN_URI.code });
      }
      // dot segments are resolved as URLs are (to /index.html here), never to files outside the build
      expect((await raw('/assets/%2e%2e/index.html')).body.toString()).toBe(readFileSync(join(CONSOLE_DIR, 'index.html'), 'utf8'));
    });
  });

  describe('error', () => {
    it('without a build, GET / answers UNKNOWN_URI as before', async () => {
      const empty = mkdtempSync(join(tmpdir(), 'no-console-'));
      try {
        const app = new Hono();
        app.notFound((c) => c.json({ code: E.UNKNOWN_URI.code, msg: 'no such URI' }));
        mountConsole(app as never, createLogger('silent', 'test'), empty);
        expect(await (await app.request('/')).json()).toMatchObject({ code: E.UNKNOWN_URI.code });
        expect(await (await app.request(`/assets/${assets()[0]}`)).json()).toMatchObject({ code: E.UNKNOWN_URI.code });
      } finally {
        rmSync(empty, { recursive: true, force: true });
      }
    });
  });
});
