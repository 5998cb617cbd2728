import { estimateSimilarity } from './align.ts';
import type { Box, Landmarks, Rgb } from './types.ts';

/**
 * Per-face quality from what we already have: detector confidence, face size, sharpness of the
 * aligned crop and pose from the 5 landmarks. Each part is 0..1; the quality is their product, so a
 * face that fails on any one axis ranks low (best-shot choice) and enrolment can name the reason.
 */
export type QualityParts = { score: number; size: number; sharpness: number; pose: number };

const clamp01 = (v: number) => Math.min(1, Math.max(0, v));

/** Shortest box side in pixels: below SIZE_MIN the embedding is unreliable, above SIZE_FULL it is as good as it gets. */
export const SIZE_MIN = 24;
export const SIZE_FULL = 80;
/** Laplacian variance of the aligned crop's grey centre that counts as fully sharp (see README, calibration). */
export const SHARP_FULL = 250;

export function sizeQuality(box: Box): number {
  return clamp01((Math.min(box.width, box.height) - SIZE_MIN) / (SIZE_FULL - SIZE_MIN));
}

/** Variance of the 4-neighbour Laplacian over the crop's central face area (away from black warp borders). */
export function laplacianVariance(crop: Rgb): number {
  const { width: w, height: h, data } = crop;
  const grey = new Float32Array(w * h);
  for (let i = 0, p = 0; i < w * h; i++, p += 3) grey[i] = 0.299 * data[p] + 0.587 * data[p + 1] + 0.114 * data[p + 2];
  const x0 = Math.round(w * 0.2), x1 = Math.round(w * 0.8), y0 = Math.round(h * 0.25), y1 = Math.round(h * 0.9);
  let s = 0, s2 = 0, n = 0;
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) {
      const i = y * w + x;
      const l = grey[i - 1] + grey[i + 1] + grey[i - w] + grey[i + w] - 4 * grey[i];
      s += l; s2 += l * l; n++;
    }
  }
  return s2 / n - (s / n) ** 2;
}

export function sharpnessQuality(lapVar: number): number {
  return clamp01(lapVar / SHARP_FULL);
}

/**
 * Yaw and pitch proxies in the roll-corrected face frame: the nose's sideways offset from the eye
 * midpoint per eye distance (0 frontal, ~0.5 near profile), and the nose's height between eyes and
 * mouth (~0.5 frontal, away from it when looking up or down).
 */
export function poseAngles(lm: Landmarks): { yaw: number; pitch: number } {
  const canon: Landmarks = [[-1, 0], [1, 0], [0, 1], [-0.8, 2], [0.8, 2]];
  const t = estimateSimilarity(lm, canon);
  const f = (p: [number, number]) => [t.a * p[0] - t.b * p[1] + t.tx, t.b * p[0] + t.a * p[1] + t.ty];
  const [le, re, nose, lm1, lm2] = lm.map(f);
  const eyeMid = [(le[0] + re[0]) / 2, (le[1] + re[1]) / 2];
  const mouthY = (lm1[1] + lm2[1]) / 2;
  const eyeDist = Math.hypot(re[0] - le[0], re[1] - le[1]) || 1;
  const yaw = (nose[0] - eyeMid[0]) / eyeDist;
  const pitch = (nose[1] - eyeMid[1]) / ((mouthY - eyeMid[1]) || 1) - 0.5;
  return { yaw, pitch };
}

export function poseQuality(lm: Landmarks): number {
  const { yaw, pitch } = poseAngles(lm);
  return clamp01(1 - Math.abs(yaw) / 0.45) * clamp01(1 - Math.max(0, Math.abs(pitch) - 0.1) / 0.35);
}

export function scoreQuality(score: number): number {
  return clamp01((score - 0.5) / 0.4);
}

export function qualityParts(box: Box, score: number, lm: Landmarks, lapVar: number): QualityParts {
  return { score: scoreQuality(score), size: sizeQuality(box), sharpness: sharpnessQuality(lapVar), pose: poseQuality(lm) };
}

export function combine(p: QualityParts): number {
  return p.score * p.size * p.sharpness * p.pose;
}
