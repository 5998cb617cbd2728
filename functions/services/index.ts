/**
 * The request services: the business rules handlers call, built over the process's resources
 * (resources.ts). Each service is built on first use, with what it needs, so a function deployed
 * alone builds the few its URI calls (and opens the store, the bus or the face engine only if they
 * do). Handlers see only these, never the database, store or bus. Background work (matcher, camera
 * state, the desired-state clock) lives in workers/, started by the API host, never by a handler.
 */
import { BlockList, isIP } from 'node:net';
import { ConfigError } from '../../core/config.ts';
import { similarity } from '../../core/face/index.ts';
import { Gate, type ImageGates } from '../../core/gate.ts';
import type { AddressPolicy } from '../../core/net/index.ts';
import { createOnvifService } from '../../core/onvif/index.ts';
import { RateLimiter } from '../../core/rate-limit.ts';
import { grabJpeg } from '../../core/snapshot/index.ts';
import { defaultTimeZone } from '../../core/time.ts';
import { createAccountsService, type AccountsService } from './accounts.ts';
import { createCamerasService, type CamerasService } from './cameras.ts';
import { createDesiredState, type DesiredState } from './desiredState.ts';
import { createLibrariesService, type LibrariesService } from './libraries.ts';
import { createPersonsService, type PersonsService } from './persons.ts';
import { createPicturesService, type PicturesService } from './pictures.ts';
import { createRecordsService, type RecordsService } from './records.ts';
import { policyOf, type Resources } from './resources.ts';
import { createSnapshotService } from './snapshots.ts';
import { createSystemConfigService, type SystemConfigService } from './systemConfig.ts';
import { createTasksService, type TasksService } from './tasks.ts';
import { createAlarmsService, type AlarmsService } from './alarms.ts';
import { createEventHub, type EventHub } from './eventHub.ts';
import { createReportsService, type ReportsService } from './reports.ts';
import { ALARM_WEBHOOK, createWebhookService, type WebhookService } from './webhook.ts';

export type { ParsedEnv, Resources } from './resources.ts';
export { databaseConfig, openResources, policyOf } from './resources.ts';

export type ApiConfig = {
  maxBodyBytes: number;
  maxUploadBytes: number;
  maxImagePixels: number;
  maxJsonDepth: number;
  maxFormParts: number;
  /** TRUSTED_PROXIES: peers whose X-Forwarded-For names the client; undefined: none */
  trustedProxies?: BlockList;
  timeZone: string;
  /** VALIDATE_RESPONSES: answers are checked against their URI's description (functions/lib/define.ts) */
  validateResponses: boolean;
};

/** What handlers reach through the context (functions/lib/define.ts). */
export type Services = {
  config: ApiConfig;
  log: Resources['log'];
  /** bounds on work that holds memory while it runs (docs/security.md "Limits"; functions/lib/guard.ts) */
  gates: { bodies: Gate; uploads: Gate; images: ImageGates };
  /** outbound address policies: cameras (ONVIF, RTSP hosts; the embedded stream node's too), StorageServer, AlarmWebhook receivers */
  policies: { camera: AddressPolicy; storage: AddressPolicy; webhook: AddressPolicy };
  /** /QueryCameraRtsp connects where its caller says: a bound per user */
  rtspQueries: RateLimiter;
  accounts: AccountsService;
  pictures: PicturesService;
  systemConfig: SystemConfigService;
  /** the desired state sent to the stream nodes on every change (workers/task-control.ts re-sends it) */
  desiredState: DesiredState;
  libraries: LibrariesService;
  persons: PersonsService;
  cameras: CamerasService;
  tasks: TasksService;
  records: RecordsService;
  alarms: AlarmsService;
  reports: ReportsService;
  /** the AlarmWebhook config (checked by /UpdateSystemConfig, read by workers/webhook.ts) and its status */
  webhook: WebhookService;
  /** the live side of GET /Events on this instance */
  eventHub: EventHub;
  onvif: ReturnType<typeof createOnvifService>;
  snapshots: ReturnType<typeof createSnapshotService>;
};

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

/** An object whose properties are built by their builder on first read, then kept. */
function lazily<T extends object>(builders: { [K in keyof T]: () => T[K] }): T {
  const out = {} as T;
  for (const key of Object.keys(builders) as (keyof T)[]) {
    Object.defineProperty(out, key, {
      enumerable: true,
      configurable: true,
      get() {
        const value = builders[key]();
        Object.defineProperty(out, key, { value, enumerable: true });
        return value;
      },
    });
  }
  return out;
}

