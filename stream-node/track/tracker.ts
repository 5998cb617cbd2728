/**
 * Face tracks of one camera: which detection in this frame is the same face as in the last frames.
 * Pure logic, no I/O. A detection joins the live track it overlaps most (IoU); failing that, at a
 * low frame rate where a walking face moves more than its own width between frames, the nearest
 * live track whose centre is within `maxCentroidDistance` box sizes and whose size is alike. Each
 * pairing is made greedily, best first, one detection per track.
 *
 * Each track keeps its best-quality shot. It is published (embedded, stored, sent) at most once per
 * `publishPeriodMs`: first as soon as it has a shot of at least `minQuality` (after `settleMs`, to
 * let a better shot come), then with the best shot since the last publish at each period; when the
 * track ends (unseen for `maxIdleMs`) its unpublished best is published if it beats what was
 * published by `minQualityGain`. The same face in front of a camera for a minute is thus one
 * message per period, not one per frame.
 */
import type { Box } from '../../core/bus/messages.ts';

export interface Detection<P = unknown> {
  box: Box;
  /** [0, 1], higher is better */
  quality: number;
  /** kept with the shot (e.g. the frame or crop to embed later) */
  payload?: P;
}

export interface Shot<P = unknown> {
  time: number;
  box: Box;
  quality: number;
  payload?: P;
}

export interface Track<P = unknown> {
  id: number;
  firstSeen: number;
  lastSeen: number;
  /** box in the last frame it was seen */
  box: Box;
  hits: number;
  /** best shot over the whole track */
  best: Shot<P>;
  /** best shot not yet published (undefined when nothing new since the last publish) */
  unpublished?: Shot<P>;
  published: number;
  lastPublishedAt?: number;
  lastPublishedQuality?: number;
}

export interface Publish<P = unknown> {
  trackId: number;
  /** 0 for the track's first publish, then 1, 2, ...: with the track id, a stable message id */
  index: number;
  shot: Shot<P>;
  reason: 'first' | 'period' | 'end';
}

export interface TrackerOptions {
  /** least IoU to continue a track; default 0.3 */
  iouThreshold?: number;
  /** fallback: centre distance in units of the track's box size (sqrt(width*height)); default 1.5; 0 = off */
  maxCentroidDistance?: number;
  /** fallback: box areas may differ by at most this factor; default 2.5 */
  maxAreaRatio?: number;
  /** a track unseen this long has ended; default 3000 */
  maxIdleMs?: number;
  /** at most one publish per track per period; default 60 s */
  publishPeriodMs?: number;
  /** wait this long after a track starts before its first publish; default 0 */
  settleMs?: number;
  /** shots below this are tracked but never published; default 0 */
  minQuality?: number;
  /** an ending track's unpublished best must beat the last published quality by this; default 0.05 */
  minQualityGain?: number;
}

export interface TrackerUpdate<P> {
  /** live tracks after this frame */
  tracks: Array<Track<P>>;
  /** for each detection, in order, the id of the track it joined or started */
  assigned: number[];
  /** tracks that ended at this update */
  ended: Array<Track<P>>;
  publish: Array<Publish<P>>;
}

export function iou(a: Box, b: Box): number {
  const x1 = Math.max(a.x, b.x);
  const y1 = Math.max(a.y, b.y);
  const x2 = Math.min(a.x + a.width, b.x + b.width);
  const y2 = Math.min(a.y + a.height, b.y + b.height);
  const inter = Math.max(0, x2 - x1) * Math.max(0, y2 - y1);
  const union = a.width * a.height + b.width * b.height - inter;
  return union > 0 ? inter / union : 0;
}

/** centre distance in units of a's size */
function centroidDistance(a: Box, b: Box): number {
  const dx = a.x + a.width / 2 - (b.x + b.width / 2);
  const dy = a.y + a.height / 2 - (b.y + b.height / 2);
  return Math.hypot(dx, dy) / Math.sqrt(a.width * a.height);
}

export class Tracker<P = unknown> {
  private readonly o: Required<TrackerOptions>;
  private live: Array<Track<P>> = [];
  private nextId = 1;
  private lastTime = -Infinity;

  constructor(opts: TrackerOptions = {}) {
    this.o = {
      iouThreshold: opts.iouThreshold ?? 0.3,
      maxCentroidDistance: opts.maxCentroidDistance ?? 1.5,
      maxAreaRatio: opts.maxAreaRatio ?? 2.5,
      maxIdleMs: opts.maxIdleMs ?? 3000,
      publishPeriodMs: opts.publishPeriodMs ?? 60_000,
      settleMs: opts.settleMs ?? 0,
      minQuality: opts.minQuality ?? 0,
      minQualityGain: opts.minQualityGain ?? 0.05,
    };
  }

  get tracks(): ReadonlyArray<Track<P>> { return this.live; }

