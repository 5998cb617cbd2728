/**
 * The host as an operator and a browser see it, over HTTP: /healthz, /readyz (503 naming the part
 * that is down, with the database or the object store stopped under a wire-backend host),
 * /openapi.json and /docs (served from the host, no CDN), CORS for the listed origins only, and
 * compression of large answers.
 */
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { groups, streams } from '../../functions/index.ts';
import { chooseEncoding } from '../../functions/lib/compress.ts';
import { openApiDocument } from '../../functions/lib/openapi.ts';
import { startApi, type Api } from '../support/api.ts';

const CONSOLE = 'http://console.example.test';

/** a GET with the headers given, the body as bytes (fetch would decompress it) */
function get(url: string, headers: Record<string, string> = {}, method = 'GET'): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}
const corsHeaders = (h: Record<string, unknown>) => Object.keys(h).filter((k) => k.startsWith('access-control-'));

describe('embedded host', () => {
  let api: Api;
  beforeAll(async () => {
    api = await startApi('embedded', { CORS_ORIGINS: `${CONSOLE}, https://other.example.test` });
    await api.login();
  }, 120_000);
  afterAll(async () => { await api?.stop(); });

  it('/healthz answers; /readyz names each part ok', async () => {
    expect(await (await fetch(`${api.url}/healthz`)).json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${api.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', checks: { database: 'ok', objectStore: 'ok', bus: 'ok' } });
  });

  it('/openapi.json is the document of the URI table; /docs renders it from files the host serves', async () => {
    expect(await (await fetch(`${api.url}/openapi.json`)).json()).toEqual(JSON.parse(JSON.stringify(openApiDocument(groups, streams))));
    const page = await (await fetch(`${api.url}/docs`)).text();
    expect(page).toContain("url: '/openapi.json'");
    const scripts = [...page.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]);
    expect(scripts.every((s) => s.startsWith('/docs/'))).toBe(true); // nothing from another host
    for (const s of scripts) {
      const res = await fetch(api.url + s);
      expect(res.status, s).toBe(200);
      expect((await res.arrayBuffer()).byteLength, s).toBeGreaterThan(100);
    }
    for (const bad of ['/docs/package.json', '/docs/..%2fpackage.json', '/docs/index.html']) {
      expect(await (await fetch(api.url + bad)).json(), bad).toMatchObject({ code: 3000 });
    }
  });

  it('a preflight from a listed origin is answered with CORS headers; a call from it may read X-Request-Id', async () => {
    const pre = await get(`${api.url}/Login`, { origin: CONSOLE, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,x-session' }, 'OPTIONS');
    expect(pre.status).toBe(204);
    expect(pre.headers['access-control-allow-origin']).toBe(CONSOLE);
    expect(String(pre.headers['access-control-allow-methods']).split(',')).toContain('POST');
    expect(String(pre.headers['access-control-allow-headers']).split(',')).toEqual(expect.arrayContaining(['content-type', 'x-session', 'authorization']));
    const res = await fetch(`${api.url}/QueryLibraryList`, {
      method: 'POST', headers: { origin: CONSOLE, 'content-type': 'application/json', 'x-session': api.session }, body: JSON.stringify({ page_no: 1, page_size: 1 }),
    });
    expect(((await res.json()) as { code: number }).code).toBe(0);
    expect(res.headers.get('access-control-allow-origin')).toBe(CONSOLE);
    expect(res.headers.get('access-control-expose-headers')).toContain('X-Request-Id');
  });

  it('a preflight or a call from any other origin gets no CORS header at all', async () => {
    const pre = await get(`${api.url}/Login`, { origin: 'https://evil.example.test', 'access-control-request-method': 'POST', 'access-control-request-headers': 'x-session' }, 'OPTIONS');
    expect(corsHeaders(pre.headers)).toEqual([]);
    const res = await get(`${api.url}/healthz`, { origin: 'https://evil.example.test' });
    expect(corsHeaders(res.headers)).toEqual([]);
  });

  it('large answers are compressed with br or gzip when accepted; small ones and refusing clients get them plain', async () => {
    const plain = await get(`${api.url}/openapi.json`);
    expect(plain.headers['content-encoding']).toBeUndefined();
    const br = await get(`${api.url}/openapi.json`, { 'accept-encoding': 'gzip, deflate, br' });
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.body.length).toBeLessThan(plain.body.length / 4);
    expect(brotliDecompressSync(br.body).equals(plain.body)).toBe(true);
    const gz = await get(`${api.url}/openapi.json`, { 'accept-encoding': 'gzip, br;q=0' });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gz.body).equals(plain.body)).toBe(true);
    expect(String(gz.headers.vary)).toContain('Accept-Encoding');
    const small = await get(`${api.url}/healthz`, { 'accept-encoding': 'br' });
    expect(small.headers['content-encoding']).toBeUndefined();
    expect(JSON.parse(small.body.toString())).toEqual({ status: 'ok' });
    expect([chooseEncoding('identity'), chooseEncoding('*'), chooseEncoding('br;q=0, gzip;q=0'), chooseEncoding(undefined)]).toEqual([undefined, 'br', undefined, undefined]);
  });
});

describe('without CORS_ORIGINS (the default)', () => {
  let api: Api;
  beforeAll(async () => { api = await startApi('embedded'); }, 120_000);
  afterAll(async () => { await api?.stop(); });

  it('no origin gets CORS headers', async () => {
    const pre = await get(`${api.url}/Login`, { origin: CONSOLE, 'access-control-request-method': 'POST' }, 'OPTIONS');
    expect(corsHeaders(pre.headers)).toEqual([]);
  });
});

describe('wire host: /readyz with a part stopped', () => {
  let api: Api;
  beforeAll(async () => { api = await startApi('wire'); }, 120_000);
  afterAll(async () => { await api?.stop(); });

  it('503 naming the object store, then the database too, while they are down', async () => {
    await api.stopObjectStore();
    const store = await fetch(`${api.url}/readyz`);
    expect(store.status).toBe(503);
    expect(await store.json()).toMatchObject({ status: 'unavailable', failing: ['objectStore'], checks: { database: 'ok', bus: 'ok' } });
    await api.stopDatabase();
    const both = await fetch(`${api.url}/readyz`);
    expect(both.status).toBe(503);
    const body = await both.json();
    expect(body).toMatchObject({ status: 'unavailable', failing: ['database', 'objectStore'], checks: { bus: 'ok' } });
    expect(JSON.stringify(body)).not.toMatch(/127\.0\.0\.1|ECONNREFUSED|postgres/i); // parts named, not the drivers' messages
    expect(await (await fetch(`${api.url}/healthz`)).json()).toEqual({ status: 'ok' }); // alive all the same
  }, 60_000);
});
