/**
 * Detection by tiles: the face engine's detector sees 640x640 (core/face), so a 960 px frame is
 * shrunk to 640 before detection and faces under ~30 px of a 1080p camera are lost. With tiles the
 * frame is cut into overlapping pieces of at most 640x640, each detected at the frame's own
 * resolution, and the faces are put back into frame pixels and merged. It costs one detector run
 * per tile (2 for 960x540); figures and the default in stream-node/README.md.
 */
import type { DetectedFace, FaceEngine } from '../../core/face/index.ts';
import type { Frame } from '../ingest/ffmpeg-source.ts';

export interface Rect { x: number; y: number; width: number; height: number }

/** the detector's input side */
export const TILE = 640;

/**
 * Tiles covering width x height, each at most `tile` square, neighbours overlapping by at least
 * `overlap` px so a face up to that size lies whole in some tile. One tile when the frame fits.
 */
export function tileRects(width: number, height: number, tile = TILE, overlap = 160): Rect[] {
  const starts = (len: number) => {
    if (len <= tile) return [0];
    const n = Math.ceil((len - overlap) / (tile - overlap));
    return Array.from({ length: n }, (_, i) => Math.round((i * (len - tile)) / (n - 1)));
  };
  const out: Rect[] = [];
  for (const y of starts(height)) {
    for (const x of starts(width)) out.push({ x, y, width: Math.min(tile, width), height: Math.min(tile, height) });
  }
  return out;
}

/** the pixels of `r` as a frame of their own (a copy of its rows) */
export function cropFrame(f: Pick<Frame, 'data' | 'width' | 'height'>, r: Rect): { data: Buffer; width: number; height: number; channels: 3 } {
  const row = r.width * 3;
  const data = Buffer.allocUnsafe(row * r.height);
  for (let y = 0; y < r.height; y++) {
    const from = ((r.y + y) * f.width + r.x) * 3;
    f.data.copy(data, y * row, from, from + row);
  }
  return { data, width: r.width, height: r.height, channels: 3 };
}

export const shift = (f: DetectedFace, dx: number, dy: number): DetectedFace => ({
  ...f,
  box: { ...f.box, x: f.box.x + dx, y: f.box.y + dy },
  landmarks: f.landmarks.map(([x, y]) => [x + dx, y + dy]) as DetectedFace['landmarks'],
});

/** overlap of a and b over the smaller box: 1 when one holds the other (a face cut by a tile edge) */
function overlapOfSmaller(a: DetectedFace['box'], b: DetectedFace['box']): number {
  const ix = Math.max(0, Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x));
  const iy = Math.max(0, Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y));
  return (ix * iy) / Math.min(a.width * a.height, b.width * b.height);
}

/** faces found twice (in two tiles, or cut by an edge) kept once: the larger, then surer, one */
export function mergeFaces(faces: DetectedFace[]): DetectedFace[] {
  const order = [...faces].sort((a, b) => b.box.width * b.box.height * b.score - a.box.width * a.box.height * a.score);
  const kept: DetectedFace[] = [];
  for (const f of order) if (!kept.some((k) => overlapOfSmaller(k.box, f.box) > 0.5)) kept.push(f);
  return kept;
}

/** detects faces of `frame` tile by tile, in frame pixels */
export async function detectTiled(engine: Pick<FaceEngine, 'detect'>, frame: Frame): Promise<DetectedFace[]> {
  const rects = tileRects(frame.width, frame.height);
  if (rects.length === 1) return engine.detect(frame);
  const found = await Promise.all(rects.map(async (r) => (await engine.detect(cropFrame(frame, r))).map((f) => shift(f, r.x, r.y))));
  return mergeFaces(found.flat());
}
