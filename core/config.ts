/**
 * The API host's configuration: parsed once at start from the environment, failing fast with the
 * variable's name. Nothing else reads process.env. Each part switches from its embedded default to
 * the real service when its variables are set (DATABASE_URL, S3_*, NATS_URL).
 */
import { resolve } from 'node:path';
import { z } from 'zod';
import { assertTimeZone } from './time.ts';
import { BusEnv } from './env/bus.ts';
import { FaceEnv } from './env/face.ts';
import { cameraRangesOf, CameraRangesEnv, StorageRangesEnv, WebhookRangesEnv } from './env/net.ts';
import { bool, ConfigError, nodeName, optionalString, parseEnv } from './env/parse.ts';
import { PipelineEnv } from './env/pipeline.ts';
import { checkStorageEnv, StorageEnv } from './env/storage.ts';

export { ConfigError, nodeName };

export const HostEnvSchema = z.object({
  // shared with the stream node, one fragment per concern (core/env)
  ...StorageEnv.shape,
  ...BusEnv.shape,
  ...FaceEnv.shape,
  ...PipelineEnv.shape,
  ...CameraRangesEnv.shape,
  ...StorageRangesEnv.shape,
  ...WebhookRangesEnv.shape,
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  HOST: z.string().default('0.0.0.0'),
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
  /** run a stream node inside this process; default on without NATS_URL (embedded), off with it */
  EMBEDDED_STREAM_NODE: bool.optional(),
  /** the embedded node's name (lease owner, `node` of its face messages) */
  STREAM_NODE_NAME: nodeName.default('embedded'),
  /** most cameras the embedded node reads at once */
  STREAM_CAPACITY: z.coerce.number().int().min(1).max(1000).default(16),
  /** tasks.desired is re-sent (and plans re-evaluated) this often, and at once on every change */
  DESIRED_STATE_PERIOD_MS: z.coerce.number().int().min(200).max(600_000).default(5000),
  /** a camera no node has reported on for this long is offline (nodes report every LEASE_TTL_MS / 3) */
  CAMERA_STATE_STALE_MS: z.coerce.number().int().min(500).max(3600_000).default(10_000),
  /** at most one capture record per person (a stranger: per face) per task and camera in this period:
   *  an appearance within it improves the earlier record instead (docs/api.md, Live recognition) */
  RECORD_PERIOD_MS: z.coerce.number().int().min(0).max(24 * 3600_000).default(60_000),
  /** a face message the matcher took but did not settle (crash) is redelivered after this */
  MATCHER_ACK_WAIT_MS: z.coerce.number().int().min(500).max(600_000).default(30_000),
  /** deliveries of a face message that fails every time before the matcher moves it to DEAD_LETTERS
   *  (a database, store or bus outage is retried without limit: it is not the message's fault) */
  MATCHER_MAX_DELIVER: z.coerce.number().int().min(1).max(100).default(5),
  /** first redelivery delay after a failure, doubling per delivery up to 30 s */
  MATCHER_RETRY_MS: z.coerce.number().int().min(10).max(60_000).default(1000),
  /** origins (scheme://host[:port], comma-separated) whose browser pages may call the API; default
   *  none (the console on the same host needs none) */
  CORS_ORIGINS: z.string().trim().default('').transform((s, ctx) => {
    const list = s === '' ? [] : s.split(',').map((o) => o.trim());
    const bad = list.find((o) => o !== '*' && !/^https?:\/\/[^/\s]+$/.test(o));
    if (bad !== undefined) ctx.addIssue({ code: 'custom', message: `${JSON.stringify(bad)} is not an origin like https://console.example.com` });
    return list;
  }),
  /** check every answer against its URI's declared output schema and error codes (RESPONSE_INVALID
   *  on a drift); the test suite turns it on (vitest.config.ts), production leaves it off (cost) */
  VALIDATE_RESPONSES: bool.default(false),
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
  /** webhook retries: first after this, doubling up to WEBHOOK_RETRY_MAX_MS, given up WEBHOOK_GIVE_UP_MS after the event */
  WEBHOOK_RETRY_BASE_MS: z.coerce.number().int().min(10).max(3600_000).default(1000),
  WEBHOOK_RETRY_MAX_MS: z.coerce.number().int().min(10).max(24 * 3600_000).default(300_000),
  WEBHOOK_GIVE_UP_MS: z.coerce.number().int().min(1000).max(7 * 24 * 3600_000).default(24 * 3600_000),
  /** one webhook POST waits this long for an answer */
  WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
  /** a face whose crop is missing from the object store is retried (every 5 s) this long, then dropped */
  MATCHER_IMAGE_WAIT_MS: z.coerce.number().int().min(0).max(24 * 3600_000).default(60_000),
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

export function parseHostEnv(env: Record<string, string | undefined> = process.env): HostEnv & { dataDir: string } {
  const cfg = parseEnv(HostEnvSchema, env);
  if (cfg.TIME_ZONE) {
    try { assertTimeZone(cfg.TIME_ZONE); } catch { throw new ConfigError(`bad environment: TIME_ZONE: unknown zone ${cfg.TIME_ZONE}`); }
  }
  checkStorageEnv(cfg);
  return { ...cfg, CAMERA_ALLOWED_RANGES: cameraRangesOf(cfg, env), dataDir: resolve(cfg.DATA_DIR) };
}
