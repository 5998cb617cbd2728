import type { Box, Landmarks, Rgb } from './types.ts';

/**
 * RetinaFace MobileNet-0.25 (mnet.25_v2.onnx, RGB 0..255 NCHW, no mean or scale) decode: anchors per
 * stride, box and landmark regression, then non-maximum suppression. The file declares a fixed
 * 1x3x640x640 input; the graph is fully convolutional, so models.ts makes H and W symbolic and the
 * input follows the image's aspect (`detectorShape`), longest side DETECTOR_SIZE.
 */
export const DETECTOR_SIZE = 640;

/** Input H and W must be multiples of the coarsest stride (the FPN upsample-and-crop needs it). */
export const DETECTOR_ALIGN = 32;

/**
 * Model input size for an image that already fits DETECTOR_SIZE: the image's own aspect with the
 * longest side DETECTOR_SIZE, each side rounded up to a multiple of 32 (640x360 -> 640x384). A square
 * or near-square image (short side over 608 at that scale) keeps the full 640x640; a small image is
 * not upscaled, it sits at the top-left of the same-aspect input as before.
 */
export function detectorShape(width: number, height: number): { width: number; height: number } {
  const long = Math.max(width, height, 1);
  const side = (n: number) => Math.min(DETECTOR_SIZE, Math.max(DETECTOR_ALIGN, Math.ceil((DETECTOR_SIZE * n) / long / DETECTOR_ALIGN) * DETECTOR_ALIGN));
  return { width: side(width), height: side(height) };
}

/**
 * Model input for a part of a frame (detection in a region, already at the frame's detector scale):
 * its own size, each side rounded up to a multiple of 32. Unlike `detectorShape` it is not widened
 * to the frame's aspect: the point of a region is running the detector on fewer pixels.
 */
export function regionShape(width: number, height: number): { width: number; height: number } {
  const side = (n: number) => Math.min(DETECTOR_SIZE, Math.max(DETECTOR_ALIGN, Math.ceil(n / DETECTOR_ALIGN) * DETECTOR_ALIGN));
  return { width: side(width), height: side(height) };
}

/** Anchor sizes per stride as trained (base 16, ratio 1): two anchors at every grid cell. */
const STRIDES: Array<{ stride: number; sizes: [number, number] }> = [
  { stride: 32, sizes: [512, 256] },
  { stride: 16, sizes: [128, 64] },
  { stride: 8, sizes: [32, 16] },
];

/**
 * This export of mnet.25 (insightface's "v2" training) predicts landmark offsets scaled by a
 * landmark_std of 0.2: offset = pred * 0.2 * (anchor + 1). The original RetinaFace decode (pred *
 * (anchor + 1)) throws the points far outside the face; retinaface-js uses pred * (anchor * 0.18 + 1).
 * Checked on real photos (points on eyes, nose tip, mouth corners) and on the fixture pairs, where 0.2
 * gives the cleanest separation: genuine cosine min 0.39 / impostor max 0.25, against 0.34 / 0.24 with
 * the retinaface-js factors and 0.36 / 0.28 with pred * (0.2 * anchor + 1).
 */
export const LANDMARK_STD = 0.2;

export type RawDetection = { box: Box; score: number; landmarks: Landmarks };

/** Letterbox to a W x H model input (default 640x640): image at the top-left, zero padding right and bottom. */
export function detectorTensor(img: Rgb, shape = { width: DETECTOR_SIZE, height: DETECTOR_SIZE }, into?: Float32Array): Float32Array {
  const S = shape.width, plane = S * shape.height;
  if (img.width > S || img.height > shape.height) throw new Error(`detector input must fit ${S}x${shape.height}`);
  if (into && into.length !== 3 * plane) throw new Error('detector tensor buffer has the wrong size');
  const t = into ?? new Float32Array(3 * plane);
  if (into && (img.width < S || img.height < shape.height)) t.fill(0); // the padding of an earlier, other image
  const d = img.data;
  for (let y = 0; y < img.height; y++) {
    let p = y * img.width * 3;
    let o = y * S;
    for (let x = 0; x < img.width; x++, p += 3, o++) {
      t[o] = d[p]; t[o + plane] = d[p + 1]; t[o + 2 * plane] = d[p + 2];
    }
  }
  return t;
}

