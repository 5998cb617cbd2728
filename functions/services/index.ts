/**
 * The composition root of the API: `createServices(env)` opens the database, opens the object store
 * (the saved StorageServer config, else the environment's), prepares the face engine (its worker and
 * models load on first use) and builds every service once per process. Handlers get the result
 * through the Hono context; nothing here is a module-level singleton.
 */
import { join } from 'node:path';
import type { HostEnv } from '../../core/config.ts';
import { createFaceEngine, similarity } from '../../core/face/index.ts';
import { createMatcher } from '../matcher/index.ts';
import type { Logger } from '../../core/log.ts';
import { createObjectStore, SwitchableObjectStore, type StorageConfig } from '../../core/storage/index.ts';
import { createOnvifService } from '../../core/onvif/index.ts';
import { BlockList, isIP } from 'node:net';
import { ConfigError } from '../../core/config.ts';
import { Gate } from '../../core/gate.ts';
import { createAddressPolicy, type AddressPolicy } from '../../core/net/index.ts';
import { RateLimiter } from '../../core/rate-limit.ts';
import { grabJpeg } from '../../core/snapshot/index.ts';
import { defaultTimeZone } from '../../core/time.ts';
import { openDatabase, type DatabaseConfig } from '../../db/client.ts';
import { createRepositories } from '../../db/repositories/index.ts';
import { createAccountsService } from './accounts.ts';
import { createCamerasService } from './cameras.ts';
import { createLibrariesService } from './libraries.ts';
import { createPersonsService } from './persons.ts';
import { createPicturesService } from './pictures.ts';
import { createRecordsService } from './records.ts';
import { createSystemConfigService } from './systemConfig.ts';
import { createSnapshotService } from './snapshots.ts';
import { createTasksService } from './tasks.ts';
import { createTaskControl } from './taskControl.ts';
import { createCameraState } from './cameraState.ts';
import { connectNatsBus, createMemoryBus, type Bus } from '../../core/bus/index.ts';
import { createAlarmsService } from './alarms.ts';
import { createEventHub } from './eventHub.ts';
import { createReportsService } from './reports.ts';
import { ALARM_WEBHOOK, createWebhookService } from './webhook.ts';

export type ParsedEnv = HostEnv & { dataDir: string };

export type ApiConfig = {
  maxBodyBytes: number;
  maxUploadBytes: number;
  maxImagePixels: number;
  maxJsonDepth: number;
  maxFormParts: number;
  /** TRUSTED_PROXIES: peers whose X-Forwarded-For names the client; undefined: none */
  trustedProxies?: BlockList;
  timeZone: string;
};

/** Parses a CIDR list setting; ConfigError naming the variable (the host stops at start). */
function policyOf(variable: string, ranges: string): AddressPolicy {
  try {
    return createAddressPolicy(ranges, variable);
  } catch (e) {
    throw new ConfigError(`bad environment: ${variable}: ${(e as Error).message}`);
  }
}

function trustedProxies(list: string): BlockList | undefined {
  const entries = list.split(',').map((r) => r.trim()).filter(Boolean);
  if (!entries.length) return undefined;
  const b = new BlockList();
  for (const r of entries) {
    const [net, prefix] = r.split('/');
    const family = isIP(net);
    if (!family || (prefix !== undefined && !/^\d{1,3}$/.test(prefix))) throw new ConfigError(`bad environment: TRUSTED_PROXIES: "${r}" is not an IP or CIDR`);
    b.addSubnet(net, prefix === undefined ? (family === 4 ? 32 : 128) : Number(prefix), family === 4 ? 'ipv4' : 'ipv6');
  }
  return b;
}

export function databaseConfig(env: ParsedEnv): DatabaseConfig {
  return env.DATABASE_URL
    ? { kind: 'postgres', url: env.DATABASE_URL, maxConnections: env.DATABASE_MAX_CONNECTIONS, connectTimeoutMs: env.DATABASE_CONNECT_TIMEOUT_MS, stallMs: env.DATABASE_STALL_MS }
    : { kind: 'pglite', dataDir: join(env.dataDir, 'db'), thread: env.PGLITE_THREAD };
}

