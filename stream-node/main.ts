/**
 * The stream node as its own process (near the cameras): parse env (stream-node/config.ts), connect
 * to NATS, the shared object store and the face engine, run a StreamNode until SIGINT/SIGTERM, then
 * stop the cameras and free their leases so other nodes take them at once.
 * Run: NATS_URL=... S3_ENDPOINT=... S3_BUCKET=... S3_ACCESS_KEY_ID=... S3_SECRET_ACCESS_KEY=...
 *      NODE_NAME=edge-1 tsx stream-node/main.ts
 * (In the embedded default the API process builds a StreamNode on its in-process bus instead.)
 */
import { pathToFileURL } from 'node:url';
import { connectNatsBus } from '../core/bus/nats.ts';
import { Streams } from '../core/bus/subjects.ts';
import { ConfigError, outboxOptions } from '../core/config.ts';
import { createFaceEngine } from '../core/face/index.ts';
import { createLogger, type Logger } from '../core/log.ts';
import { createObjectStore } from '../core/storage/index.ts';
import { createAddressPolicy } from '../core/net/index.ts';
import { parseStreamNodeEnv } from './config.ts';
import { StreamNode } from './node.ts';

export interface RunningStreamNode { node: StreamNode; stop(): Promise<void> }

export async function startStreamNode(env: Record<string, string | undefined> = process.env, log?: Logger): Promise<RunningStreamNode> {
  const cfg = parseStreamNodeEnv(env);
  if (!cfg.NATS_URL) throw new ConfigError('bad environment: NATS_URL is required for a separate stream node');
  const logger = (log ?? createLogger(cfg.LOG_LEVEL, 'stream-node')).child({ node: cfg.NODE_NAME });
  const bus = await connectNatsBus({ servers: cfg.NATS_URL, name: cfg.NODE_NAME, logger });
  const store = await createObjectStore({
    kind: 's3', endpoint: cfg.S3_ENDPOINT!, bucket: cfg.S3_BUCKET!, accessKeyId: cfg.S3_ACCESS_KEY_ID!,
    secretAccessKey: cfg.S3_SECRET_ACCESS_KEY!, region: cfg.S3_REGION, forcePathStyle: cfg.S3_FORCE_PATH_STYLE,
  });
  const engine = createFaceEngine({ threads: cfg.FACE_THREADS, arena: cfg.FACE_ARENA ?? true }); // throughput first on a camera box
  try {
    await bus.ensureStream(Streams.FACES);
    const node = new StreamNode({
      node: cfg.NODE_NAME, capacity: cfg.CAPACITY, bus, engine, store, leaseTtlMs: cfg.LEASE_TTL_MS,
      detectWidth: cfg.DETECT_WIDTH, detectTiles: cfg.DETECT_TILES, decode: cfg.DECODE, logger,
      outbox: outboxOptions(cfg, cfg.NODE_NAME),
      cameraPolicy: createAddressPolicy(cfg.CAMERA_ALLOWED_RANGES, 'CAMERA_ALLOWED_RANGES'),
      tracker: { publishPeriodMs: cfg.PUBLISH_PERIOD_MS, maxIdleMs: cfg.TRACK_IDLE_MS, minQuality: cfg.MIN_FACE_QUALITY },
    });
    await node.start();
    logger.info({ capacity: cfg.CAPACITY, decode: cfg.DECODE, detectWidth: cfg.DETECT_WIDTH, detectTiles: cfg.DETECT_TILES }, 'stream node started');
    let stopping: Promise<void> | undefined;
    return {
      node,
      stop: () => (stopping ??= (async () => {
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