export type DetectorOutputs = Record<string, { data: Float32Array; dims: readonly number[] }>;

/** Candidate faces above `threshold`, in model-input pixels, before NMS. Grid sizes come from the outputs. */
export function decodeProposals(out: DetectorOutputs, threshold: number, landmarkStd = LANDMARK_STD): RawDetection[] {
  const found: RawDetection[] = [];
  for (const { stride, sizes } of STRIDES) {
    const cls = out[`face_rpn_cls_prob_reshape_stride${stride}`].data;
    const reg = out[`face_rpn_bbox_pred_stride${stride}`].data;
    const lmk = out[`face_rpn_landmark_pred_stride${stride}`].data;
    const dims = out[`face_rpn_bbox_pred_stride${stride}`].dims;
    const h = dims[2], w = dims[3], plane = w * h, A = sizes.length;
    for (let a = 0; a < A; a++) {
      const size = sizes[a];
      const lm = landmarkStd * (size + 1);
      for (let i = 0; i < h; i++) {
        for (let j = 0; j < w; j++) {
          const idx = i * w + j;
          // Channels 0..A-1 are background, A..2A-1 face probability.
          const score = cls[(A + a) * plane + idx];
          if (score < threshold) continue;
          const cx = j * stride + 8, cy = i * stride + 8;
          const b = a * 4 * plane + idx;
          const pcx = cx + size * reg[b], pcy = cy + size * reg[b + plane];
          const pw = size * Math.exp(reg[b + 2 * plane]), ph = size * Math.exp(reg[b + 3 * plane]);
          const l = a * 10 * plane + idx;
          const pts = [0, 1, 2, 3, 4].map((k) => [cx + lm * lmk[l + 2 * k * plane], cy + lm * lmk[l + (2 * k + 1) * plane]]);
          found.push({ box: { x: pcx - pw / 2, y: pcy - ph / 2, width: pw, height: ph }, score, landmarks: pts as Landmarks });
        }
      }
    }
  }
  return found;
}

export function iou(a: Box, b: Box): number {
  const ix = Math.max(0, Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x));
  const iy = Math.max(0, Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y));
  const inter = ix * iy;
  return inter / (a.width * a.height + b.width * b.height - inter || 1);
}

/** Greedy NMS, best score first. */
export function nms(dets: RawDetection[], threshold = 0.4): RawDetection[] {
  const sorted = [...dets].sort((a, b) => b.score - a.score);
  const keep: RawDetection[] = [];
  for (const d of sorted) if (keep.every((k) => iou(k.box, d.box) <= threshold)) keep.push(d);
  return keep;
}

/**
 * Map detections from the downscaled detector image back to the original, clipping boxes to it;
 * `offset`: where the detector image's top-left is in the original (a region's corner).
 */
export function toOriginal(d: RawDetection, scale: number, width: number, height: number, offset = { x: 0, y: 0 }): RawDetection {
  const x0 = Math.max(0, d.box.x / scale + offset.x), y0 = Math.max(0, d.box.y / scale + offset.y);
  const x1 = Math.min(width, (d.box.x + d.box.width) / scale + offset.x), y1 = Math.min(height, (d.box.y + d.box.height) / scale + offset.y);
  return {
    box: { x: x0, y: y0, width: Math.max(0, x1 - x0), height: Math.max(0, y1 - y0) },
    score: d.score,
    landmarks: d.landmarks.map(([x, y]) => [x / scale + offset.x, y / scale + offset.y]) as Landmarks,
  };
}
