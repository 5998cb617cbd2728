/** The single-host app: every function (and the event stream) of functions/index.ts on one Hono app, and the console at `/`. */
import type { Logger } from '../core/log.ts';
import { functions, streams } from './index.ts';
import { buildApp } from './lib/app.ts';
import { mountConsole } from './lib/console.ts';
import type { Services } from './services/index.ts';

export function createHostApp(getServices: () => Promise<Services>, log: Logger, consoleDir?: string) {
  const app = buildApp([...functions, ...streams], getServices, log);
  mountConsole(app, log, consoleDir);
  return app;
}