  /** Feeds one analysed frame (time in ms, not decreasing) and its detections. */
  update(time: number, detections: Array<Detection<P>>): TrackerUpdate<P> {
    if (time < this.lastTime) throw new RangeError(`frame time went backwards (${time} < ${this.lastTime})`);
    this.lastTime = time;
    const publish: Array<Publish<P>> = [];

    // Tracks unseen for too long end before matching, so a face that comes back is a new track.
    const ended = this.expire(time, publish);

    const assigned = new Array<number>(detections.length).fill(0);
    const freeTracks = new Set(this.live.map((_, i) => i));
    const freeDets = new Set(detections.map((_, i) => i));
    const pair = (score: (t: Track<P>, d: Detection<P>) => number | undefined, higherIsBetter: boolean) => {
      const pairs: Array<[number, number, number]> = [];
      for (const ti of freeTracks) for (const di of freeDets) {
        const s = score(this.live[ti], detections[di]);
        if (s !== undefined) pairs.push([s, ti, di]);
      }
      pairs.sort((a, b) => (higherIsBetter ? b[0] - a[0] : a[0] - b[0]));
      for (const [, ti, di] of pairs) {
        if (!freeTracks.has(ti) || !freeDets.has(di)) continue;
        freeTracks.delete(ti);
        freeDets.delete(di);
        this.extend(this.live[ti], time, detections[di]);
        assigned[di] = this.live[ti].id;
      }
    };
    pair((t, d) => { const v = iou(t.box, d.box); return v >= this.o.iouThreshold ? v : undefined; }, true);
    if (this.o.maxCentroidDistance > 0) {
      pair((t, d) => {
        const ratio = (t.box.width * t.box.height) / (d.box.width * d.box.height);
        if (ratio > this.o.maxAreaRatio || ratio < 1 / this.o.maxAreaRatio) return undefined;
        const dist = centroidDistance(t.box, d.box);
        return dist <= this.o.maxCentroidDistance ? dist : undefined;
      }, false);
    }
    for (const di of [...freeDets].sort((a, b) => a - b)) {
      const d = detections[di];
      const shot: Shot<P> = { time, box: d.box, quality: d.quality, payload: d.payload };
      const t: Track<P> = { id: this.nextId++, firstSeen: time, lastSeen: time, box: d.box, hits: 1, best: shot, unpublished: shot, published: 0 };
      this.live.push(t);
      assigned[di] = t.id;
    }

    for (const t of this.live) {
      if (t.lastSeen !== time || !t.unpublished || t.unpublished.quality < this.o.minQuality) continue;
      const due = t.published === 0
        ? time - t.firstSeen >= this.o.settleMs
        : time - t.lastPublishedAt! >= this.o.publishPeriodMs;
      if (due) publish.push(this.markPublished(t, time, t.published === 0 ? 'first' : 'period'));
    }
    return { tracks: [...this.live], assigned, ended, publish };
  }

  /** Ends every track (camera stopped): publishes what the end rule says. */
  flush(time = this.lastTime): { ended: Array<Track<P>>; publish: Array<Publish<P>> } {
    const publish: Array<Publish<P>> = [];
    const ended = this.live;
    this.live = [];
    for (const t of ended) this.endTrack(t, time, publish);
    return { ended, publish };
  }

  private expire(time: number, publish: Array<Publish<P>>): Array<Track<P>> {
    const ended: Array<Track<P>> = [];
    this.live = this.live.filter((t) => {
      if (time - t.lastSeen <= this.o.maxIdleMs) return true;
      ended.push(t);
      this.endTrack(t, time, publish);
      return false;
    });
    return ended;
  }

  private endTrack(t: Track<P>, time: number, publish: Array<Publish<P>>) {
    const u = t.unpublished;
    if (!u || u.quality < this.o.minQuality) return;
    if (t.published === 0 || u.quality >= (t.lastPublishedQuality ?? 0) + this.o.minQualityGain) {
      publish.push(this.markPublished(t, time, t.published === 0 ? 'first' : 'end'));
    }
  }

  private extend(t: Track<P>, time: number, d: Detection<P>) {
    t.lastSeen = time;
    t.box = d.box;
    t.hits++;
    const shot: Shot<P> = { time, box: d.box, quality: d.quality, payload: d.payload };
    if (d.quality > t.best.quality) t.best = shot;
    if (!t.unpublished || d.quality > t.unpublished.quality) t.unpublished = shot;
  }

  private markPublished(t: Track<P>, time: number, reason: Publish['reason']): Publish<P> {
    const shot = t.unpublished!;
    const p: Publish<P> = { trackId: t.id, index: t.published, shot, reason };
    t.published++;
    t.lastPublishedAt = time;
    t.lastPublishedQuality = shot.quality;
    t.unpublished = undefined;
    return p;
  }
}
