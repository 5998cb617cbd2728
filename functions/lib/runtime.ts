/**
 * One function deployed alone: `toFetchHandler(fn)` is a standard `(Request) => Promise<Response>`
 * for any fetch-style function runtime (Cloudflare/Deno/Bun/Vercel, or Lambda via hono's adapter).
 * It is the same app the host mounts (buildApp with a one-element list). Resources and services are
 * built lazily, once per process (warm invocations reuse them), from the same env schema, and only
 * as far as the URI needs them: no worker runs here (no matcher, no camera-state writer, no clock),
 * and the object store, the bus and the face engine open only when the URI's service uses them.
 *
 *   // deploy/AddPerson.ts
 *   import { app } from '../functions/AddPerson.ts';
 *   export default { fetch: toFetchHandler(app) };
 */
import { parseHostEnv } from '../../core/config.ts';
import { createLogger } from '../../core/log.ts';
import { createServices, openResources, type Resources, type Services } from '../services/index.ts';
import { buildApp, once } from './app.ts';
import type { Mountable } from './define.ts';

export type FetchHandler = ((req: Request) => Promise<Response>) & {
  close(): Promise<void>;
  /** what was opened so far (tests look at it) */
  readonly resources: Resources | undefined;
};

export function toFetchHandler(fn: Mountable, env: Record<string, string | undefined> = process.env): FetchHandler {
  const parsed = parseHostEnv(env);
  const log = createLogger(parsed.LOG_LEVEL, `fn${fn.uri}`);
  let resources: Resources | undefined;
  const services = once(async (): Promise<Services> => {
    const r = await openResources(parsed, log);
    resources = r;
    const s = createServices(r);
    // the first account on a fresh database (one count query when accounts exist)
    if (fn.role === 'none') await s.accounts.ensureAdmin(parsed.ADMIN_PASSWORD);
    return s;
  });
  const app = buildApp([fn], services, log);
  const handler = async (req: Request) => app.fetch(req);
  /** for runtimes with a shutdown hook (and tests): release what was opened */
  const close = async () => {
    if (!resources) return;
    const s = await services();
    await Promise.allSettled([s.accounts.stop(), s.eventHub.close()]);
    await resources.close();
  };
  return Object.defineProperty(Object.assign(handler, { close }), 'resources', { get: () => resources }) as FetchHandler;
}
