/**
 * What an operator and an integrator need beside the URIs, served by the API host (GET):
 *   /healthz       the process is alive (a load balancer's liveness probe)
 *   /readyz        the database, the object store and the bus answer within READY_TIMEOUT_MS;
 *                  503 naming each part that does not (readiness: take the instance out meanwhile)
 *   /metrics       Prometheus text (core/metrics.ts; the list is in docs/architecture.md)
 *   /openapi.json  the API's OpenAPI 3.1 description, generated from the URI table
 *   /docs          that description as a page: Swagger UI, served from node_modules (no CDN)
 * Unauthenticated on purpose (probes and scrapers have no session); none of them says anything a
 * caller could not learn from the public API description, and failures are named by part, not by
 * the driver's message (logged instead).
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import type { Hono } from 'hono';
import { isAppError } from '../../core/errors.ts';
import type { Logger } from '../../core/log.ts';
import type { Metrics } from '../../core/metrics.ts';
import type { HostEnv } from './define.ts';

export const READY_TIMEOUT_MS = 2000;

export type ReadinessChecks = Record<string, () => Promise<void>>;

export type OpsOptions = {
  /** each part's check (database, objectStore, bus) */
  ready: ReadinessChecks;
  metrics: Metrics;
  /** the OpenAPI document (built on first request, then kept) */
  openapi: () => object;
  log: Logger;
};

async function within<T>(ms: number, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([work, new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error('timeout')), ms); })]);
  } finally {
    clearTimeout(timer);
  }
}

/** Each part's state: "ok", or why not in a few words (never a driver's message: those are logged). */
export async function readiness(checks: ReadinessChecks, log: Logger): Promise<{ ready: boolean; failing: string[]; checks: Record<string, string> }> {
  const results = await Promise.all(Object.entries(checks).map(async ([part, check]) => {
    try {
      await within(READY_TIMEOUT_MS, check());
      return [part, 'ok'] as const;
    } catch (e) {
      log.warn({ err: e, part }, 'readiness: a part does not answer');
      const why = (e as Error)?.message === 'timeout' ? `no answer within ${READY_TIMEOUT_MS} ms` : isAppError(e) ? e.kind.toLowerCase().replace(/_/g, ' ') : 'unavailable';
      return [part, why] as const;
    }
  }));
  const failing = results.filter(([, r]) => r !== 'ok').map(([p]) => p);
  return { ready: failing.length === 0, failing, checks: Object.fromEntries(results) };
}

const swaggerDir = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
/** the renderer's files the page loads; nothing else of the folder is served */
const ASSETS: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'swagger-ui-standalone-preset.js': 'text/javascript; charset=utf-8',
  'favicon-32x32.png': 'image/png',
};

const DOCS_PAGE = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>facewatch API</title>
  <link rel="stylesheet" href="/docs/swagger-ui.css">
  <link rel="icon" type="image/png" href="/docs/favicon-32x32.png">
</head>
<body>
  <div id="docs"></div>
  <script src="/docs/swagger-ui-bundle.js"></script>
  <script src="/docs/swagger-ui-standalone-preset.js"></script>
  <script>
    window.ui = SwaggerUIBundle({
      url: '/openapi.json', dom_id: '#docs', deepLinking: true, validatorUrl: null,
      presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset], layout: 'StandaloneLayout',
    });
  </script>
</body>
</html>
`;

export function mountOps(app: Hono<HostEnv>, o: OpsOptions): void {
  let openapi: string | undefined;
  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  app.get('/readyz', async (c) => {
    const r = await readiness(o.ready, o.log);
    return c.json(r.ready ? { status: 'ready', checks: r.checks } : { status: 'unavailable', failing: r.failing, checks: r.checks }, r.ready ? 200 : 503);
  });
  app.get('/metrics', async (c) => c.body(await o.metrics.text(), 200, { 'content-type': o.metrics.contentType }));
  app.get('/openapi.json', (c) => c.body((openapi ??= JSON.stringify(o.openapi())), 200, { 'content-type': 'application/json; charset=utf-8' }));
  app.get('/docs', (c) => c.html(DOCS_PAGE));
  app.get('/docs/:file', async (c) => {
    const file = c.req.param('file');
    const type = Object.hasOwn(ASSETS, file) ? ASSETS[file] : undefined;
    if (!type) return c.notFound();
    const path = join(swaggerDir, file);
    const { size } = await stat(path);
    // streamed from disk: the 1.7 MB bundle is never kept in memory
    return new Response(Readable.toWeb(createReadStream(path)) as ReadableStream, {
      headers: { 'content-type': type, 'content-length': String(size), 'cache-control': 'public, max-age=86400' },
    });
  });
}
