import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';
import { AppError, type ErrorName } from '../errors.ts';
import { BUILT, repoPath } from '../paths.ts';
import { DEFAULT_MODELS_DIR, defaultThreads } from './models.ts';
import type { Box, DetectedFace, EmbeddedFace, ImageInfo, ImageInput, ImageLimits } from './types.ts';
import { isRawFrame } from './image.ts';
import { SpareBuffers } from '../spare-buffers.ts';
import type { Reply, Request } from './worker.ts';

export interface FaceEngine {
  /** Format and size of an encoded picture, decoded in the worker to prove it is whole (NOT_AN_IMAGE, IMAGE_TOO_LARGE). */
  probe(img: Uint8Array): Promise<ImageInfo>;
  /** Faces with quality and signature; `region`: only those in that part of the picture (its pixels), detected at the scale of the whole. */
  detect(img: ImageInput, opts?: { region?: Box }): Promise<DetectedFace[]>;
  /**
   * Exactly one usable face, else AppError NO_FACE / MULTIPLE_FACES / FACE_TOO_SMALL / FACE_TOO_BLURRY / FACE_POOR_QUALITY / NOT_AN_IMAGE / IMAGE_TOO_LARGE.
   * `forComparison`: one unambiguous face of any size or quality (NO_FACE / MULTIPLE_FACES only), for 1:1 comparison.
   */
  enrol(img: ImageInput, opts?: { forComparison?: boolean }): Promise<EmbeddedFace>;
  /** All faces with embeddings (stream node); optional minimum quality. */
  analyze(img: ImageInput, opts?: { minQuality?: number }): Promise<EmbeddedFace[]>;
  /** Embed one already-detected face of a raw frame or image (the stream node embeds only a track's best shot). */
  embed(img: ImageInput, face: DetectedFace): Promise<Float32Array>;
  /**
   * Face crop as JPEG, for storing capture images: the box padded by `margin` (fraction of the box
   * added on each side, default 0.3), or with `aligned` the 112x112 crop the embedding is taken from.
   */
  cropJpeg(img: ImageInput, face: DetectedFace, opts?: { margin?: number; aligned?: boolean }): Promise<Buffer>;
  close(): Promise<void>;
}

export type FaceEngineOptions = {
  threads?: number;
  modelsDir?: string;
  limits?: ImageLimits;
  /** keep ONNX Runtime's memory arena: faster detection, more resident memory (see SessionOptions) */
  arena?: boolean;
  /**
   * Inference workers, each with its own sessions (~60-90 MB resident); a request goes to the one
   * with the least waiting. Default 1. A stream node runs one per core with one ONNX thread each:
   * about the CPU per frame of one worker, but the frames of cameras whose key frames come together
   * are detected side by side instead of one after the other.
   */
  workers?: number;
};

/** Omit that keeps a union of request shapes a union. */
type Body<T> = T extends unknown ? Omit<T, 'id' | 'input' | 'limits'> : never;
type Pending = { resolve: (v: unknown) => void; reject: (e: unknown) => void };

/**
 * The built worker (dist/core/face/worker.js, see infra/build.mjs) when this code runs from the
 * build. From source the worker is TypeScript, and on Node 20 a worker ignores loader hooks given by
 * `--import` for its own entry file, so a one-line bootstrap registers tsx's ESM hooks, then imports
 * worker.ts.
 */
function newWorker(options: WorkerOptions): Worker {
  if (BUILT) return new Worker(repoPath('dist/core/face/worker.js'), options);
  const api = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm/api')).href.replace(/index\.cjs$/, 'index.mjs');
  const entry = new URL('./worker.ts', import.meta.url).href;
  return new Worker(`import(${JSON.stringify(api)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); });`, { ...options, eval: true });
}

/**
 * Copy the pixels or file bytes into a buffer of their own so they can be transferred, not cloned.
 * Pixels in shared memory (the stream node's frames) go as they are: the worker reads the same
 * memory: no 1.5 MB copy per frame, and no buffer handed over and back. The caller must not change
 * those pixels until the call settles.
 */
function portable(img: ImageInput, spares: SpareBuffers<Uint8Array>): { input: ImageInput; transfer: ArrayBuffer[] } {
  if (isRawFrame(img) && img.data.buffer instanceof SharedArrayBuffer) {
    return { input: { data: img.data, width: img.width, height: img.height, channels: img.channels }, transfer: [] };
  }
  if (isRawFrame(img)) {
    const data = spares.take(img.data.byteLength);
    data.set(img.data); // a memcpy, unlike Uint8Array.from's element-wise iteration
    return { input: { data, width: img.width, height: img.height, channels: img.channels }, transfer: [data.buffer as ArrayBuffer] };
  }
  if (!(img instanceof Uint8Array)) throw new AppError('NOT_AN_IMAGE');
  const data = new Uint8Array(img);
  return { input: data, transfer: [data.buffer] };
}