/** S3 when S3_* are set (parseHostEnv checks they come together), else DATA_DIR/objects. */
export function envStorageConfig(env: ParsedEnv): StorageConfig {
  return env.S3_ENDPOINT
    ? { kind: 's3', endpoint: env.S3_ENDPOINT, bucket: env.S3_BUCKET!, accessKeyId: env.S3_ACCESS_KEY_ID!, secretAccessKey: env.S3_SECRET_ACCESS_KEY!, region: env.S3_REGION, forcePathStyle: env.S3_FORCE_PATH_STYLE }
    : { kind: 'local', dir: join(env.dataDir, 'objects') };
}

export async function createServices(env: ParsedEnv, log: Logger) {
  const config: ApiConfig = {
    maxBodyBytes: env.MAX_BODY_BYTES,
    maxUploadBytes: env.MAX_UPLOAD_BYTES,
    maxImagePixels: env.MAX_IMAGE_PIXELS,
    maxJsonDepth: env.MAX_JSON_DEPTH,
    maxFormParts: env.MAX_FORM_PARTS,
    trustedProxies: trustedProxies(env.TRUSTED_PROXIES),
    timeZone: env.TIME_ZONE ?? defaultTimeZone(),
  };
  const { timeZone } = config;
  const cameraPolicy = policyOf('CAMERA_ALLOWED_RANGES', env.CAMERA_ALLOWED_RANGES);
  const storagePolicy = policyOf('STORAGE_ALLOWED_RANGES', env.STORAGE_ALLOWED_RANGES);
  /** bounds on work that holds memory while it runs (docs/security.md "Limits") */
  const gates = {
    bodies: new Gate(env.MAX_CONCURRENT_BODIES, env.MAX_QUEUED, 'large request bodies from unidentified callers being read'),
    uploads: new Gate(env.MAX_CONCURRENT_UPLOADS, env.MAX_QUEUED, 'uploads being read'),
    images: {
      small: new Gate(env.MAX_CONCURRENT_IMAGES, env.MAX_QUEUED, 'small pictures being decoded'),
      large: new Gate(env.MAX_CONCURRENT_IMAGES, env.MAX_QUEUED, 'pictures being decoded'),
    },
  };
  const db = await openDatabase(databaseConfig(env), log.child({ part: 'db' }));
  const repos = createRepositories(db.orm);
  // attendance dates are local dates of TIME_ZONE: rebuilt once when the zone is new to the database
  if (await repos.attendance.ensureZone(timeZone).catch(async (e) => { await db.close(); throw e; })) {
    log.info({ timeZone }, 'attendance days rebuilt for this TIME_ZONE');
  }
  const webhook = createWebhookService({ repo: repos.webhook, configs: repos.systemConfig, policy: createAddressPolicy(env.WEBHOOK_ALLOWED_RANGES), timeZone });

  const envStorage = envStorageConfig(env);
  const store = new SwitchableObjectStore(await createObjectStore(envStorage));
  const systemConfig = createSystemConfigService({
    repo: repos.systemConfig, store, envStorage, localDir: join(env.dataDir, 'objects'), policy: storagePolicy, log, checks: { [ALARM_WEBHOOK]: webhook.check },
  });
  const saved = await systemConfig.savedStorage();
  if (saved) {
    // A store saved by /UpdateSystemConfig is used again; if it is down now, keep the env store.
    await store.switchTo(await createObjectStore(saved)).catch((err) => log.error({ err }, 'saved StorageServer does not answer; using the environment store'));
  }
  // The bus: NATS JetStream when NATS_URL is set, else the in-process bus (embedded default).
  let bus: Bus;
  try {
    bus = env.NATS_URL ? await connectNatsBus({ servers: env.NATS_URL, name: 'api', logger: log }) : createMemoryBus();
  } catch (e) {
    await db.close();
    await store.close();
    throw e;
  }
  const taskControl = createTaskControl({
    tasks: repos.tasks, cameras: repos.cameras, bus, log, timeZone, periodMs: env.DESIRED_STATE_PERIOD_MS, staleMs: env.CAMERA_STATE_STALE_MS,
    offlineAlarmMs: env.CAMERA_OFFLINE_ALARM_MS,
  });
  const cameraState = createCameraState({ cameras: repos.cameras, bus, log, timeZone });
  const face = createFaceEngine({ threads: env.FACE_THREADS, arena: env.FACE_ARENA ?? false, limits: { maxBytes: env.MAX_UPLOAD_BYTES, maxPixels: env.MAX_IMAGE_PIXELS } });
  // capture images are probed in the face worker too: no decoding on the event loop
  const matcher = createMatcher({
    bus, repos, store, probeImage: (b) => face.probe(b), log: log.child({ part: 'matcher' }), ackWaitMs: env.MATCHER_ACK_WAIT_MS, imageWaitMs: env.MATCHER_IMAGE_WAIT_MS, timeZone,
    recordPeriodMs: env.RECORD_PERIOD_MS,
  });

  const accounts = createAccountsService(repos.accounts, {
    idleMinutes: env.SESSION_IDLE_MINUTES, maxFailures: env.LOGIN_MAX_FAILURES, lockSeconds: env.LOGIN_LOCK_SECONDS,
    maxLockSeconds: env.LOGIN_LOCK_MAX_SECONDS, sessionCacheMs: env.SESSION_CACHE_MS, timeZone,
  }, log, bus);
  accounts.listen(); // here, not in host.ts: a handler deployed alone must hear it too
  await accounts.ensureAdmin(env.ADMIN_PASSWORD);
  const onvif = createOnvifService({ allowedRanges: env.CAMERA_ALLOWED_RANGES, discoveryMs: env.ONVIF_DISCOVERY_MS, timeoutMs: env.ONVIF_TIMEOUT_MS, discoveryTargets: env.ONVIF_DISCOVERY_TARGETS });
  const pictures = createPicturesService({
    repo: repos.pictures, store, probe: (b) => face.probe(b), images: gates.images, log, timeZone, quotaBytes: env.UPLOAD_QUOTA_BYTES,
  });

  const eventHub = createEventHub({
    repo: repos.events, bus, log: log.child({ part: 'events' }), pollMs: env.EVENTS_POLL_MS, heartbeatMs: env.EVENTS_HEARTBEAT_MS,
    maxClients: env.EVENTS_MAX_CLIENTS,
  });

  return {
    config,
    gates,
    /** /QueryCameraRtsp connects where its caller says: a bound per user */
    /** outbound address policies: cameras (ONVIF, RTSP hosts), StorageServer; the embedded stream node uses `camera` too */
    policies: { camera: cameraPolicy, storage: storagePolicy },
    rtspQueries: new RateLimiter(env.QUERY_RTSP_PER_MINUTE, '/QueryCameraRtsp'),
    log,
    db,
    repos,
    store,
    face,
    bus,
    taskControl,
    cameraState,
    matcher,
    accounts,
    pictures,
    systemConfig,
    libraries: createLibrariesService({ repo: repos.libraries, pictures, timeZone }),
    persons: createPersonsService({ repo: repos.persons, libraries: repos.libraries, pictures, face, images: gates.images, similarity, timeZone }),
    cameras: createCamerasService({ repo: repos.cameras, timeZone, changed: taskControl.changed, policy: cameraPolicy, resolveTimeoutMs: env.ONVIF_TIMEOUT_MS }),
    tasks: createTasksService({ repo: repos.tasks, cameras: repos.cameras, libraries: repos.libraries, timeZone, changed: taskControl.changed }),
    records: createRecordsService({ repo: repos.records, pictures, timeZone }),
    alarms: createAlarmsService({ repo: repos.alarms, accounts: repos.accounts, pictures, timeZone }),
    reports: createReportsService({ tasks: repos.tasks, repo: repos.reports, timeZone }),
    webhook,
    eventHub,
    onvif,
    snapshots: createSnapshotService({
      cameras: repos.cameras, policy: cameraPolicy, grab: grabJpeg, timeoutMs: env.SNAPSHOT_TIMEOUT_MS, concurrency: env.SNAPSHOT_CONCURRENCY, log,
    }),
    async close(): Promise<void> {
      await Promise.allSettled([matcher.stop(), taskControl.stop(), cameraState.stop(), accounts.stop(), eventHub.close()]);
      await bus.close().catch((err) => log.warn({ err }, 'closing the bus failed'));
      await Promise.allSettled([face.close(), store.close()]);
      await db.close();
    },
  };
}
export type Services = Awaited<ReturnType<typeof createServices>>;
