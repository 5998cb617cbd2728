/**
 * Face tracks of one camera: which detection in this frame is the same person as in the last frames.
 * No I/O of its own; the one costly thing it may ask for, a face embedding, comes through the
 * `embed` function it is given (the face engine in the pipeline, vectors in the unit tests).
 *
 * Motion. Each track predicts where its face is now from a constant velocity (the last moves,
 * smoothed), as SORT and ByteTrack do, so a face walking 1.5 box widths per analysed frame (1 fps)
 * is found where it is going, not where it was. A detection is a candidate for a track when its box
 * overlaps the predicted one (IoU) or its centre lies within `maxCentroidDistance` box sizes of the
 * predicted centre, at a similar size.
 *
 * Appearance. A track never carries two people: it keeps an appearance (the quality-weighted mean of
 * the embeddings verified as its face) and a detection whose embedding is not the same person
 * (cosine under `sameCosine`, SAME_PERSON_COSINE) is never given to it, however well it overlaps.
 * Embeddings cost ~15 ms each, so a detection is embedded only when motion alone could be wrong:
 * - it starts a track, or its track has no appearance yet;
 * - it is ambiguous: within reach of two tracks, or its track within reach of two detections
 *   (neighbours in a group, people crossing);
 * - it jumped: matched by centre distance, not by overlap with the predicted box;
 * - its cheap signature (core/face/signature.ts) no longer matches its track's last verified one
 *   (someone else stepped into the same spot: a queue, a hard cut);
 * - its track was not verified for `verifyEveryMs` (a bound on what a signature could miss);
 * - and a shot about to be published, if it has no embedding yet (the message needs one anyway).
 * Faces under `appearanceMinQuality` are followed by motion only: their embeddings are unreliable
 * and they are never published. A track that lost its face (unmatched) takes it back by appearance
 * alone when it shows up elsewhere within `maxIdleMs`.
 *
 * Publishing, per appearance window. A track's first window opens with its first shot of at least
 * `minQuality` (after `settleMs`), published at once ('first': the fast first record). A better shot
 * within the window (by `minQualityGain`) is published once when the window closes or the track ends
 * ('better': it improves that record). A face that stays longer than `publishPeriodMs` opens window
 * 1, 2, ...: each is published once, when it closes or the track ends, with its best shot
 * ('period': one more record per period of presence). Windows start at the first shot plus whole
 * periods. Every message names its window (`window`, `windowStart`), so the matcher can tell an
 * improvement of an appearance from a new one and rate-limit new ones per person.
 */
import type { Box } from '../../core/bus/messages.ts';
import { cosine, SAME_PERSON_COSINE } from '../../core/face/similarity.ts';
import { SIGNATURE_SAME, signatureSimilarity } from '../../core/face/signature.ts';

export interface Detection<P = unknown> {
  box: Box;
  /** [0, 1], higher is better */
  quality: number;
  /** kept with the shot (e.g. the frame region to embed and crop later); what `embed` is given */
  payload?: P;
  /** the face engine's appearance signature; without one, any check of the face means an embedding */
  signature?: Float32Array;
}

export interface Shot<P = unknown> {
  time: number;
  box: Box;
  quality: number;
  payload?: P;
  /** set once embedded (verification or publishing): a shot is embedded at most once */
  embedding?: Float32Array;
}

export interface Track<P = unknown> {
  id: number;
  firstSeen: number;
  lastSeen: number;
  /** box in the last frame it was seen */
  box: Box;
  hits: number;
  /** of the box centre, px per ms; 0 until seen twice */
  velocity: { x: number; y: number };
  /** ms between its last two sightings */
  lastGap?: number;
  /** best shot over the whole track */
  best: Shot<P>;
  /** unit-length quality-weighted mean of the embeddings verified as this track's face */
  appearance?: Float32Array;
  /** signature of the last face verified by embedding */
  signature?: Float32Array;
  verifiedAt?: number;
  /** a shot failed verification at publish: check the next face whatever its signature says */
  suspect: boolean;
  /** current appearance window: 0 the first; undefined until the first publish */
  window?: number;
  windowStart?: number;
  /** quality of what was published for the current window (0: nothing yet) */
  windowQuality: number;
  /** best shot of the current window not yet published (undefined when nothing new) */
  unpublished?: Shot<P>;
  /** messages published so far */
  published: number;
  /** internal: sum of quality x verified embedding */
  appearanceSum?: Float32Array;
}

