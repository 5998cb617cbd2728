/**
 * The stream node as its own process (near the cameras): parse env (stream-node/config.ts), connect
 * to NATS, the shared object store and the face engine, run a StreamNode until SIGINT/SIGTERM, then
 * stop the cameras and free their leases so other nodes take them at once.
 * Run: NATS_URL=... S3_ENDPOINT=... S3_BUCKET=... S3_ACCESS_KEY_ID=... S3_SECRET_ACCESS_KEY=...
 *      NODE_NAME=edge-1 tsx stream-node/main.ts
 * (In the embedded default the API process builds a StreamNode on its in-process bus instead.)
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import { connectNatsBus } from '../core/bus/nats.ts';
import { Streams } from '../core/bus/subjects.ts';
import { ConfigError } from '../core/env/parse.ts';
import { outboxOptions, pipelineOptions } from '../core/env/pipeline.ts';
import { storageConfigOf } from '../core/env/storage.ts';
import { createFaceEngine } from '../core/face/index.ts';
import { createLogger, type Logger } from '../core/log.ts';
import { createMetrics, type Metrics } from '../core/metrics.ts';
import { createObjectStore } from '../core/storage/index.ts';
import { createAddressPolicy } from '../core/net/index.ts';
import { parseStreamNodeEnv, streamNodeEngineOptions } from './config.ts';
import { registerStreamNodeMetrics } from './metrics.ts';
import { StreamNode } from './node.ts';

export interface RunningStreamNode {
  node: StreamNode;
  /** the port of this node's /metrics, when served */
  metricsPort?: number;
  stop(): Promise<void>;
}

/** GET /metrics and /healthz on a port of the node's own (Prometheus scrapes each node). */
async function serveMetrics(metrics: Metrics, port: number, host: string): Promise<Server> {
  const server = createServer((req, res) => {
    if (req.method === 'GET' && req.url === '/metrics') {
      metrics.text().then((text) => { res.writeHead(200, { 'content-type': metrics.contentType }).end(text); }, () => { res.writeHead(500).end(); });
    } else if (req.method === 'GET' && req.url === '/healthz') {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
    } else res.writeHead(404).end();
  });
  await new Promise<void>((resolve, reject) => { server.once('error', reject); server.listen(port, host, () => resolve()); });
  return server;
}

export async function startStreamNode(env: Record<string, string | undefined> = process.env, log?: Logger): Promise<RunningStreamNode> {
  const cfg = parseStreamNodeEnv(env);
  if (!cfg.NATS_URL) throw new ConfigError('bad environment: NATS_URL is required for a separate stream node');
  const logger = (log ?? createLogger(cfg.LOG_LEVEL, 'stream-node')).child({ node: cfg.NODE_NAME });
  const bus = await connectNatsBus({ servers: cfg.NATS_URL, name: cfg.NODE_NAME, logger });
  const store = await createObjectStore(storageConfigOf(cfg, cfg.DATA_DIR)); // S3: parseStreamNodeEnv requires it with NATS
  const engine = createFaceEngine(streamNodeEngineOptions(cfg));
  try {
    await bus.ensureStream(Streams.FACES);
    const node = new StreamNode({
      node: cfg.NODE_NAME, capacity: cfg.CAPACITY, bus, engine, store, logger, ...pipelineOptions(cfg),
      outbox: outboxOptions(cfg, cfg.NODE_NAME),
      cameraPolicy: createAddressPolicy(cfg.CAMERA_ALLOWED_RANGES, 'CAMERA_ALLOWED_RANGES'),
    });
    await node.start();
    let metricsServer: Server | undefined;
    if (cfg.METRICS_PORT !== 'off') {
      const metrics = createMetrics();
      registerStreamNodeMetrics(metrics, cfg.NODE_NAME, node);
      // a taken port costs the figures, not the cameras: logged, and the node runs on
      metricsServer = await serveMetrics(metrics, cfg.METRICS_PORT, cfg.METRICS_HOST)
        .catch((err) => { logger.error({ err, port: cfg.METRICS_PORT }, 'cannot serve /metrics; running without'); return undefined; });
    }
    const metricsPort = (metricsServer?.address() as AddressInfo | null)?.port;
    logger.info({ capacity: cfg.CAPACITY, decode: cfg.DECODE, detectWidth: cfg.DETECT_WIDTH, detectTiles: cfg.DETECT_TILES, metricsPort }, 'stream node started');
    let stopping: Promise<void> | undefined;
    return {
      node,
      metricsPort,
      stop: () => (stopping ??= (async () => {
        await new Promise((r) => (metricsServer ? metricsServer.close(r) : r(undefined)));
        await node.stop();
        await engine.close();
        await store.close?.();
        await bus.close();
      })()),
    };
  } catch (e) {
    await engine.close();
    await store.close?.();
    await bus.close();
    throw e;
  }
}

const isMain = !!process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href;
if (isMain) {
  const logger = createLogger('info', 'stream-node');
  try {
    const running = await startStreamNode(process.env);
    const shutdown = (signal: string) => {
      logger.info({ signal }, 'shutting down');
      const force = setTimeout(() => process.exit(1), 15_000);
      force.unref();
      running.stop().then(() => process.exit(0), (e) => { logger.error({ err: e }, 'shutdown failed'); process.exit(1); });
    };
    process.once('SIGINT', () => shutdown('SIGINT'));
    process.once('SIGTERM', () => shutdown('SIGTERM'));
  } catch (e) {
    if (e instanceof ConfigError) { logger.fatal(e.message); process.exit(2); }
    logger.fatal({ err: e }, 'stream node failed to start');
    process.exit(1);
  }
}
