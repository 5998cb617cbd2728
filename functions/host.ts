/**
 * The Node entry (`npm start`): parse env, open the resources (db under DATA_DIR/db unless
 * DATABASE_URL, objects under DATA_DIR/objects unless S3_*, bus in process unless NATS_URL), build
 * the request services, start the workers (workers/: the matcher, the camera-state writer, the
 * desired-state clock, the webhook dispatcher, the event log's retention and, by default without
 * NATS_URL, a stream node reading the cameras in this process), mount every function, listen on
 * PORT, and shut down gracefully on SIGINT/SIGTERM. Without any outside service this one process is
 * the whole system.
 */
import { serve, type ServerType } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import { ConfigError, parseHostEnv } from '../core/config.ts';
import { createLogger, type Logger } from '../core/log.ts';
import type { StreamNode } from '../stream-node/node.ts';
import { createMetrics, type Metrics } from '../core/metrics.ts';
import { startWorkers, type Workers } from '../workers/index.ts';
import { registerWorkerMetrics } from '../workers/metrics.ts';
import { createHostApp } from './app.ts';
import { createServices, openResources, type Resources, type Services } from './services/index.ts';

export type RunningHost = {
  url: string; port: number; resources: Resources; services: Services; workers: Workers; node?: StreamNode; metrics: Metrics; stop(): Promise<void>;
};

export async function startHost(env: Record<string, string | undefined> = process.env, log?: Logger): Promise<RunningHost> {
  const parsed = parseHostEnv(env);
  const logger = log ?? createLogger(parsed.LOG_LEVEL, 'api');
  const resources = await openResources(parsed, logger);
  const services = createServices(resources);
  const metrics = createMetrics();
  const app = createHostApp(async () => services, logger, {
    corsOrigins: parsed.CORS_ORIGINS,
    metrics,
    ops: {
      metrics,
      log: logger,
      ready: { database: () => resources.repos.health.ping(), objectStore: () => resources.store.check(), bus: () => resources.bus.check() },
    },
  });
  let server: ServerType;
  let workers: Workers | undefined;
  try {
    // Everything now, not on a first request: a bad setting or a dead dependency stops the start.
    for (const name of Object.keys(services)) void services[name as keyof Services];
    await resources.openAll();
    await services.accounts.ensureAdmin(parsed.ADMIN_PASSWORD);
    services.accounts.listen();
    workers = await startWorkers(resources, services);
    registerWorkerMetrics(metrics, workers, resources);
    server = await new Promise<ServerType>((resolve, reject) => {
      const s = serve({ fetch: app.fetch, port: parsed.PORT, hostname: parsed.HOST }, () => resolve(s));
      s.once('error', reject); // e.g. EADDRINUSE
    });
  } catch (e) {
    await workers?.stop();
    await services.accounts.stop();
    await resources.close();
    throw e;
  }
  const port = (server.address() as AddressInfo).port;
  const host = parsed.HOST === '0.0.0.0' || parsed.HOST === '::' ? '127.0.0.1' : parsed.HOST;
  const running = workers;
  logger.info({ port, db: resources.db.kind, bus: parsed.NATS_URL ? 'nats' : 'memory', streamNode: !!running.node }, 'API listening');
  let stopping: Promise<void> | undefined;
  return {
    url: `http://${host}:${port}`,
    port,
    resources,
    services,
    workers: running,
    node: running.node,
    metrics,
    stop: () => (stopping ??= (async () => {
      // the live event streams end first: close() waits for every open connection
      await services.eventHub.close();
      await new Promise<void>((resolve) => {
        // idle keep-alive sockets would hold close() open (an ended event stream's socket turns idle a moment later)
        const idle = () => (server as unknown as { closeIdleConnections?: () => void }).closeIdleConnections?.();
        const timer = setInterval(idle, 100).unref();
        server.close(() => { clearInterval(timer); resolve(); });
        idle();
      });
      await running.stop(); // the node frees its camera leases at once
      await services.accounts.stop();
      await resources.close();
    })()),
  };
}

const isMain = !!process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href;
if (isMain) {
  try {
    const host = await startHost();
    const shutdown = (signal: string) => {
      host.resources.log.info({ signal }, 'shutting down');
      const force = setTimeout(() => process.exit(1), 10_000);
      force.unref();
      host.stop().then(() => process.exit(0), (e) => { host.resources.log.error({ err: e }, 'shutdown failed'); process.exit(1); });
    };
    process.once('SIGINT', () => shutdown('SIGINT'));
    process.once('SIGTERM', () => shutdown('SIGTERM'));
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`${e.message}\n`);
      process.exit(2);
    }
    // An operator needs the reason in one line (port taken, data dir not writable, ...), not a trace.
    const err = e as NodeJS.ErrnoException;
    const hint = err.code === 'EADDRINUSE' ? ' (another process uses this port: set PORT)' : '';
    process.stderr.write(`facewatch could not start: ${err.message ?? String(e)}${hint}\n`);
    process.exit(1);
  }
}
