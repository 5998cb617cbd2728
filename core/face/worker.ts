import { parentPort, workerData } from 'node:worker_threads';
import sharp from 'sharp';
import { AppError, isAppError } from '../errors.ts';
import { alignFace } from './align.ts';
import { decodeImage, probeImage } from './image.ts';
import { loadSessions, type Sessions } from './models.ts';
import { analyzeFaces, COMPARE_RULES, detectFaces, embedFace, enrolFace, ENROL_RULES, publicFace } from './pipeline.ts';
import type { Box, DetectedFace, ImageInput, ImageLimits, Landmarks, Rgb } from './types.ts';

/**
 * Inference worker. onnxruntime-node runs a session synchronously on the calling thread, and image
 * decode, resize and warp are CPU work too, so all of it lives here and the HTTP thread only posts
 * bytes and awaits answers. Failures travel back as values: { kind, msg } for AppErrors.
 */
export type Request =
  | { id: number; op: 'probe'; input: ImageInput; limits: ImageLimits }
  | { id: number; op: 'detect'; input: ImageInput; limits: ImageLimits; region?: Box }
  | { id: number; op: 'enrol'; input: ImageInput; limits: ImageLimits; forComparison?: boolean }
  | { id: number; op: 'analyze'; input: ImageInput; limits: ImageLimits; minQuality?: number }
  | { id: number; op: 'embed'; input: ImageInput; limits: ImageLimits; face: DetectedFace }
  | { id: number; op: 'crop'; input: ImageInput; limits: ImageLimits; face: DetectedFace; margin: number; aligned: boolean };
/** `spare`: a raw frame's pixel buffer, handed back for the engine's next frame of that size */
export type Reply =
  | { id: number; ok: true; value: unknown; spare?: Uint8Array }
  | { id: number; ok: false; kind: AppError['kind']; msg: string; spare?: Uint8Array };

const { modelsDir, threads, arena } = workerData as { modelsDir: string; threads: number; arena: boolean };
// libvips' operation cache (50 MB by default, process-wide) only helps the same image twice; every
// upload and frame is a new one
sharp.cache(false);
let sessions: Promise<Sessions> | undefined;

/** The aligned 112x112 crop, or a padded crop around the face box, as JPEG, for storing capture images. */
async function cropJpeg(img: Rgb, face: DetectedFace, margin: number, aligned: boolean): Promise<Buffer> {
  if (aligned) {
    const crop = alignFace(img, face.landmarks);
    return sharp(crop.data, { raw: { width: crop.width, height: crop.height, channels: 3 } }).jpeg({ quality: 90 }).toBuffer();
  }
  const { x, y, width, height } = face.box;
  const left = Math.max(0, Math.floor(x - width * margin)), top = Math.max(0, Math.floor(y - height * margin));
  const right = Math.min(img.width, Math.ceil(x + width * (1 + margin))), bottom = Math.min(img.height, Math.ceil(y + height * (1 + margin)));
  if (right - left < 1 || bottom - top < 1) throw new AppError('NO_FACE', 'face box lies outside the image');
  return sharp(img.data, { raw: { width: img.width, height: img.height, channels: 3 } })
    .extract({ left, top, width: right - left, height: bottom - top })
    .jpeg({ quality: 90 })
    .toBuffer();
}

async function handle(req: Request): Promise<unknown> {
  // Loaded once, on first use; a failed load is forgotten so the next request tries again.
  sessions ??= loadSessions(modelsDir, threads, { arena }).catch((e: unknown) => {
    sessions = undefined;
    throw e;
  });
  if (req.op === 'probe') return probeImage(req.input as Uint8Array, req.limits);
  const s = await sessions;
  // A big picture is shrunk on load (image.ts); faces go in and out in the picture's own pixels.
  const img = await decodeImage(req.input, req.limits);
  const k = img.scale;
  switch (req.op) {
    case 'detect': {
      const region = req.region && { x: req.region.x * k, y: req.region.y * k, width: req.region.width * k, height: req.region.height * k };
      return (await detectFaces(s, img, undefined, region)).map((f) => scaled({ ...publicFace(f), signature: f.signature }, 1 / k));
    }
    case 'enrol': {
      const rules = req.forComparison ? COMPARE_RULES : ENROL_RULES;
      return scaled(await enrolFace(s, img, { ...rules, minFaceSize: rules.minFaceSize * k }), 1 / k);
    }
    case 'analyze': return (await analyzeFaces(s, img, req.minQuality)).map((f) => scaled(f, 1 / k));
    case 'embed': return embedFace(s, img, scaled(req.face, k).landmarks);
    case 'crop': return cropJpeg(img, scaled(req.face, k), req.margin, req.aligned);
  }
}

/** A face's box and landmarks multiplied by `k` (between the decoded copy's pixels and the picture's). */
function scaled<F extends DetectedFace>(f: F, k: number): F {
  if (k === 1) return f;
  const { x, y, width, height } = f.box;
  return { ...f, box: { x: x * k, y: y * k, width: width * k, height: height * k }, landmarks: f.landmarks.map(([a, b]) => [a * k, b * k]) as Landmarks };
}

/** A raw frame's pixels go back with the answer (no result refers to them once handled). */
function spareOf(req: Request): { spare?: Uint8Array; transfer: ArrayBuffer[] } {
  const input = req.input;
  if (input instanceof Uint8Array || !(input.data instanceof Uint8Array) || !(input.data.buffer instanceof ArrayBuffer)) return { transfer: [] };
  return { spare: input.data, transfer: [input.data.buffer] };
}

parentPort!.on('message', (req: Request) => {
  handle(req).then(
    (value) => { const { spare, transfer } = spareOf(req); parentPort!.postMessage({ id: req.id, ok: true, value, spare } satisfies Reply, transfer); },
    (e: unknown) => {
      const { spare, transfer } = spareOf(req);
      const reply: Reply = isAppError(e)
        ? { id: req.id, ok: false, kind: e.kind, msg: e.message, spare }
        : { id: req.id, ok: false, kind: 'FACE_ENGINE_FAILED', msg: `face engine failed: ${(e as Error)?.message ?? String(e)}`, spare };
      parentPort!.postMessage(reply, transfer);
    },
  );
});
