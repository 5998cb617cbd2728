/**
 * The stream node's configuration: parsed once at start from the environment, failing fast with the
 * variable's name. Nothing else in stream-node reads process.env. Without NATS_URL the node runs
 * embedded (inside the API process, in-process bus); the S3 variables are the API host's.
 */
import { hostname } from 'node:os';
import { z } from 'zod';
import { ConfigError, HostEnvSchema, nodeName } from '../core/config.ts';
import { createAddressPolicy } from '../core/net/index.ts';

const int = (min: number, max: number, def: number) => z.coerce.number().int().min(min).max(max).default(def);

export const StreamNodeEnvSchema = HostEnvSchema.pick({
  LOG_LEVEL: true,
  NATS_URL: true,
  S3_ENDPOINT: true,
  S3_BUCKET: true,
  S3_ACCESS_KEY_ID: true,
  S3_SECRET_ACCESS_KEY: true,
  S3_REGION: true,
  S3_FORCE_PATH_STYLE: true,
  DATA_DIR: true,
  FACE_THREADS: true,
  FACE_ARENA: true,
  // the pipeline settings the embedded node reads too: one definition, in the host's schema
  DETECT_WIDTH: true,
  PUBLISH_PERIOD_MS: true,
  TRACK_IDLE_MS: true,
  MIN_FACE_QUALITY: true,
  LEASE_TTL_MS: true,
  CAMERA_ALLOWED_RANGES: true,
  ONVIF_ALLOWED_RANGES: true,
  OUTBOX_DIR: true,
  OUTBOX_MAX: true,
  OUTBOX_MAX_MB: true,
}).extend({
  /** the lease owner and the `node` of face messages; letters, digits, '-' and '_' */
  NODE_NAME: nodeName.default(hostname().replace(/[^A-Za-z0-9_-]/g, '-').replace(/^[^A-Za-z0-9]+/, '').slice(0, 63) || 'node'),
  /** most cameras this node reads at once */
  CAPACITY: int(1, 1000, 16),
  /** 1: detect on 640 px tiles at DETECT_WIDTH (finds faces down to ~15 px of a 1080p camera, 2
   * detector runs per 960 px frame); 0: the frame shrunk to 640 px (faces under ~30 px missed) */
  DETECT_TILES: z.enum(['0', '1']).default('0').transform((v) => v === '1'),
  /** keyframes: decode only key frames (cheap; a frame per GOP at most); all: every frame; auto:
   * key frames unless they come further apart than the interval */
  DECODE: z.enum(['auto', 'keyframes', 'all']).default('auto'),
});

export type StreamNodeConfig = z.infer<typeof StreamNodeEnvSchema>;

export function parseStreamNodeEnv(env: Record<string, string | undefined> = process.env): StreamNodeConfig {
  const parsed = StreamNodeEnvSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new ConfigError(`bad environment: ${problems}`);
  }
  const cfg = parsed.data;
  const s3 = [cfg.S3_ENDPOINT, cfg.S3_BUCKET, cfg.S3_ACCESS_KEY_ID, cfg.S3_SECRET_ACCESS_KEY];
  if (s3.some(Boolean) && !s3.every(Boolean)) {
    throw new ConfigError('bad environment: S3_ENDPOINT, S3_BUCKET, S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY go together');
  }
  if (cfg.NATS_URL && !cfg.S3_ENDPOINT) {
    throw new ConfigError('bad environment: a stream node on NATS_URL needs the shared object store (S3_ENDPOINT, ...)');
  }
  // an environment that sets only the former name keeps working (as core/config.ts)
  if (env.CAMERA_ALLOWED_RANGES === undefined && cfg.ONVIF_ALLOWED_RANGES) cfg.CAMERA_ALLOWED_RANGES = cfg.ONVIF_ALLOWED_RANGES;
  try {
    createAddressPolicy(cfg.CAMERA_ALLOWED_RANGES);
  } catch (e) {
    throw new ConfigError(`bad environment: CAMERA_ALLOWED_RANGES: ${(e as Error).message}`);
  }
  return cfg;
}
