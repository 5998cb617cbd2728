/**
 * Builds one Hono app from a list of functions (POST URIs, and the GET event stream): CORS for the
 * listed origins, request id + logger, compression of large answers, per-URI metrics, the init
 * middleware that puts the (once-per-process) services on the context, every function's route, and UNKNOWN_URI for the rest.
 * The Node host mounts all functions with it, plus the operations routes (functions/lib/ops.ts);
 * functions/lib/runtime.ts mounts one.
 */
import { randomUUID } from 'node:crypto';
import { Hono, type MiddlewareHandler } from 'hono';
import { cors } from 'hono/cors';
import { ErrorTable } from '../../core/errors.ts';
import type { Logger } from '../../core/log.ts';
import type { Metrics } from '../../core/metrics.ts';
import type { Services } from '../services/index.ts';
import { compress } from './compress.ts';
import type { HostEnv, Mountable } from './define.ts';
import { errorEnvelope } from './http.ts';
import { mountOps, type OpsOptions } from './ops.ts';

export type AppOptions = {
  /** origins whose pages may call the API (CORS_ORIGINS); none: no CORS headers at all */
  corsOrigins?: readonly string[];
  /** requests and latency per URI and code */
  metrics?: Metrics;
  /** GET /healthz, /readyz, /metrics, /openapi.json, /docs */
  ops?: OpsOptions;
};

/** the headers a browser page may send (the session travels in x-session or authorization) */
const CORS_HEADERS = ['content-type', 'x-session', 'authorization'];

/**
 * CORS for the listed origins only: a request or preflight from any other origin gets no CORS
 * header at all (hono's cors() would still send the allowed methods and headers).
 */
function corsFor(origins: readonly string[]): MiddlewareHandler {
  const allowed = cors({ origin: (o) => o, allowMethods: ['POST', 'GET', 'OPTIONS'], allowHeaders: CORS_HEADERS, exposeHeaders: ['X-Request-Id'], maxAge: 600 });
  const any = origins.includes('*');
  return async (c, next) => {
    const origin = c.req.header('origin');
    if (origin && (any || origins.includes(origin))) return allowed(c, next);
    if (c.req.method === 'OPTIONS' && c.req.header('access-control-request-method')) return c.body(null, 204, { vary: 'Origin' });
    await next();
    c.header('Vary', 'Origin', { append: true });
  };
}

/** requests and latency per URI and answer code (unknown paths are one label, not one each) */
function measure(metrics: Metrics, uris: ReadonlySet<string>): MiddlewareHandler<HostEnv> {
  const requests = metrics.counter('facewatch_http_requests_total', 'API calls answered, by URI and answer code', ['uri', 'code']);
  const latency = metrics.histogram('facewatch_http_request_duration_seconds', 'time to answer an API call, by URI and answer code', ['uri', 'code'],
    [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]);
  return async (c, next) => {
    const start = performance.now();
    await next();
    const code = c.get('code');
    if (code === undefined) return; // not an API call (operations routes, preflights)
    const labels = { uri: uris.has(c.req.path) ? c.req.path : '(unknown)', code: String(code) };
    requests.inc(labels);
    latency.observe(labels, (performance.now() - start) / 1000);
  };
}

export function buildApp(functions: readonly Mountable[], getServices: () => Promise<Services>, log: Logger, opts: AppOptions = {}): Hono<HostEnv> {
  const app = new Hono<HostEnv>();
  const seen = new Set<string>();
  for (const fn of functions) {
    if (seen.has(fn.uri)) throw new Error(`function ${fn.uri} is mounted twice`);
    seen.add(fn.uri);
  }
  if (opts.corsOrigins?.length) app.use('*', corsFor(opts.corsOrigins));
  app.use('*', async (c, next) => {
    const requestId = randomUUID();
    c.header('X-Request-Id', requestId);
    c.set('requestId', requestId);
    c.set('log', log.child({ requestId, uri: c.req.path }));
    await next();
  });
  app.use('*', compress());
  if (opts.metrics) app.use('*', measure(opts.metrics, seen));
  if (opts.ops) mountOps(app, opts.ops);
  app.use('*', async (c, next) => {
    c.set('services', await getServices());
    await next();
  });
  for (const fn of functions) app.route('/', fn.app);
  app.notFound((c) => {
    c.set('code', ErrorTable.UNKNOWN_URI.code);
    return c.json({ code: ErrorTable.UNKNOWN_URI.code, msg: `no such URI: ${c.req.method} ${c.req.path} (every URI is POST)` });
  });
  app.onError((e, c) => c.json(errorEnvelope(e, c.get('log') ?? log)));
  return app;
}

/** Resolves `create` once and hands the same promise to every caller (lazy, once per process). */
export function once<T>(create: () => Promise<T>): () => Promise<T> {
  let p: Promise<T> | undefined;
  return () => (p ??= create().catch((e) => { p = undefined; throw e; }));
}
