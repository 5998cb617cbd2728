/**
 * The operator console (console/, built into dist/console by infra/build.mjs) served by the API host
 * as static files: `GET /` (and /index.html) and `GET /assets/<file>`, nothing else, so every API
 * path (POST /<Uri>, GET /Events, /openapi.json, /docs, /healthz, /metrics ...) stays the API's and
 * the console routes by URL hash. Without a build, GET / answers UNKNOWN_URI as before.
 *
 * Assets have content-hashed names: cached for a year, served gzipped when the browser accepts it
 * (the build stores a .gz beside each). The page itself is never cached and carries a strict
 * content security policy: scripts, styles and connections only from this host, pictures also as
 * data: URLs (thumbnails arrive base64), no framing.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Context, Hono } from 'hono';
import type { Logger } from '../../core/log.ts';
import { repoPath } from '../../core/paths.ts';
import type { HostEnv } from './define.ts';

export const CONSOLE_DIR = repoPath('dist', 'console');

const TYPES: Record<string, string> = {
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  svg: 'image/svg+xml',
  png: 'image/png',
  woff2: 'font/woff2',
  json: 'application/json',
};

export const CONSOLE_CSP = [
  "default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self' data: blob:", "connect-src 'self'",
  "object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'", "form-action 'self'",
].join('; ');

const SECURITY_HEADERS = { 'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer', 'x-frame-options': 'DENY' };

type Asset = { body: Buffer; gzip: Buffer | null; type: string };

export function mountConsole(app: Hono<HostEnv>, log: Logger, dir = CONSOLE_DIR): void {
  // hashed names never change content: read once; at most the current and previous build's files exist
  const assets = new Map<string, Promise<Asset | null>>();
  const loadAsset = (name: string) => {
    let p = assets.get(name);
    if (!p) {
      const type = TYPES[name.slice(name.lastIndexOf('.') + 1)];
      p = !type ? Promise.resolve(null) : Promise.all([
        readFile(join(dir, 'assets', name)),
        readFile(join(dir, 'assets', `${name}.gz`)).catch(() => null),
      ]).then(([body, gzip]) => ({ body, gzip, type }), () => null);
      p.then((a) => { if (!a) assets.delete(name); });
      assets.set(name, p);
    }
    return p;
  };

  let warned = false;
  const page = async (c: Context<HostEnv>) => {
    const html = await readFile(join(dir, 'index.html')).catch(() => null);
    if (!html) {
      if (!warned) log.warn({ dir }, 'the console is not built (npm run build); GET / answers UNKNOWN_URI');
      warned = true;
      return c.notFound();
    }
    return c.body(new Uint8Array(html), 200, {
      'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-cache', 'content-security-policy': CONSOLE_CSP, ...SECURITY_HEADERS,
    });
  };
  app.get('/', page); // HEAD too: Hono answers it with the GET handler, without the body
  app.get('/index.html', page);
  app.get('/assets/:file', async (c) => {
    const name = c.req.param('file');
    // only names the build writes: no path separators, no dot files
    const asset = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(name) ? await loadAsset(name) : null;
    if (!asset) return c.notFound();
    const gzip = asset.gzip && /\bgzip\b/.test(c.req.header('accept-encoding') ?? '');
    const body = gzip ? asset.gzip! : asset.body;
    return c.body(new Uint8Array(body), 200, {
      'content-type': asset.type, 'cache-control': 'public, max-age=31536000, immutable', vary: 'accept-encoding',
      ...(gzip ? { 'content-encoding': 'gzip' } : {}), ...SECURITY_HEADERS,
    });
  });
}