export function createServices(r: Resources): Services {
  const { env, log, repos } = r;
  const timeZone = env.TIME_ZONE ?? defaultTimeZone();
  const config: ApiConfig = {
    maxBodyBytes: env.MAX_BODY_BYTES, maxUploadBytes: env.MAX_UPLOAD_BYTES, maxImagePixels: env.MAX_IMAGE_PIXELS,
    maxJsonDepth: env.MAX_JSON_DEPTH, maxFormParts: env.MAX_FORM_PARTS, trustedProxies: trustedProxies(env.TRUSTED_PROXIES),
    timeZone, validateResponses: env.VALIDATE_RESPONSES,
  };
  // cheap, and settings a bad value of which must stop the start: built at once
  const gates = {
    bodies: new Gate(env.MAX_CONCURRENT_BODIES, env.MAX_QUEUED, 'large request bodies from unidentified callers being read'),
    uploads: new Gate(env.MAX_CONCURRENT_UPLOADS, env.MAX_QUEUED, 'uploads being read'),
    images: {
      small: new Gate(env.MAX_CONCURRENT_IMAGES, env.MAX_QUEUED, 'small pictures being decoded'),
      large: new Gate(env.MAX_CONCURRENT_IMAGES, env.MAX_QUEUED, 'pictures being decoded'),
    },
  };
  const policies = {
    camera: policyOf('CAMERA_ALLOWED_RANGES', env.CAMERA_ALLOWED_RANGES), storage: r.storagePolicy, webhook: policyOf('WEBHOOK_ALLOWED_RANGES', env.WEBHOOK_ALLOWED_RANGES),
  };
  const rtspQueries = new RateLimiter(env.QUERY_RTSP_PER_MINUTE, '/QueryCameraRtsp');
  // pictures are decoded in the face worker (never on the event loop)
  const probe = (b: Uint8Array) => r.face.probe(b);

  type Built = Omit<Services, 'config' | 'log' | 'gates' | 'policies' | 'rtspQueries'>;
  const s: Built = lazily<Built>({
    accounts: () => createAccountsService(repos.accounts, {
      idleMinutes: env.SESSION_IDLE_MINUTES, maxFailures: env.LOGIN_MAX_FAILURES, lockSeconds: env.LOGIN_LOCK_SECONDS,
      maxLockSeconds: env.LOGIN_LOCK_MAX_SECONDS, sessionCacheMs: env.SESSION_CACHE_MS, timeZone,
    }, log, r.bus),
    pictures: () => createPicturesService({ repo: repos.pictures, store: r.store, probe, images: gates.images, log, timeZone, quotaBytes: env.UPLOAD_QUOTA_BYTES }),
    systemConfig: () => createSystemConfigService({
      repo: repos.systemConfig, store: r.store, envStorage: r.envStorage, log, localDir: r.localDir, policy: r.storagePolicy, checks: { [ALARM_WEBHOOK]: s.webhook.check },
    }),
    desiredState: () => createDesiredState({
      tasks: repos.tasks, cameras: repos.cameras, bus: r.bus, log, timeZone, staleMs: env.CAMERA_STATE_STALE_MS, offlineAlarmMs: env.CAMERA_OFFLINE_ALARM_MS,
    }),
    libraries: () => createLibrariesService({ repo: repos.libraries, pictures: s.pictures, timeZone }),
    persons: () => createPersonsService({ repo: repos.persons, libraries: repos.libraries, pictures: s.pictures, face: r.face, images: gates.images, similarity, timeZone }),
    cameras: () => createCamerasService({
      repo: repos.cameras, timeZone, changed: () => s.desiredState.changed(), policy: policies.camera, resolveTimeoutMs: env.ONVIF_TIMEOUT_MS,
    }),
    tasks: () => createTasksService({ repo: repos.tasks, cameras: repos.cameras, libraries: repos.libraries, timeZone, changed: () => s.desiredState.changed() }),
    records: () => createRecordsService({ repo: repos.records, pictures: s.pictures, timeZone }),
    alarms: () => createAlarmsService({ repo: repos.alarms, accounts: repos.accounts, pictures: s.pictures, timeZone }),
    reports: () => createReportsService({ tasks: repos.tasks, repo: repos.reports, timeZone }),
    webhook: () => createWebhookService({ repo: repos.webhook, configs: repos.systemConfig, policy: policies.webhook, timeZone }),
    eventHub: () => createEventHub({
      repo: repos.events, bus: r.bus, log: log.child({ part: 'events' }), pollMs: env.EVENTS_POLL_MS, heartbeatMs: env.EVENTS_HEARTBEAT_MS,
      maxClients: env.EVENTS_MAX_CLIENTS,
    }),
    onvif: () => createOnvifService({ allowedRanges: env.CAMERA_ALLOWED_RANGES, discoveryMs: env.ONVIF_DISCOVERY_MS, timeoutMs: env.ONVIF_TIMEOUT_MS, discoveryTargets: env.ONVIF_DISCOVERY_TARGETS }),
    snapshots: () => createSnapshotService({
      cameras: repos.cameras, policy: policies.camera, grab: grabJpeg, timeoutMs: env.SNAPSHOT_TIMEOUT_MS, concurrency: env.SNAPSHOT_CONCURRENCY, log,
    }),
  });
  return Object.assign(s, { config, log, gates, policies, rtspQueries });
}
