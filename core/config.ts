/**
 * The API host's configuration: parsed once at start from the environment, failing fast with the
 * variable's name. Nothing else reads process.env. Each part switches from its embedded default to
 * the real service when its variables are set (DATABASE_URL, S3_*, NATS_URL).
 */
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { createAddressPolicy, DEFAULT_ALLOWED_RANGES } from './net/address-policy.ts';
import { assertTimeZone } from './time.ts';

const bool = z.enum(['0', '1', 'true', 'false']).transform((v) => v === '1' || v === 'true');
const optionalString = z.string().trim().min(1).optional();

/** a stream node's name: lease owner and `node` of its face messages */
export const nodeName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$/, 'letters, digits, - and _ (at most 63)');

/**
 * Every address but loopback: IPv4 without 127.0.0.0/8, IPv6 global unicast and unique-local (so
 * neither ::1 nor IPv4-mapped loopback). A one-box site or a test adds 127.0.0.0/8 itself.
 */
export const WEBHOOK_DEFAULT_RANGES =
  '0.0.0.0/2,64.0.0.0/3,96.0.0.0/4,112.0.0.0/5,120.0.0.0/6,124.0.0.0/7,126.0.0.0/8,128.0.0.0/1,2000::/3,fc00::/7';

export const HostEnvSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  HOST: z.string().default('0.0.0.0'),
  DATA_DIR: z.string().default('./data'),
  ADMIN_PASSWORD: optionalString,
  LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
  /** IANA zone for the API's "yyyy-mm-dd hh:mm:ss" times; default: the machine's zone */
  TIME_ZONE: optionalString,
  SESSION_IDLE_MINUTES: z.coerce.number().positive().default(120),
  /** ms a session, once looked up, is trusted without a query; sessions ended by another instance
   *  sharing the database keep working here that long at most (0: look up every request) */
  SESSION_CACHE_MS: z.coerce.number().int().min(0).default(2_000),
  /** failed logins in a row for one username from one client address before that pair is locked */
  LOGIN_MAX_FAILURES: z.coerce.number().int().positive().default(5),
  /** the first lock's length; each further lock in a row doubles it, up to LOGIN_LOCK_MAX_SECONDS */
  LOGIN_LOCK_SECONDS: z.coerce.number().int().min(0).default(60),
  LOGIN_LOCK_MAX_SECONDS: z.coerce.number().int().min(0).default(3600),
  /** comma-separated CIDRs of reverse proxies whose X-Forwarded-For names the client (default: none, the socket's peer is the client) */
  TRUSTED_PROXIES: z.string().default(''),
  MAX_BODY_BYTES: z.coerce.number().int().positive().default(1_048_576),
  MAX_UPLOAD_BYTES: z.coerce.number().int().positive().default(10 * 1_048_576),
  /** nesting bound of JSON bodies and of JSON values inside them (config) */
  MAX_JSON_DEPTH: z.coerce.number().int().min(2).max(1000).default(32),
  /** parts of an upload form (session + file need two) */
  MAX_FORM_PARTS: z.coerce.number().int().min(2).max(1000).default(8),
  /** uploads read and held at once (each up to MAX_UPLOAD_BYTES); MAX_QUEUED more wait, then SERVER_BUSY */
  MAX_CONCURRENT_UPLOADS: z.coerce.number().int().min(1).max(1000).default(4),
  /** JSON bodies over 64 KiB read at once before their session is known */
  MAX_CONCURRENT_BODIES: z.coerce.number().int().min(1).max(1000).default(4),
  /** pictures decoded at once (uploads checked, faces enrolled or compared), in each of two lanes: up to 4 MP, bigger */
  MAX_CONCURRENT_IMAGES: z.coerce.number().int().min(1).max(64).default(2),
  /** callers waiting for each of the three bounds above before SERVER_BUSY */
  MAX_QUEUED: z.coerce.number().int().min(0).max(100_000).default(32),
  /** pixel bound of a picture's header: only against decompression bombs, pictures are shrunk on load */
  MAX_IMAGE_PIXELS: z.coerce.number().int().positive().default(120_000_000),
  /** bytes of uploaded pictures one account may keep (UPLOAD_QUOTA_EXCEEDED beyond); 0: no bound */
  UPLOAD_QUOTA_BYTES: z.coerce.number().int().min(0).default(20 * 1024 ** 3),
  /** /QueryCameraRtsp calls per user per minute (it connects to addresses the caller names) */
  QUERY_RTSP_PER_MINUTE: z.coerce.number().int().min(1).max(100_000).default(10),
  DATABASE_URL: optionalString,
  DATABASE_MAX_CONNECTIONS: z.coerce.number().int().positive().default(10),
  /** ms to wait for a Postgres connection to open */
  DATABASE_CONNECT_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(1500),
  /** a query waiting this long makes the host check that Postgres is there (select 1 on a new
   *  connection within 1 s); when it is not, calls answer DB_UNAVAILABLE at once until it is back */
  DATABASE_STALL_MS: z.coerce.number().int().min(100).max(600_000).default(750),
  /** without DATABASE_URL: the embedded PGlite on a worker thread behind a private unix socket
   *  (default), or 'main': on the API thread, called directly (fewer moving parts, ~1/4 the list req/s) */
  PGLITE_THREAD: z.enum(['worker', 'main']).default('worker'),
  S3_ENDPOINT: optionalString,
  S3_BUCKET: optionalString,
  S3_ACCESS_KEY_ID: optionalString,
  S3_SECRET_ACCESS_KEY: optionalString,
  S3_REGION: z.string().default('us-east-1'),
  S3_FORCE_PATH_STYLE: bool.default(true),
  NATS_URL: optionalString,
  FACE_THREADS: z.coerce.number().int().positive().optional(),
  /** keep ONNX Runtime's memory arena between face-engine runs: ~30% faster detection, ~60-80 MB
   *  more resident. Default off in the API host (memory first), on in a stand-alone stream node
   *  (camera throughput first). See core/face/README.md. */
  FACE_ARENA: bool.optional(),
  /** run a stream node inside this process; default on without NATS_URL (embedded), off with it */
  EMBEDDED_STREAM_NODE: bool.optional(),
  /** the embedded node's name (lease owner, `node` of its face messages) */
  STREAM_NODE_NAME: nodeName.default('embedded'),
  /** most cameras the embedded node reads at once */
  STREAM_CAPACITY: z.coerce.number().int().min(1).max(1000).default(16),
  // Pipeline settings shared with stream-node/config.ts (which picks them from here): the embedded
  // node and a stand-alone one read the same variables with the same bounds.
  /** one face message (so one capture record) per face track per this period */
  PUBLISH_PERIOD_MS: z.coerce.number().int().min(1000).max(24 * 3600_000).default(60_000),
  /** a face track unseen this long has ended */
  TRACK_IDLE_MS: z.coerce.number().int().min(100).max(600_000).default(3000),
  /** faces below this quality are tracked but never recorded */
  MIN_FACE_QUALITY: z.coerce.number().min(0).max(1).default(0.3),
  /** frames are scaled to this width before detection */
  DETECT_WIDTH: z.coerce.number().int().min(160).max(3840).default(960),
  /** where a stream node keeps the face crops and messages the object store or the bus has not taken
   *  yet (outbox); default DATA_DIR/outbox/<node name> */
  OUTBOX_DIR: optionalString,
  /** most faces (crop + messages) kept in the outbox; the oldest are dropped beyond (counted, logged) */
  OUTBOX_MAX: z.coerce.number().int().min(10).max(10_000_000).default(100_000),
  /** most megabytes kept in the outbox; the oldest are dropped beyond */
  OUTBOX_MAX_MB: z.coerce.number().int().min(1).max(1_000_000).default(1024),
  /** camera lease TTL: a dead node's cameras move to the others after this */
  LEASE_TTL_MS: z.coerce.number().int().min(1000).max(600_000).default(10_000),
  /** tasks.desired is re-sent (and plans re-evaluated) this often, and at once on every change */
  DESIRED_STATE_PERIOD_MS: z.coerce.number().int().min(200).max(600_000).default(5000),
  /** a camera no node has reported on for this long is offline (nodes report every LEASE_TTL_MS / 3) */
  CAMERA_STATE_STALE_MS: z.coerce.number().int().min(500).max(3600_000).default(10_000),
  /** at most one capture record per person (a stranger: per face) per task and camera in this period:
   *  an appearance within it improves the earlier record instead (docs/api.md, Live recognition) */
  RECORD_PERIOD_MS: z.coerce.number().int().min(0).max(24 * 3600_000).default(60_000),
  /** a face message the matcher took but did not settle (crash) is redelivered after this */
  MATCHER_ACK_WAIT_MS: z.coerce.number().int().min(500).max(600_000).default(30_000),
  /** a camera of a running task offline this long raises an alarm (type 3; "back" = type 4); shorter outages raise none */
  CAMERA_OFFLINE_ALARM_MS: z.coerce.number().int().min(0).max(24 * 3600_000).default(30_000),
  /** events (captures, alarms, camera changes) are kept at least this long, and at least the newest 10,000, for GET /Events resumes and the webhook */
  EVENT_RETENTION_HOURS: z.coerce.number().int().min(1).max(24 * 30).default(24),
  /** GET /Events: a comment line this often keeps proxies from closing an idle stream (and the session is checked again) */
  EVENTS_HEARTBEAT_MS: z.coerce.number().int().min(100).max(300_000).default(15_000),
  /** GET /Events: streams open at once on this instance; more are refused (EVENT_STREAMS_BUSY) */
  EVENTS_MAX_CLIENTS: z.coerce.number().int().min(1).max(10_000).default(200),
  /** GET /Events: the log is read this often even when no events.appended message came (lost on the bus) */
  EVENTS_POLL_MS: z.coerce.number().int().min(50).max(60_000).default(1000),
  /** comma-separated CIDRs the AlarmWebhook receiver may be in; default every address but loopback (metadata addresses are always refused) */
  WEBHOOK_ALLOWED_RANGES: z.string().default(WEBHOOK_DEFAULT_RANGES),
  /** webhook retries: first after this, doubling up to WEBHOOK_RETRY_MAX_MS, given up WEBHOOK_GIVE_UP_MS after the event */
  WEBHOOK_RETRY_BASE_MS: z.coerce.number().int().min(10).max(3600_000).default(1000),
  WEBHOOK_RETRY_MAX_MS: z.coerce.number().int().min(10).max(24 * 3600_000).default(300_000),
  WEBHOOK_GIVE_UP_MS: z.coerce.number().int().min(1000).max(7 * 24 * 3600_000).default(24 * 3600_000),
  /** one webhook POST waits this long for an answer */
  WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
  /** a face whose crop is missing from the object store is retried (every 5 s) this long, then dropped */
  MATCHER_IMAGE_WAIT_MS: z.coerce.number().int().min(0).max(24 * 3600_000).default(60_000),
  /** comma-separated CIDRs of cameras (ONVIF and RTSP hosts); default private and link-local,
   *  not loopback (add 127.0.0.1/32 for a one-box site). Cloud metadata addresses are always refused. */
  CAMERA_ALLOWED_RANGES: z.string().default(DEFAULT_ALLOWED_RANGES),
  /** the former name of CAMERA_ALLOWED_RANGES, used when that is not set */
  ONVIF_ALLOWED_RANGES: optionalString,
  /** comma-separated CIDRs a StorageServer set by /UpdateSystemConfig may be at (the S3_* environment is trusted as is) */
  STORAGE_ALLOWED_RANGES: z.string().default(DEFAULT_ALLOWED_RANGES),
  ONVIF_DISCOVERY_MS: z.coerce.number().int().min(100).max(30_000).default(3000),
  ONVIF_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(5000),
  /** where /SearchCamera sends its WS-Discovery Probe: "IPv4[:port],..." (unicast, e.g. subnets without multicast); default the multicast group */
  ONVIF_DISCOVERY_TARGETS: z.string().trim().regex(/^$|^\d{1,3}(\.\d{1,3}){3}(:\d{1,5})?(\s*,\s*\d{1,3}(\.\d{1,3}){3}(:\d{1,5})?)*$/, 'must be IPv4[:port] entries separated by commas').default(''),
  /** /GetCameraSnapshot: the whole attempt (connect, first key frame, encode); cameras with long GOPs need more */
  SNAPSHOT_TIMEOUT_MS: z.coerce.number().int().min(1000).max(60_000).default(6000),
  /** /GetCameraSnapshot: ffmpeg processes at once (as many again may wait; beyond: SNAPSHOT_BUSY) */
  SNAPSHOT_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(4),
});

