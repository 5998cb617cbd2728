/**
 * Motion gate: was there a change in front of the camera since the last frame that went through
 * face detection? Detection is most of a node's CPU (a 640x384 detector run is ~18-25 ms of a core;
 * stream-node/README.md), and most cameras of a gate or a door look at an empty or unchanged scene
 * most of the time. As in NVRs (Frigate runs object detection only where motion is), a frame that
 * shows the same scene as the last detected one is not detected again: the pipeline keeps the faces
 * found then and takes their shots from this frame.
 *
 * The scene is compared on a coarse luma grid (one cell per `cell` x `cell` pixels, each the mean of
 * a 4 x 4 sample of its pixels, so sensor and compression noise averages out), against the grid of
 * the last detected frame, not the previous frame: a slow change (light through a day, a person
 * creeping in) adds up until it counts. A frame has changed when at least `minCells` cells (or
 * `minFraction` of them) moved by more than `threshold` luma levels. The defaults are chosen so a face
 * of the smallest size the detector finds is enough: 24 px at 960 px is 3 x 3 cells of 8 px.
 * A detection is forced at least every `refreshMs` whatever the gate says (a bound on what it misses).
 *
 * When the change is confined to a part of the frame (a person walking up while the rest of the
 * scene stands still), the gate says where: the bounding box of the changed cells, grown by `margin`
 * px. The pipeline then detects only there and keeps the faces found earlier elsewhere, which is
 * what Frigate does with its motion regions. The detector's time follows the region's area (a
 * region of 30 / 50 / 80 % of a 960x540 frame: ~0.4 / 0.5 / 0.8 of the whole frame's time, measured
 * with one ONNX thread); a change spread over more than `maxRegionFraction` of the frame (80 %) is
 * detected whole, since the rest would save little and lose the faces' context at the edges.
 */
import type { Box } from '../../core/face/index.ts';

/** what the gate reads of a frame (ingest's Frame is one) */
export interface Picture { data: Uint8Array; width: number; height: number; time: number }

export interface MotionGateOptions {
  /** cell side in frame pixels; default 8 */
  cell?: number;
  /** luma change of a cell (0-255) that counts; default 12 */
  threshold?: number;
  /** changed cells that make a change; default 6 */
  minCells?: number;
  /** or this fraction of all cells, when larger; default 0.0005 */
  minFraction?: number;
  /** detect the whole frame at least this often, changed or not; default 4000 */
  refreshMs?: number;
  /** detect a changed part of the frame alone (false: the whole frame on any change); default true */
  regions?: boolean;
  /** px added around the changed cells, so a face that moved lies whole inside; default 32 */
  margin?: number;
  /** a region over this share of the frame's area is the whole frame; default 0.8 */
  maxRegionFraction?: number;
}

/** a part of the frame, in frame pixels: what the face engine detects in (`detect(frame, { region })`) */
export type Region = Box;

/** what a frame needs: nothing (the scene is unchanged), detection of the whole frame, or of one part */
export type MotionVerdict = { detect: 'none' } | { detect: 'frame' } | { detect: 'region'; region: Region };

export interface Grid { width: number; height: number; cells: Uint8Array }

/** the mean luma of each cell, from a 4 x 4 sample of its pixels (RGB24 frame) */
export function lumaGrid(frame: Omit<Picture, 'time'>, cell: number, into?: Grid): Grid {
  const gw = Math.max(1, Math.floor(frame.width / cell)), gh = Math.max(1, Math.floor(frame.height / cell));
  const grid = into && into.width === gw && into.height === gh ? into : { width: gw, height: gh, cells: new Uint8Array(gw * gh) };
  const d = frame.data, stride = frame.width * 3;
  const step = Math.max(1, Math.floor(cell / 4)), n = Math.min(4, cell);
  for (let gy = 0; gy < gh; gy++) {
    for (let gx = 0; gx < gw; gx++) {
      let sum = 0;
      for (let sy = 0; sy < n; sy++) {
        let p = (gy * cell + sy * step) * stride + gx * cell * 3;
        for (let sx = 0; sx < n; sx++, p += step * 3) sum += 77 * d[p] + 150 * d[p + 1] + 29 * d[p + 2]; // BT.601 luma x 256
      }
      grid.cells[gy * gw + gx] = (sum / (n * n)) >> 8;
    }
  }
  return grid;
}

/** cells of `a` and `b` (same size) whose luma differs by more than `threshold` */
export function changedCells(a: Grid, b: Grid, threshold: number): number {
  let changed = 0;
  for (let i = 0; i < a.cells.length; i++) if (Math.abs(a.cells[i] - b.cells[i]) > threshold) changed++;
  return changed;
}

/**
 * The bounding box, in cells, of the changed cells that have a changed neighbour (of eight): a lone
 * cell is noise or a speck, too small for a face (3 x 3 cells at least), and would stretch the box
 * across the frame. Undefined when no cell has a changed neighbour.
 */
