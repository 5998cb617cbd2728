/** The face engine's settings, read by the API host (enrolment, Compare1V1) and the stream node. */
import { z } from 'zod';
import { bool } from './parse.ts';

export const FaceEnv = z.object({
  /** ONNX intra-op threads of the detector. Default: all cores in the API host (one enrolment at a
   *  time, latency first), 1 in a stand-alone stream node (many cameras, CPU per frame first: a
   *  second thread cuts a 640x384 detection from 18 to 14 ms but costs 25 instead of 18 ms of CPU) */
  FACE_THREADS: z.coerce.number().int().positive().optional(),
  /** face engine workers, each with its own ONNX sessions (~60-90 MB). Default 1 in the API host,
   *  one per core in a stand-alone stream node (cameras' frames detected side by side) */
  FACE_WORKERS: z.coerce.number().int().min(1).max(64).optional(),
  /** keep ONNX Runtime's memory arena between face-engine runs: ~30% faster detection, ~60-80 MB
   *  more resident. Default off in the API host (memory first), on in a stand-alone stream node
   *  (camera throughput first). See core/face/README.md. */
  FACE_ARENA: bool.optional(),
});
export type FaceEnv = z.infer<typeof FaceEnv>;

/** The engine's options; `defaults` are the deployable's choices when FACE_ARENA / FACE_THREADS / FACE_WORKERS are unset. */
export const faceEngineOptions = (cfg: FaceEnv, defaults: { arena: boolean; threads?: number; workers?: number }) => ({
  threads: cfg.FACE_THREADS ?? defaults.threads, arena: cfg.FACE_ARENA ?? defaults.arena, workers: cfg.FACE_WORKERS ?? defaults.workers,
});
