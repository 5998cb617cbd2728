import type { Landmarks, Point, Rgb } from './types.ts';

/** The ArcFace 112x112 template: where the 5 landmarks of a frontal face sit in the aligned crop. */
export const ARCFACE_TEMPLATE: Landmarks = [
  [38.2946, 51.6963], [73.5318, 51.5014], [56.0252, 71.7366], [41.5493, 92.3655], [70.7299, 92.2041],
];
export const ALIGNED_SIZE = 112;

/** x' = a*x - b*y + tx ; y' = b*x + a*y + ty (rotation, uniform scale, translation). */
export type Similarity = { a: number; b: number; tx: number; ty: number };

/** Least-squares similarity transform mapping `src` onto `dst` (Umeyama without reflection). */
export function estimateSimilarity(src: readonly Point[], dst: readonly Point[]): Similarity {
  const n = src.length;
  let sx = 0, sy = 0, dx = 0, dy = 0;
  for (let i = 0; i < n; i++) { sx += src[i][0]; sy += src[i][1]; dx += dst[i][0]; dy += dst[i][1]; }
  sx /= n; sy /= n; dx /= n; dy /= n;
  let dot = 0, cross = 0, norm = 0;
  for (let i = 0; i < n; i++) {
    const px = src[i][0] - sx, py = src[i][1] - sy, qx = dst[i][0] - dx, qy = dst[i][1] - dy;
    dot += px * qx + py * qy;
    cross += px * qy - py * qx;
    norm += px * px + py * py;
  }
  const a = dot / (norm || 1), b = cross / (norm || 1);
  return { a, b, tx: dx - (a * sx - b * sy), ty: dy - (b * sx + a * sy) };
}

export function invert(t: Similarity): Similarity {
  const d = t.a * t.a + t.b * t.b || 1;
  const a = t.a / d, b = -t.b / d;
  return { a, b, tx: -(a * t.tx - b * t.ty), ty: -(b * t.tx + a * t.ty) };
}

export function apply(t: Similarity, [x, y]: Point): Point {
  return [t.a * x - t.b * y + t.tx, t.b * x + t.a * y + t.ty];
}

/**
 * Warp `img` into a size x size crop where the landmarks land on the template, by inverse mapping
 * and bilinear sampling. Pixels that fall outside the source are black, like OpenCV's warpAffine.
 */
export function warp(img: Rgb, toCrop: Similarity, size: number): Rgb {
  const inv = invert(toCrop);
  const out = new Uint8Array(size * size * 3);
  const W = img.width, H = img.height, d = img.data;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const fx = inv.a * x - inv.b * y + inv.tx, fy = inv.b * x + inv.a * y + inv.ty;
      const x0 = Math.floor(fx), y0 = Math.floor(fy);
      if (x0 < 0 || y0 < 0 || x0 + 1 >= W || y0 + 1 >= H) continue; // outside (or on the last row/column): black
      const wx = fx - x0, wy = fy - y0;
      const p00 = (y0 * W + x0) * 3, p01 = p00 + 3, p10 = p00 + W * 3, p11 = p10 + 3;
      const o = (y * size + x) * 3;
      for (let c = 0; c < 3; c++) {
        const top = d[p00 + c] + (d[p01 + c] - d[p00 + c]) * wx;
        const bot = d[p10 + c] + (d[p11 + c] - d[p10 + c]) * wx;
        out[o + c] = top + (bot - top) * wy + 0.5;
      }
    }
  }
  return { data: out, width: size, height: size };
}

/** The 112x112 ArcFace crop of the face with these landmarks. */
export function alignFace(img: Rgb, landmarks: Landmarks): Rgb {
  return warp(img, estimateSimilarity(landmarks, ARCFACE_TEMPLATE), ALIGNED_SIZE);
}
