/**
 * One function deployed alone: `toFetchHandler(fn)` is a standard `(Request) => Promise<Response>`
 * for any fetch-style function runtime (Cloudflare/Deno/Bun/Vercel, or Lambda via hono's adapter).
 * It is the same app the host mounts (buildApp with a one-element list) and services are built
 * lazily, once per process (warm invocations reuse them), from the same env schema.
 *
 *   // deploy/AddPerson.ts
 *   import { app } from '../functions/AddPerson.ts';
 *   export default { fetch: toFetchHandler(app) };
 */
import { parseHostEnv } from '../../core/config.ts';
import { createLogger } from '../../core/log.ts';
import { createServices, type Services } from '../services/index.ts';
import { buildApp, once } from './app.ts';
import type { Mountable } from './define.ts';

export type FetchHandler = ((req: Request) => Promise<Response>) & { close(): Promise<void> };

export function toFetchHandler(fn: Mountable, env: Record<string, string | undefined> = process.env): FetchHandler {
  const parsed = parseHostEnv(env);
  const log = createLogger(parsed.LOG_LEVEL, `fn${fn.uri}`);
  let built: Promise<Services> | undefined;
  const services = once(() => (built = createServices(parsed, log)));
  const app = buildApp([fn], services, log);
  const handler = async (req: Request) => app.fetch(req);
  /** for runtimes with a shutdown hook (and tests): release the db, store and face engine */
  const close = async () => { if (built) await (await built).close(); };
  return Object.assign(handler, { close });
}
