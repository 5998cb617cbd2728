import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import ort from 'onnxruntime-node';
import { AppError } from '../errors.ts';
import { repoPath } from '../paths.ts';
import { freeSpatialDims } from './model-shape.ts';

/**
 * Model files live in the repository (models/, with their licences and SHA256SUMS); nothing is ever
 * downloaded. Each file is checked against SHA256SUMS before a session is built from it, so a
 * truncated checkout or a swapped file fails loudly instead of producing wrong embeddings.
 */
export const DEFAULT_MODELS_DIR = repoPath('models');

export const MODELS = {
  detector: 'mnet.25_v2.onnx',
  embedder: 'fr_feature.onnx',
} as const;

/**
 * Chosen by measurement (bench:face prints both models at every level, interleaved, on the threads
 * each runs on). Both gain from 'all'. fr_feature was once kept at 'basic': on two threads the
 * layout-transforming fusions picked slower kernels for it (2-3x); since it runs on one thread
 * (below), 'all' is the faster, ~13-16 against ~17-22 ms of CPU per face (onnxruntime-node 1.30,
 * the 2-core box, 2026-11-30), with the same embedding (cosine 1.000000 between the two).
 */
const OPT_LEVEL: Record<keyof typeof MODELS, 'disabled' | 'basic' | 'extended' | 'all'> = {
  detector: 'all',
  embedder: 'all',
};

function expectedSums(dir: string): Map<string, string> {
  let text: string;
  try {
    text = readFileSync(join(dir, 'SHA256SUMS'), 'utf8');
  } catch (e) {
    throw new AppError('FACE_ENGINE_FAILED', `model checksums missing: ${join(dir, 'SHA256SUMS')}`, { cause: e });
  }
  const sums = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^([0-9a-f]{64})\s+\*?(.+)$/.exec(line.trim());
    if (m) sums.set(m[2], m[1]);
  }
  return sums;
}

/** The model bytes, after checking them against SHA256SUMS. */
export function readModel(dir: string, file: string): Uint8Array {
  const want = expectedSums(dir).get(file);
  if (!want) throw new AppError('FACE_ENGINE_FAILED', `no checksum listed for model ${file}`);
  let bytes: Buffer;
  try {
    bytes = readFileSync(join(dir, file));
  } catch (e) {
    throw new AppError('FACE_ENGINE_FAILED', `model file missing: ${file}`, { cause: e });
  }
  const got = createHash('sha256').update(bytes).digest('hex');
  if (got !== want) throw new AppError('FACE_ENGINE_FAILED', `model ${file} fails its checksum (got ${got})`);
  return bytes;
}

export type Sessions = { detector: ort.InferenceSession; embedder: ort.InferenceSession };

export function defaultThreads(): number {
  return Math.max(1, availableParallelism());
}

export type SessionOptions = {
  /**
   * Keep ONNX Runtime's CPU memory arena between runs (its default). The arena holds the largest
   * run's activations for good: ~60 MB for a 640x640 detection, more at DETECT_WIDTH 960. Without it
   * each run's buffers are freed, and given back to the system when malloc serves big blocks with
   * mmap (the launcher, infra/start.sh, sets glibc's mmap_threshold for that): measured 13 -> 19 ms per
   * 640x640 detection, 182 -> 98 MB resident for the two sessions after a run.
   */
  arena?: boolean;
};

export async function loadSessions(dir = DEFAULT_MODELS_DIR, threads = defaultThreads(), opts: SessionOptions = {}): Promise<Sessions> {
  const make = (key: keyof typeof MODELS) =>
    // The detector is fully convolutional but exported at 640x640: its H/W are made symbolic in memory
    // (after the checksum) so a 16:9 frame runs at 640x384 instead of padding to a square.
    ort.InferenceSession.create(key === 'detector' ? freeSpatialDims(readModel(dir, MODELS[key])) : readModel(dir, MODELS[key]), {
      // The embedder (112x112, batch 1) gains nothing from a second thread: 13.3 ms wall on 1 or 2,
      // 13.3 vs 22.4 ms of CPU (scratch measurement on the 2-core box, 2026-11-30), so it runs on one.
      intraOpNumThreads: key === 'embedder' ? 1 : threads,
      interOpNumThreads: 1,
      graphOptimizationLevel: OPT_LEVEL[key],
      executionProviders: ['cpu'],
      enableCpuMemArena: opts.arena ?? true,
      // Idle pool threads must not spin: the detector's and embedder's pools take turns, and on a small
      // box spinning threads steal the cores the other session (and the HTTP thread) needs.
      extra: { session: { intra_op: { allow_spinning: '0' } } },
    });
  return { detector: await make('detector'), embedder: await make('embedder') };
}