export interface Publish<P = unknown> {
  trackId: number;
  /** 0 for the track's first publish, then 1, 2, ...: with the track id, a stable message id */
  index: number;
  shot: Shot<P>;
  /** first: a window's record at once; better: improves the window's record; period: a later window's record */
  reason: 'first' | 'better' | 'period';
  /** the appearance window: 0 the first; with the track id it names the record the message belongs to */
  window: number;
  /** when the window started (epoch ms): its first shot for window 0, then that plus whole periods */
  windowStart: number;
}

export interface TrackerOptions {
  /** IoU with the predicted box that makes a detection a confident candidate; default 0.3 */
  iouThreshold?: number;
  /** centre distance from the predicted centre, in track box sizes (sqrt(w*h)), within which a
   * detection is a candidate; default 2; 0 = overlap only. Half of it for a track whose velocity is
   * known and that was seen in the last frame: its prediction is better than a guess, and a tighter
   * reach keeps neighbours in a group from competing for each other's tracks. */
  maxCentroidDistance?: number;
  /** box areas may differ by at most this factor; default 2.5 */
  maxAreaRatio?: number;
  /** a track unseen this long has ended; default 3000 */
  maxIdleMs?: number;
  /** length of an appearance window (see above); default 60 s */
  publishPeriodMs?: number;
  /** wait this long after a track starts before its first publish; default 0 */
  settleMs?: number;
  /** shots below this are tracked but never published; default 0 */
  minQuality?: number;
  /** a window's better shot must beat its published one by this; default 0.05 */
  minQualityGain?: number;
  /** cosine at or above which two embeddings are the same person; default SAME_PERSON_COSINE */
  sameCosine?: number;
  /** signature similarity under which a face is embedded to check it; default SIGNATURE_SAME */
  signatureSame?: number;
  /** faces under this quality are never embedded to be checked; default minQuality */
  appearanceMinQuality?: number;
  /** a track's face is embedded at least this often while it is seen; default 10 s */
  verifyEveryMs?: number;
}

/** embeds a detection's or shot's payload; undefined or a throw: no embedding (motion decides) */
export type Embed<P> = (payload: P) => Promise<Float32Array | undefined>;

export interface TrackerUpdate<P> {
  /** live tracks after this frame */
  tracks: Array<Track<P>>;
  /** for each detection, in order, the id of the track it joined or started */
  assigned: number[];
  /** tracks that ended at this update */
  ended: Array<Track<P>>;
  publish: Array<Publish<P>>;
  /** embeddings computed during this update */
  embedded: number;
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

const size = (b: Box) => Math.sqrt(b.width * b.height);
const centre = (b: Box) => ({ x: b.x + b.width / 2, y: b.y + b.height / 2 });

/** centre distance in units of a's size */
function centroidDistance(a: Box, b: Box): number {
  const ca = centre(a), cb = centre(b);
  return Math.hypot(ca.x - cb.x, ca.y - cb.y) / size(a);
}

/**
 * Weight of motion in a pairing's cost, next to the appearance distance (1 - cosine, at most
 * 1 - sameCosine for a pairing allowed at all). Motion costs 0..1 for overlapping boxes, 1..1+gate
 * by distance; at 1 frame a second a constant-velocity guess is weak (people stop and turn) where an
 * embedding is not, so as in DeepSORT motion is mostly the gate: within it, appearance decides when
 * both sides have one and motion breaks ties. A pairing without an embedding counts as a typical
 * same-person one (cosine 0.85).
 */
const MOTION_WEIGHT = 0.05;
const UNKNOWN_APPEARANCE = 0.15;

interface Candidate { ti: number; di: number; iou: number; dist: number }

export class Tracker<P = unknown> {
  private readonly o: Required<TrackerOptions>;
  private live: Array<Track<P>> = [];
  private nextId = 1;
  private lastTime = -Infinity;
  private embeddings = 0;

  constructor(opts: TrackerOptions = {}, private readonly embedFn?: Embed<P>) {
    const minQuality = opts.minQuality ?? 0;
    this.o = {
      iouThreshold: opts.iouThreshold ?? 0.3,
      maxCentroidDistance: opts.maxCentroidDistance ?? 2,
      maxAreaRatio: opts.maxAreaRatio ?? 2.5,
      maxIdleMs: opts.maxIdleMs ?? 3000,
      publishPeriodMs: opts.publishPeriodMs ?? 60_000,
      settleMs: opts.settleMs ?? 0,
      minQuality,
      minQualityGain: opts.minQualityGain ?? 0.05,
      sameCosine: opts.sameCosine ?? SAME_PERSON_COSINE,
      signatureSame: opts.signatureSame ?? SIGNATURE_SAME,
      appearanceMinQuality: opts.appearanceMinQuality ?? minQuality,
      verifyEveryMs: opts.verifyEveryMs ?? 10_000,
    };
  }