export type HostEnv = z.infer<typeof HostEnvSchema>;

export class ConfigError extends Error {}

/** a stream node's outbox: OUTBOX_DIR, else DATA_DIR/outbox/<node> (one folder per node name) */
export function outboxOptions(cfg: Pick<HostEnv, 'OUTBOX_DIR' | 'OUTBOX_MAX' | 'OUTBOX_MAX_MB' | 'DATA_DIR'>, node: string): { dir: string; maxEntries: number; maxBytes: number } {
  return { dir: resolve(cfg.OUTBOX_DIR ?? join(cfg.DATA_DIR, 'outbox', node)), maxEntries: cfg.OUTBOX_MAX, maxBytes: cfg.OUTBOX_MAX_MB * 1024 * 1024 };
}

export function parseHostEnv(env: Record<string, string | undefined> = process.env): HostEnv & { dataDir: string } {
  const parsed = HostEnvSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new ConfigError(`bad environment: ${problems}`);
  }
  const cfg = parsed.data;
  if (cfg.TIME_ZONE) {
    try { assertTimeZone(cfg.TIME_ZONE); } catch { throw new ConfigError(`bad environment: TIME_ZONE: unknown zone ${cfg.TIME_ZONE}`); }
  }
  try {
    createAddressPolicy(cfg.WEBHOOK_ALLOWED_RANGES);
  } catch (e) {
    throw new ConfigError(`bad environment: WEBHOOK_ALLOWED_RANGES: ${(e as Error).message}`);
  }
  const s3Vars = [cfg.S3_ENDPOINT, cfg.S3_BUCKET, cfg.S3_ACCESS_KEY_ID, cfg.S3_SECRET_ACCESS_KEY];
  if (s3Vars.some(Boolean) && !s3Vars.every(Boolean)) {
    throw new ConfigError('bad environment: S3_ENDPOINT, S3_BUCKET, S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY go together');
  }
  // an environment that sets only the former name keeps working
  const CAMERA_ALLOWED_RANGES = env.CAMERA_ALLOWED_RANGES === undefined && cfg.ONVIF_ALLOWED_RANGES ? cfg.ONVIF_ALLOWED_RANGES : cfg.CAMERA_ALLOWED_RANGES;
  return { ...cfg, CAMERA_ALLOWED_RANGES, dataDir: resolve(cfg.DATA_DIR) };
}
