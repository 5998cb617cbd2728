/**
 * The stream node's configuration: parsed once at start from the environment, failing fast with the
 * variable's name. Nothing else in stream-node reads process.env. Storage, bus, face engine and
 * pipeline settings are the fragments of core/env the API host reads too (its embedded node uses
 * the same ones); the rest is this process's own.
 */
import { availableParallelism, hostname } from 'node:os';
import { z } from 'zod';
import { BusEnv } from '../core/env/bus.ts';
import { faceEngineOptions, FaceEnv } from '../core/env/face.ts';
import { cameraRangesOf, CameraRangesEnv } from '../core/env/net.ts';
import { ConfigError, int, nodeName, parseEnv, port } from '../core/env/parse.ts';
import { PipelineEnv } from '../core/env/pipeline.ts';
import { checkStorageEnv, StorageEnv } from '../core/env/storage.ts';
import { createAddressPolicy } from '../core/net/index.ts';

export const StreamNodeEnvSchema = z.object({
  ...StorageEnv.shape,
  ...BusEnv.shape,
  ...FaceEnv.shape,
  ...PipelineEnv.shape,
  ...CameraRangesEnv.shape,
  LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
  /** the lease owner and the `node` of face messages; letters, digits, '-' and '_' */
  NODE_NAME: nodeName.default(hostname().replace(/[^A-Za-z0-9_-]/g, '-').replace(/^[^A-Za-z0-9]+/, '').slice(0, 63) || 'node'),
  /** most cameras this node reads at once */
  CAPACITY: int(1, 1000).default(16),
  /** this node's GET /metrics (Prometheus text) and /healthz: a port, 0 for any free one, or "off" */
  METRICS_PORT: z.union([z.literal('off'), port]).default(9464),
  METRICS_HOST: z.string().default('0.0.0.0'),
});

export type StreamNodeConfig = z.infer<typeof StreamNodeEnvSchema>;

export function parseStreamNodeEnv(env: Record<string, string | undefined> = process.env): StreamNodeConfig {
  const cfg = parseEnv(StreamNodeEnvSchema, env);
  checkStorageEnv(cfg);
  if (cfg.NATS_URL && !cfg.S3_ENDPOINT) {
    throw new ConfigError('bad environment: a stream node on NATS_URL needs the shared object store (S3_ENDPOINT, ...)');
  }
  // an environment that sets only the former name keeps working (as core/config.ts)
  cfg.CAMERA_ALLOWED_RANGES = cameraRangesOf(cfg, env);
  try {
    createAddressPolicy(cfg.CAMERA_ALLOWED_RANGES);
  } catch (e) {
    throw new ConfigError(`bad environment: CAMERA_ALLOWED_RANGES: ${(e as Error).message}`);
  }
  return cfg;
}

/**
 * The face engine of a stand-alone stream node (a camera box): CPU per frame first (one ONNX thread
 * per run, the arena kept), the cameras' frames side by side (a worker per core); FACE_* override.
 */
export const streamNodeEngineOptions = (cfg: FaceEnv) => faceEngineOptions(cfg, { arena: true, threads: 1, workers: availableParallelism() });
