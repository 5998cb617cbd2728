/**
 * The Node entry (`npm start`): parse env, build services (db under DATA_DIR/db unless DATABASE_URL,
 * objects under DATA_DIR/objects unless S3_*, bus in process unless NATS_URL), start the background
 * parts — the matcher (face messages → records), the camera-state writer, the desired-state sender,
 * the webhook dispatcher and the event log's retention (workers/) and, by default without NATS_URL
 * (or with EMBEDDED_STREAM_NODE=1), a stream node reading the cameras in this process — mount every
 * function, listen on PORT, and shut down gracefully on SIGINT/SIGTERM. Without any outside service
 * this one process is the whole system.
 */
import { serve, type ServerType } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import { ConfigError, outboxOptions, parseHostEnv } from '../core/config.ts';
import { createLogger, type Logger } from '../core/log.ts';
import { createHostApp } from './app.ts';
import { createServices, type ParsedEnv, type Services } from './services/index.ts';
import { StreamNode } from '../stream-node/node.ts';
import { createAddressPolicy } from '../core/net/address-policy.ts';
import { createWebhookSender } from '../core/webhook/index.ts';
import { createWebhookDispatcher, type WebhookDispatcher } from '../workers/webhook.ts';
import { createEventRetention } from '../workers/eventRetention.ts';

export type RunningHost = { url: string; port: number; services: Services; node?: StreamNode; webhook: WebhookDispatcher; stop(): Promise<void> };

/** The webhook dispatcher of this host (one instance dispatches at a time: it holds the lease). */
function webhookDispatcher(env: ParsedEnv, services: Services, logger: Logger): WebhookDispatcher {
  return createWebhookDispatcher({
    repo: services.repos.webhook, config: services.webhook.current, bus: services.bus, log: logger.child({ part: 'webhook' }),
    sender: createWebhookSender({ policy: createAddressPolicy(env.WEBHOOK_ALLOWED_RANGES), timeoutMs: env.WEBHOOK_TIMEOUT_MS }),
    retryBaseMs: env.WEBHOOK_RETRY_BASE_MS, retryMaxMs: env.WEBHOOK_RETRY_MAX_MS, giveUpMs: env.WEBHOOK_GIVE_UP_MS,
  });
}

/** The stream node inside the API process: same engine, store and bus as the API. */
function embeddedNode(env: ParsedEnv, services: Services, logger: Logger): StreamNode {
  return new StreamNode({
    node: env.STREAM_NODE_NAME, capacity: env.STREAM_CAPACITY, bus: services.bus, engine: services.face, store: services.store,
    leaseTtlMs: env.LEASE_TTL_MS, detectWidth: env.DETECT_WIDTH, logger: logger.child({ node: env.STREAM_NODE_NAME }), cameraPolicy: services.policies.camera,
    outbox: outboxOptions(env, env.STREAM_NODE_NAME),
    tracker: { publishPeriodMs: env.PUBLISH_PERIOD_MS, maxIdleMs: env.TRACK_IDLE_MS, minQuality: env.MIN_FACE_QUALITY },
  });
}

export async function startHost(env: Record<string, string | undefined> = process.env, log?: Logger): Promise<RunningHost> {
  const parsed = parseHostEnv(env);
  const logger = log ?? createLogger(parsed.LOG_LEVEL, 'api');
  const services = await createServices(parsed, logger);
  const app = createHostApp(async () => services, logger);
  let server: ServerType;
  let node: StreamNode | undefined;
  const webhook = webhookDispatcher(parsed, services, logger);
  const retention = createEventRetention({ repo: services.repos.events, log: logger.child({ part: 'events' }), retentionHours: parsed.EVENT_RETENTION_HOURS });
  const stopWorkers = () => Promise.allSettled([webhook.stop(), retention.stop()]);
  try {
    await services.matcher.start();
    services.cameraState.start();
    webhook.start();
    retention.start();
    if (parsed.EMBEDDED_STREAM_NODE ?? !parsed.NATS_URL) {
      node = embeddedNode(parsed, services, logger);
      await node.start();
    }
    services.taskControl.start();
    server = await new Promise<ServerType>((resolve, reject) => {
      const s = serve({ fetch: app.fetch, port: parsed.PORT, hostname: parsed.HOST }, () => resolve(s));
      s.once('error', reject); // e.g. EADDRINUSE
    });
  } catch (e) {
    await node?.stop();
    await stopWorkers();
    await services.close();
    throw e;
  }
  const port = (server.address() as AddressInfo).port;
  const host = parsed.HOST === '0.0.0.0' || parsed.HOST === '::' ? '127.0.0.1' : parsed.HOST;
  logger.info({ port, db: services.db.kind, bus: parsed.NATS_URL ? 'nats' : 'memory', streamNode: !!node }, 'API listening');
  let stopping: Promise<void> | undefined;
  return {
    url: `http://${host}:${port}`,
    port,
    services,
    node,
    webhook,
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
      await node?.stop(); // frees its camera leases at once
      await stopWorkers();
      await services.close();
    })()),
  };
}

const isMain = !!process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href;
if (isMain) {
  try {
    const host = await startHost();
    const shutdown = (signal: string) => {
      host.services.log.info({ signal }, 'shutting down');
      const force = setTimeout(() => process.exit(1), 10_000);
      force.unref();
      host.stop().then(() => process.exit(0), (e) => { host.services.log.error({ err: e }, 'shutdown failed'); process.exit(1); });
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
