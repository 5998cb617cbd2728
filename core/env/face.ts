/** The face engine's settings, read by the API host (enrolment, Compare1V1) and the stream node. */
import { z } from 'zod';
import { bool } from './parse.ts';

export const FaceEnv = z.object({
  FACE_THREADS: z.coerce.number().int().positive().optional(),
  /** keep ONNX Runtime's memory arena between face-engine runs: ~30% faster detection, ~60-80 MB
   *  more resident. Default off in the API host (memory first), on in a stand-alone stream node
   *  (camera throughput first). See core/face/README.md. */
  FACE_ARENA: bool.optional(),
});
export type FaceEnv = z.infer<typeof FaceEnv>;

/** The engine's options; `arenaByDefault` is the deployable's choice when FACE_ARENA is unset. */
export const faceEngineOptions = (cfg: FaceEnv, arenaByDefault: boolean) => ({ threads: cfg.FACE_THREADS, arena: cfg.FACE_ARENA ?? arenaByDefault });
