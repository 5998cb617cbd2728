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
 */
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
  /** detect at least this often, changed or not; default 4000 */
  refreshMs?: number;
}

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

export class MotionGate {
  private readonly o: Required<MotionGateOptions>;
  /** the grid of the last frame detected */
  private reference: Grid | undefined;
  /** the grid `needsDetection` made, and of which frame: `detected` takes it instead of making it again */
  private scratch: Grid | undefined;
  private scratchTime = NaN;
  private detectedAt = -Infinity;

  constructor(opts: MotionGateOptions = {}) {
    this.o = { cell: 8, threshold: 12, minCells: 6, minFraction: 0.0005, refreshMs: 4000, ...opts };
  }

  /**
   * Whether `frame` needs detection: it changed since the last frame detected, or that was
   * `refreshMs` ago, or there was none. Call `detected(frame)` once it has been.
   */
  needsDetection(frame: Picture): boolean {
    if (!this.reference || frame.time - this.detectedAt >= this.o.refreshMs) return true;
    this.scratch = lumaGrid(frame, this.o.cell, this.scratch);
    this.scratchTime = frame.time;
    if (this.scratch.width !== this.reference.width || this.scratch.height !== this.reference.height) return true;
    const changed = changedCells(this.scratch, this.reference, this.o.threshold);
    return changed >= Math.max(this.o.minCells, this.o.minFraction * this.reference.cells.length);
  }

  /** `frame` went through detection: the scene to compare the next frames with */
  detected(frame: Picture): void {
    if (this.scratch && this.scratchTime === frame.time) [this.reference, this.scratch] = [this.scratch, this.reference];
    else this.reference = lumaGrid(frame, this.o.cell, this.reference);
    this.scratchTime = NaN;
    this.detectedAt = frame.time;
  }
}