export function changedBounds(a: Grid, b: Grid, threshold: number): { x0: number; y0: number; x1: number; y1: number } | undefined {
  const { width: w, height: h } = a;
  const moved = (x: number, y: number) => x >= 0 && y >= 0 && x < w && y < h && Math.abs(a.cells[y * w + x] - b.cells[y * w + x]) > threshold;
  let x0 = w, y0 = h, x1 = -1, y1 = -1;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      if (!moved(x, y)) continue;
      if (!(moved(x - 1, y - 1) || moved(x, y - 1) || moved(x + 1, y - 1) || moved(x - 1, y) || moved(x + 1, y) || moved(x - 1, y + 1) || moved(x, y + 1) || moved(x + 1, y + 1))) continue;
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      if (y > y1) y1 = y;
    }
  }
  return x1 < 0 ? undefined : { x0, y0, x1, y1 };
}

export class MotionGate {
  private readonly o: Required<MotionGateOptions>;
  /** the grid of the scene as last detected: the whole frame's, then each region's cells */
  private reference: Grid | undefined;
  /** the grid `check` made, and of which frame: `detected` takes it instead of making it again */
  private scratch: Grid | undefined;
  private scratchTime = NaN;
  /** when the whole frame was last detected: regions do not put off the refresh */
  private detectedAt = -Infinity;

  constructor(opts: MotionGateOptions = {}) {
    this.o = { cell: 8, threshold: 12, minCells: 6, minFraction: 0.0005, refreshMs: 4000, regions: true, margin: 32, maxRegionFraction: 0.8, ...opts };
  }

  /**
   * What `frame` needs: the whole frame when there was no detection yet, the last whole one was
   * `refreshMs` ago or the change is wide; a region when the change is confined to one; none when
   * the scene has not changed. `known`: the faces detected so far; a region grows to hold those it
   * touches (a face half inside would be found cut, and twice). Call `detected(frame, region?)` once
   * the frame has been detected.
   */
  check(frame: Picture, known: Region[] = []): MotionVerdict {
    if (!this.reference || frame.time - this.detectedAt >= this.o.refreshMs) return { detect: 'frame' };
    this.scratch = lumaGrid(frame, this.o.cell, this.scratch);
    this.scratchTime = frame.time;
    const { scratch, reference } = this;
    if (scratch.width !== reference.width || scratch.height !== reference.height) return { detect: 'frame' };
    const changed = changedCells(scratch, reference, this.o.threshold);
    if (changed < Math.max(this.o.minCells, this.o.minFraction * reference.cells.length)) return { detect: 'none' };
    if (!this.o.regions) return { detect: 'frame' };
    const b = changedBounds(scratch, reference, this.o.threshold);
    if (!b) return { detect: 'frame' }; // changed, but only in specks all over: no one place to look
    const { cell, margin } = this.o;
    const x = Math.max(0, b.x0 * cell - margin), y = Math.max(0, b.y0 * cell - margin);
    const region = withBoxes({ x, y, width: Math.min(frame.width, (b.x1 + 1) * cell + margin) - x, height: Math.min(frame.height, (b.y1 + 1) * cell + margin) - y }, known);
    if (region.width * region.height > this.o.maxRegionFraction * frame.width * frame.height) return { detect: 'frame' };
    return { detect: 'region', region };
  }

  /**
   * `frame` went through detection, whole or in `region`: the scene to compare the next frames
   * with. After a region only the cells wholly inside it take this frame's values, so a slow change
   * elsewhere keeps adding up against what was detected there.
   */
  detected(frame: Picture, region?: Region): void {
    const grid = this.scratch && this.scratchTime === frame.time ? this.scratch : lumaGrid(frame, this.o.cell, this.scratch);
    this.scratchTime = NaN;
    if (!region || !this.reference || grid.width !== this.reference.width || grid.height !== this.reference.height) {
      [this.reference, this.scratch] = [grid, this.reference];
      this.detectedAt = frame.time;
      return;
    }
    const c = this.o.cell, w = grid.width;
    const gx0 = Math.ceil(region.x / c), gy0 = Math.ceil(region.y / c);
    const gx1 = Math.min(w, Math.floor((region.x + region.width) / c)), gy1 = Math.min(grid.height, Math.floor((region.y + region.height) / c));
    for (let gy = gy0; gy < gy1; gy++) this.reference.cells.set(grid.cells.subarray(gy * w + gx0, gy * w + gx1), gy * w + gx0);
    this.scratch = grid;
  }
}

export const overlaps = (a: Region, b: Region) => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

/** `region` grown until every box it touches lies inside it */
function withBoxes(region: Region, boxes: Region[]): Region {
  let r = region;
  for (let grown = true; grown;) {
    grown = false;
    for (const b of boxes) {
      if (!overlaps(b, r) || (b.x >= r.x && b.y >= r.y && b.x + b.width <= r.x + r.width && b.y + b.height <= r.y + r.height)) continue;
      const x = Math.min(r.x, b.x), y = Math.min(r.y, b.y);
      r = { x, y, width: Math.max(r.x + r.width, b.x + b.width) - x, height: Math.max(r.y + r.height, b.y + b.height) - y };
      grown = true;
    }
  }
  return r;
}
