/** The single-host app: every function (and the event stream) of functions/index.ts on one Hono app. */
import type { Logger } from '../core/log.ts';
import { functions, streams } from './index.ts';
import { buildApp } from './lib/app.ts';
import type { Services } from './services/index.ts';

export const createHostApp = (getServices: () => Promise<Services>, log: Logger) => buildApp([...functions, ...streams], getServices, log);
