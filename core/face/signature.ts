import type { Rgb } from './types.ts';

/**
 * A face's appearance signature: its aligned 112x112 crop (already made for the quality score)
 * pooled to 4x4 cells of mean R, G, B (48 numbers), zero mean, unit length. Comparing two is a dot
 * product (normalised cross correlation, -1..1). It costs microseconds where an embedding costs
 * ~20 ms of CPU, and it is not an identity: aligned faces of different people correlate too. The
 * stream node's tracker uses it only to decide *when* an embedding is worth its cost: a face whose
 * signature still matches its track's last verified one is the same face as far as a hard cut at the
 * same spot can tell; one that does not is embedded and compared on the cosine scale
 * (SAME_PERSON_COSINE).
 *
 * Coarse on purpose: at 60-100 px the landmarks, hence the alignment, jitter by a few pixels from
 * frame to frame, which finer grids (16x16 grey: the same face one second apart down to 0.82) take
 * for a change. SIGNATURE_SAME = 0.95, measured with `npm run bench:appearance` (19 faces of the
 * face-api demo photos each sliding across a 1280x720 H.264 clip with sensor noise, one frame a
 * second, faces of 60, 100 and 200 px): the same face one second apart is at 0.92 at worst and
 * under 0.95 in 0-2% of frames (median 0.994-0.999); two different faces in the same conditions
 * reach 0.91 at most. So someone else stepping into the same spot is below 0.95 and gets embedded,
 * and a face that stays is embedded about once in twenty frames or less. Without colour it separates
 * less: on the dev fixtures (150 px crops, several grey, different photos) 14% of different-people
 * pairs stay above 0.95; on a grey (infrared) camera those changes wait for the tracker's periodic
 * check (core/face/README.md).
 */
export const SIGNATURE_SIZE = 4;
export const SIGNATURE_SAME = 0.95;

export function faceSignature(aligned: Rgb): Float32Array {
  const n = SIGNATURE_SIZE;
  const { width: w, height: h, data } = aligned;
  const out = new Float32Array(n * n * 3);
  for (let y = 0; y < h; y++) {
    const row = Math.floor((y * n) / h) * n;
    for (let x = 0; x < w; x++) {
      const p = (y * w + x) * 3, c = (row + Math.floor((x * n) / w)) * 3;
      out[c] += data[p];
      out[c + 1] += data[p + 1];
      out[c + 2] += data[p + 2];
    }
  }
  let mean = 0;
  for (const v of out) mean += v;
  mean /= out.length;
  let norm = 0;
  for (let i = 0; i < out.length; i++) { out[i] -= mean; norm += out[i] * out[i]; }
  norm = Math.sqrt(norm) || 1;
  for (let i = 0; i < out.length; i++) out[i] /= norm;
  return out;
}

/** normalised cross correlation of two signatures: 1 identical, ~0 unrelated */
export function signatureSimilarity(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return 0;
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}
