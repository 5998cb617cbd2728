/** The single-host app: every function of functions/index.ts on one Hono app, with the operations routes. */
import type { Logger } from '../core/log.ts';
import { groups, functions } from './index.ts';
import { buildApp, type AppOptions } from './lib/app.ts';
import { openApiDocument } from './lib/openapi.ts';
import type { OpsOptions } from './lib/ops.ts';
import type { Services } from './services/index.ts';

export const createHostApp = (getServices: () => Promise<Services>, log: Logger, opts: Omit<AppOptions, 'ops'> & { ops?: Omit<OpsOptions, 'openapi'> } = {}) =>
  buildApp(functions, getServices, log, { ...opts, ops: opts.ops && { ...opts.ops, openapi: () => openApiDocument(groups) } });
