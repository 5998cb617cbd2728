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
import { createServices } from '../services/index.ts';
import { buildApp, once } from './app.ts';
import type { ApiFunction } from './define.ts';

export function toFetchHandler(fn: ApiFunction, env: Record<string, string | undefined> = process.env): (req: Request) => Promise<Response> {
  const parsed = parseHostEnv(env);
  const log = createLogger(parsed.LOG_LEVEL, `fn${fn.uri}`);
  const app = buildApp([fn], once(() => createServices(parsed, log)), log);
  return async (req) => app.fetch(req);
}