/**
 * One inference worker per engine, started on first use (its models load once, lazily). Its ONNX
 * sessions use `threads` intra-op threads (default: all cores), so the HTTP thread never runs model
 * code and stays responsive. If the worker dies, pending calls fail with FACE_ENGINE_FAILED and the
 * next call starts a fresh one.
 */
export function createFaceEngine(opts: FaceEngineOptions = {}): FaceEngine {
  const limits = opts.limits ?? {};
  const workerData = { modelsDir: opts.modelsDir ?? DEFAULT_MODELS_DIR, threads: opts.threads ?? defaultThreads(), arena: opts.arena ?? false };
  let nextId = 1;
  // the pixel buffers the workers hand back with their answers, for the next frames: one per frame in flight
  const spares = new SpareBuffers<Uint8Array>((n) => new Uint8Array(n), { perLength: 4, lengths: 4 });
  /** one slot per worker; a worker starts on its slot's first call, again after it died */
  const slots = Array.from({ length: Math.max(1, opts.workers ?? 1) }, () => ({ worker: undefined as Worker | undefined, pending: new Map<number, Pending>() }));
  type Slot = (typeof slots)[number];

  const failAll = (slot: Slot, err: unknown) => {
    for (const p of slot.pending.values()) p.reject(err);
    slot.pending.clear();
  };

  const start = (slot: Slot): Worker => {
    // images and tensors live outside the V8 heap: a small young generation (V8 grows it to
    // 3 x 16 MB under load by default) costs no speed and some resident memory
    const w = newWorker({ workerData, resourceLimits: { maxYoungGenerationSizeMb: 8 } });
    w.on('message', (r: Reply) => {
      // only a buffer of its own (not a view into a larger one) is worth keeping
      if (r.spare && r.spare.byteOffset === 0 && r.spare.byteLength === r.spare.buffer.byteLength) spares.give(r.spare);
      const p = slot.pending.get(r.id);
      if (!p) return;
      slot.pending.delete(r.id);
      if (slot.pending.size === 0) w.unref(); // an idle engine must not keep the process alive
      if (r.ok) p.resolve(r.value);
      else p.reject(new AppError(r.kind as ErrorName, r.msg));
    });
    w.on('error', (e) => failAll(slot, new AppError('FACE_ENGINE_FAILED', `face engine worker failed: ${e.message}`, { cause: e })));
    w.on('exit', () => {
      if (slot.worker === w) slot.worker = undefined;
      failAll(slot, new AppError('FACE_ENGINE_FAILED', 'face engine worker stopped'));
    });
    return w;
  };

  const call = <T>(req: Body<Request>, img: ImageInput): Promise<T> => {
    let moved: ReturnType<typeof portable>;
    try {
      moved = portable(img, spares);
    } catch (e) {
      return Promise.reject(e);
    }
    // the worker with the least work waiting (a started one first when they tie)
    const slot = slots.reduce((a, b) => (b.pending.size < a.pending.size || (b.pending.size === a.pending.size && b.worker && !a.worker) ? b : a));
    const worker = (slot.worker ??= start(slot));
    worker.ref();
    const id = nextId++;
    return new Promise<T>((resolve, reject) => {
      slot.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      worker.postMessage({ ...req, id, input: moved.input, limits } as Request, moved.transfer);
    });
  };

  return {
    probe: (img) => call({ op: 'probe' }, img),
    detect: (img, o) => call({ op: 'detect', region: o?.region }, img),
    enrol: (img, o) => call({ op: 'enrol', forComparison: o?.forComparison ?? false }, img),
    analyze: (img, o) => call({ op: 'analyze', minQuality: o?.minQuality }, img),
    embed: (img, face) => call({ op: 'embed', face }, img),
    cropJpeg: async (img, face, o) => Buffer.from(await call<Uint8Array>({ op: 'crop', face, margin: o?.margin ?? 0.3, aligned: o?.aligned ?? false }, img)),
    close: async () => {
      const running = slots.map((slot) => slot.worker).filter((w) => w !== undefined);
      for (const slot of slots) slot.worker = undefined;
      await Promise.all(running.map((w) => w.terminate()));
    },
  };
}