  get tracks(): ReadonlyArray<Track<P>> { return this.live; }

  /** Feeds one analysed frame (time in ms, not decreasing) and its detections. */
  async update(time: number, detections: Array<Detection<P>>): Promise<TrackerUpdate<P>> {
    if (time < this.lastTime) throw new RangeError(`frame time went backwards (${time} < ${this.lastTime})`);
    this.lastTime = time;
    const before = this.embeddings;
    const publish: Array<Publish<P>> = [];

    // the shots about to be published (tracks ending, windows closing) embedded together
    await this.prefetch(this.live.filter((t) => time - t.lastSeen > this.o.maxIdleMs
      || (t.windowStart !== undefined && time >= t.windowStart + this.o.publishPeriodMs)));
    // Tracks unseen for too long end before matching, so a face that comes back is a new track.
    const ended = await this.expire(time, publish);
    // windows that closed since the last frame are published now, seen or not
    for (const t of this.live) await this.closeWindows(t, time, publish);

    const tracks = this.live;
    const predicted = tracks.map((t) => this.predict(t, time));
    const cands: Candidate[] = [];
    for (let ti = 0; ti < tracks.length; ti++) {
      const t = tracks[ti];
      const predictable = t.hits >= 2 && t.lastGap !== undefined && time - t.lastSeen <= 1.5 * t.lastGap;
      const reach = predictable ? this.o.maxCentroidDistance / 2 : this.o.maxCentroidDistance;
      for (let di = 0; di < detections.length; di++) {
        const d = detections[di].box, p = predicted[ti];
        const ratio = (p.width * p.height) / (d.width * d.height);
        if (ratio > this.o.maxAreaRatio || ratio < 1 / this.o.maxAreaRatio) continue;
        const v = iou(p, d);
        const dist = centroidDistance(p, d);
        if (v >= this.o.iouThreshold || (reach > 0 && dist <= reach)) cands.push({ ti, di, iou: v, dist });
      }
    }

    // which faces motion alone could get wrong: embed those (once each)
    const emb: Array<Float32Array | undefined> = new Array(detections.length);
    if (this.embedFn) {
      const perDet = new Map<number, Candidate[]>(), perTrack = new Map<number, Candidate[]>();
      for (const c of cands) {
        perDet.set(c.di, [...(perDet.get(c.di) ?? []), c]);
        perTrack.set(c.ti, [...(perTrack.get(c.ti) ?? []), c]);
      }
      const check: number[] = [];
      for (let di = 0; di < detections.length; di++) {
        const d = detections[di];
        if (d.quality < this.o.appearanceMinQuality) continue;
        const mine = perDet.get(di) ?? [];
        let needed = mine.length !== 1;
        if (!needed) {
          const c = mine[0], t = tracks[c.ti];
          needed = (perTrack.get(c.ti)?.length ?? 0) > 1
            || !t.appearance || t.suspect
            || c.iou < this.o.iouThreshold
            || !d.signature || !t.signature || signatureSimilarity(d.signature, t.signature) < this.o.signatureSame
            || time - (t.verifiedAt ?? -Infinity) >= this.o.verifyEveryMs;
        }
        if (needed) check.push(di);
      }
      // asked together: the engine (one worker for every camera of the node) queues them back to
      // back, so a frame waits behind the other cameras' work once, not once per face
      const got = await Promise.all(check.map((di) => this.embed(detections[di].payload)));
      check.forEach((di, i) => { emb[di] = got[i]; });
    }
    const same = (t: Track<P>, di: number): number | undefined => (t.appearance && emb[di] ? cosine(t.appearance, emb[di]!) : undefined);

    // pair by motion, each pairing's appearance (when known) weighing in and vetoing another person
    const assigned = new Array<number>(detections.length).fill(0);
    const freeTracks = new Set(tracks.map((_, i) => i));
    const freeDets = new Set(detections.map((_, i) => i));
    const scored: Array<[number, Candidate, number | undefined]> = [];
    for (const c of cands) {
      const cos = same(tracks[c.ti], c.di);
      if (cos !== undefined && cos < this.o.sameCosine) continue;
      const motion = c.iou >= this.o.iouThreshold ? 1 - c.iou : 1 + c.dist;
      scored.push([(cos === undefined ? UNKNOWN_APPEARANCE : 1 - cos) + MOTION_WEIGHT * motion, c, cos]);
    }
    scored.sort((a, b) => a[0] - b[0]);
    for (const [, c, cos] of scored) {
      if (!freeTracks.has(c.ti) || !freeDets.has(c.di)) continue;
      freeTracks.delete(c.ti);
      freeDets.delete(c.di);
      this.extend(tracks[c.ti], time, detections[c.di], emb[c.di], cos, true);
      assigned[c.di] = tracks[c.ti].id;
    }

    // a face that lost its track (occluded, missed, moved off the prediction) takes it back by appearance
    const byLook: Array<[number, number, number]> = [];
    for (const ti of freeTracks) for (const di of freeDets) {
      const cos = same(tracks[ti], di);
      const ratio = (tracks[ti].box.width * tracks[ti].box.height) / (detections[di].box.width * detections[di].box.height);
      if (cos !== undefined && cos >= this.o.sameCosine && ratio <= this.o.maxAreaRatio && ratio >= 1 / this.o.maxAreaRatio) byLook.push([cos, ti, di]);
    }
    byLook.sort((a, b) => b[0] - a[0]);
    for (const [cos, ti, di] of byLook) {
      if (!freeTracks.has(ti) || !freeDets.has(di)) continue;
      freeTracks.delete(ti);
      freeDets.delete(di);
      this.extend(tracks[ti], time, detections[di], emb[di], cos, false);
      assigned[di] = tracks[ti].id;
    }

    for (const di of [...freeDets].sort((a, b) => a - b)) {
      const d = detections[di];
      const shot: Shot<P> = { time, box: d.box, quality: d.quality, payload: d.payload, embedding: emb[di] };
      const t: Track<P> = {
        id: this.nextId++, firstSeen: time, lastSeen: time, box: d.box, hits: 1, velocity: { x: 0, y: 0 }, best: shot, unpublished: shot,
        published: 0, windowQuality: 0, suspect: false,
      };
      if (emb[di]) this.learn(t, time, d, emb[di]!);
      this.live.push(t);
      assigned[di] = t.id;
    }

    for (const t of this.live) {
      if (t.lastSeen !== time || t.window !== undefined) continue;
      if (t.unpublished && t.unpublished.quality >= this.o.minQuality && time - t.firstSeen >= this.o.settleMs) await this.publishFirst(t, publish);
    }
    return { tracks: [...this.live], assigned, ended, publish, embedded: this.embeddings - before };
  }

