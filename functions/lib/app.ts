/**
 * Builds one Hono app from a list of functions (POST URIs, and the GET event stream): request id +
 * logger, the init middleware that puts the (once-per-process) services on the context, every
 * function's route, and UNKNOWN_URI for the rest. The Node host mounts all functions with it; functions/lib/runtime.ts mounts one.
 */
import { randomUUID } from 'node:crypto';
import { Hono } from 'hono';
import { ErrorTable } from '../../core/errors.ts';
import type { Logger } from '../../core/log.ts';
import type { Services } from '../services/index.ts';
import type { HostEnv, Mountable } from './define.ts';
import { errorEnvelope } from './http.ts';

export function buildApp(functions: readonly Mountable[], getServices: () => Promise<Services>, log: Logger): Hono<HostEnv> {
  const app = new Hono<HostEnv>();
  const seen = new Set<string>();
  for (const fn of functions) {
    if (seen.has(fn.uri)) throw new Error(`function ${fn.uri} is mounted twice`);
    seen.add(fn.uri);
  }
  app.use('*', async (c, next) => {
    const requestId = randomUUID();
    c.header('X-Request-Id', requestId);
    c.set('requestId', requestId);
    c.set('log', log.child({ requestId, uri: c.req.path }));
    c.set('services', await getServices());
    await next();
  });
  for (const fn of functions) app.route('/', fn.app);
  app.notFound((c) => c.json({ code: ErrorTable.UNKNOWN_URI.code, msg: `no such URI: ${c.req.method} ${c.req.path} (every URI is POST)` }));
  app.onError((e, c) => c.json(errorEnvelope(e, c.get('log') ?? log)));
  return app;
}

/** Resolves `create` once and hands the same promise to every caller (lazy, once per process). */
export function once<T>(create: () => Promise<T>): () => Promise<T> {
  let p: Promise<T> | undefined;
  return () => (p ??= create().catch((e) => { p = undefined; throw e; }));
}
