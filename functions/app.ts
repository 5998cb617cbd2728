/**
 * The single-host app: every function (and the event stream) of functions/index.ts on one Hono app, with the operations
 * routes (health, readiness, metrics, the API's description) and the console at `/`.
 */
import type { Logger } from '../core/log.ts';
import { functions, groups, streams } from './index.ts';
import { buildApp, type AppOptions } from './lib/app.ts';
import { mountConsole } from './lib/console.ts';
import { openApiDocument } from './lib/openapi.ts';
import type { OpsOptions } from './lib/ops.ts';
import type { Services } from './services/index.ts';

export type HostAppOptions = Omit<AppOptions, 'ops'> & { ops?: Omit<OpsOptions, 'openapi'>; consoleDir?: string };

export function createHostApp(getServices: () => Promise<Services>, log: Logger, opts: HostAppOptions = {}) {
  const app = buildApp([...functions, ...streams], getServices, log, { ...opts, ops: opts.ops && { ...opts.ops, openapi: () => openApiDocument(groups, streams) } });
  mountConsole(app, log, opts.consoleDir);
  return app;
}