  /** Ends every track (camera stopped): publishes what their open windows hold. */
  async flush(time = this.lastTime): Promise<{ ended: Array<Track<P>>; publish: Array<Publish<P>> }> {
    const publish: Array<Publish<P>> = [];
    const ended = this.live;
    this.live = [];
    await this.prefetch(ended);
    for (const t of ended) await this.endTrack(t, time, publish);
    return { ended, publish };
  }

  private predict(t: Track<P>, time: number): Box {
    const dt = time - t.lastSeen;
    return { ...t.box, x: t.box.x + t.velocity.x * dt, y: t.box.y + t.velocity.y * dt };
  }

  /** embeds, all at once, the pending shots of `tracks` that publishing would embed one by one */
  private async prefetch(tracks: Array<Track<P>>) {
    // what publishWindow / endTrack would publish: a window's first, a later window's best, window 0's better shot
    const shots = tracks.filter((t) => {
      const u = t.unpublished;
      if (!u || u.embedding || u.quality < this.o.minQuality) return false;
      return t.window === undefined || t.window > 0 || u.quality >= t.windowQuality + this.o.minQualityGain;
    }).map((t) => t.unpublished!);
    if (!this.embedFn || !shots.length) return;
    const got = await Promise.all(shots.map((u) => this.embed(u.payload)));
    shots.forEach((u, i) => { u.embedding = got[i]; });
  }

  private async embed(payload: P | undefined): Promise<Float32Array | undefined> {
    if (!this.embedFn || payload === undefined) return undefined;
    this.embeddings++;
    try {
      return await this.embedFn(payload);
    } catch {
      return undefined; // the engine failed: motion decides, as without embeddings
    }
  }

  private async expire(time: number, publish: Array<Publish<P>>): Promise<Array<Track<P>>> {
    const ended = this.live.filter((t) => time - t.lastSeen > this.o.maxIdleMs);
    if (!ended.length) return ended;
    this.live = this.live.filter((t) => !ended.includes(t));
    for (const t of ended) await this.endTrack(t, time, publish);
    return ended;
  }

  private async endTrack(t: Track<P>, time: number, publish: Array<Publish<P>>) {
    await this.closeWindows(t, time, publish);
    if (t.window === undefined) {
      // ended before settleMs (or before a good shot): published once if it had a good shot
      if (t.unpublished && t.unpublished.quality >= this.o.minQuality) await this.publishFirst(t, publish);
      return;
    }
    await this.publishWindow(t, publish);
  }

  /** publishes and advances every window of `t` that has closed by `time` */
  private async closeWindows(t: Track<P>, time: number, publish: Array<Publish<P>>) {
    if (t.window === undefined || t.windowStart === undefined) return;
    const P = this.o.publishPeriodMs;
    if (time < t.windowStart + P) return;
    await this.publishWindow(t, publish);
    const first = t.windowStart - t.window * P;
    t.window = Math.floor((time - first) / P);
    t.windowStart = first + t.window * P;
    t.windowQuality = 0;
    t.unpublished = undefined;
  }

  /** the open window's pending shot: window 0's if it beats the published one, a later window's best */
  private async publishWindow(t: Track<P>, publish: Array<Publish<P>>) {
    const u = t.unpublished;
    if (!u || u.quality < this.o.minQuality || t.window === undefined) return;
    if (t.window === 0 && u.quality < t.windowQuality + this.o.minQualityGain) return;
    if (!(await this.verify(t, u))) return;
    publish.push(this.mark(t, u, t.window === 0 ? 'better' : 'period'));
    t.windowQuality = u.quality;
  }

  private async publishFirst(t: Track<P>, publish: Array<Publish<P>>) {
    const u = t.unpublished!;
    if (!(await this.verify(t, u))) return;
    t.window = 0;
    t.windowStart = u.time;
    publish.push(this.mark(t, u, 'first'));
    t.windowQuality = u.quality;
  }

  /** a shot to publish is embedded (the message carries it) and must be the track's face */
  private async verify(t: Track<P>, s: Shot<P>): Promise<boolean> {
    if (!this.embedFn) return true;
    s.embedding ??= await this.embed(s.payload);
    if (!s.embedding || !t.appearance) {
      if (s.embedding) { t.appearanceSum = new Float32Array(s.embedding.length); this.addAppearance(t, s.embedding, s.quality); }
      return true;
    }
    if (cosine(t.appearance, s.embedding) >= this.o.sameCosine) return true;
    // the signature let someone else in: drop the shot, and check the next face by embedding
    t.suspect = true;
    t.unpublished = undefined;
    return false;
  }

  private extend(t: Track<P>, time: number, d: Detection<P>, embedding: Float32Array | undefined, cos: number | undefined, byMotion: boolean) {
    const dt = time - t.lastSeen;
    if (byMotion && dt > 0) {
      const a = centre(t.box), b = centre(d.box);
      const vx = (b.x - a.x) / dt, vy = (b.y - a.y) / dt;
      t.velocity = t.hits === 1 ? { x: vx, y: vy } : { x: (t.velocity.x + vx) / 2, y: (t.velocity.y + vy) / 2 };
    } else if (!byMotion) {
      t.velocity = { x: 0, y: 0 };
    }
    if (dt > 0) t.lastGap = dt;
    t.lastSeen = time;
    t.box = d.box;
    t.hits++;
    if (embedding && (cos === undefined || cos >= this.o.sameCosine)) this.learn(t, time, d, embedding);
    const shot: Shot<P> = { time, box: d.box, quality: d.quality, payload: d.payload, embedding };
    if (d.quality > t.best.quality) t.best = shot;
    if (!t.unpublished || d.quality > t.unpublished.quality) t.unpublished = shot;
  }

  /** a face verified as this track's: its appearance, signature and time of the check */
  private learn(t: Track<P>, time: number, d: Detection<P>, embedding: Float32Array) {
    t.appearanceSum ??= new Float32Array(embedding.length);
    this.addAppearance(t, embedding, d.quality);
    t.signature = d.signature;
    t.verifiedAt = time;
    t.suspect = false;
  }

  private addAppearance(t: Track<P>, e: Float32Array, quality: number) {
    const sum = t.appearanceSum!;
    const w = Math.max(quality, 0.01);
    let n = 0;
    for (let i = 0; i < sum.length; i++) { sum[i] += w * e[i]; n += sum[i] * sum[i]; }
    n = Math.sqrt(n) || 1;
    t.appearance = sum.map((v) => v / n);
  }

  private mark(t: Track<P>, shot: Shot<P>, reason: Publish['reason']): Publish<P> {
    const p: Publish<P> = { trackId: t.id, index: t.published, shot, reason, window: t.window!, windowStart: t.windowStart! };
    t.published++;
    t.unpublished = undefined;
    return p;
  }
}
