/**
 * One camera on a stream node: ingest -> detect -> track -> (for each track to publish) embed, store
 * the face crop, publish one FaceMessage per task that uses the camera. Frames stay here; the bus
 * gets metadata, the embedding and the crop's object key.
 *
 * Publishing goes through the node's outbox when it has one (core/bus/outbox.ts): the crop and its
 * messages wait there, on disk, until the object store and the bus take them, in order, so an
 * outage of either delays faces instead of losing them (the tracker has counted the publish).
 *
 * Backpressure: a frame that arrives while the previous one is still being analysed is dropped
 * (counted in `stats.dropped`), never queued, so a slow engine means fewer analysed frames, not
 * growing memory or latency. A failure to detect or embed is logged and the frame or shot skipped;
 * the camera keeps running (store and bus failures wait in the outbox).
 */
import { EventEmitter } from 'node:events';
import type { Bus } from '../../core/bus/types.ts';
import type { Outbox } from '../../core/bus/outbox.ts';
import { encodeEmbedding, type FaceMessage, type StreamState } from '../../core/bus/messages.ts';
import { Channels } from '../../core/bus/channels.ts';
import type { FaceEngine } from '../../core/face/index.ts';
import type { Logger } from '../../core/log.ts';
import { captureKey, type ObjectStore } from '../../core/storage/index.ts';
import { FfmpegFrameSource, type FfmpegSourceOptions, type Frame } from '../ingest/ffmpeg-source.ts';
import { Tracker, type Publish, type TrackerOptions } from '../track/tracker.ts';
import { detectTiled } from './tiles.ts';
import { takeShot, type Shot } from './shot.ts';
import { MotionGate, overlaps, type MotionGateOptions, type MotionVerdict } from './motion.ts';
import type { DetectedFace } from '../../core/face/index.ts';

export interface CameraTask {
  taskId: number;
  /** 1: the task's camera_list1 (entrance), 2: camera_list2 (exit) */
  cameraList: 1 | 2;
}

export interface CameraPipelineOptions {
  node: string;
  cameraId: number;
  url: string;
  intervalMs: number;
  tasks: CameraTask[];
  engine: Pick<FaceEngine, 'detect' | 'embed' | 'cropJpeg'>;
  store: Pick<ObjectStore, 'put'>;
  bus: Pick<Bus, 'publish'>;
  /** when given, the crop and its messages go through it (kept and retried while the store or the bus
   *  is down) instead of store.put and bus.publish */
  outbox?: Pick<Outbox, 'push'>;
  /** frame width for detection; default 960 */
  detectWidth?: number;
  /** detect on 640 px tiles at the frame's resolution (small faces) instead of the frame shrunk to 640 px */
  detectTiles?: boolean;
  /** skip detection of frames that show the same scene as the last one detected (motion.ts); default on */
  motion?: MotionGateOptions | false;
  decode?: FfmpegSourceOptions['decode'];
  source?: Partial<Omit<FfmpegSourceOptions, 'url' | 'intervalMs' | 'maxWidth' | 'decode' | 'logger'>>;
  tracker?: TrackerOptions;
  logger?: Logger;
}


export interface CameraPipelineEvents {
  state: [StreamState, string | undefined];
  /** after each publish: the messages sent, or queued in the outbox (one per task) */
  published: [FaceMessage[]];
  /** after each frame's analysis: its time, when the analysis ended, the faces found and the
   * embeddings the tracker asked for with their time (figures) */
  analysed: [{ frameTime: number; doneAt: number; faces: number; embeds: number; embedMs: number; detected: boolean; region: boolean }];
}

export class CameraPipeline extends EventEmitter<CameraPipelineEvents> {
  /** analysed: frames handled (tracked); still: of those, the ones the motion gate spared detection;
   * regions: the ones detected only where the scene changed;
   * embeds: embeddings computed (tracking checks and published shots), embedMs: their total time */
  readonly stats = { frames: 0, analysed: 0, still: 0, regions: 0, dropped: 0, faces: 0, published: 0, errors: 0, embeds: 0, embedMs: 0 };
  private readonly gate: MotionGate | undefined;
  /** the faces of the last frame detected: an unchanged scene still shows them */
  private lastFaces: DetectedFace[] | undefined;
  private readonly source: FfmpegFrameSource;
  private readonly tracker: Tracker<Shot>;
  /** distinguishes this run's track ids from an earlier run's in message ids and object keys */
  private readonly epoch = Date.now().toString(36);
  private tasks: CameraTask[];
  private busy: Promise<void> | undefined;
  private readonly log: Logger | undefined;

  constructor(private readonly o: CameraPipelineOptions) {
    super();
    this.tasks = o.tasks;
    this.log = o.logger?.child({ camera: o.cameraId });
    // tiles cut the frame their own way: a changed frame is detected whole
    this.gate = o.motion === false ? undefined : new MotionGate(o.detectTiles ? { ...o.motion, regions: false } : o.motion);
    this.tracker = new Tracker<Shot>(o.tracker, (shot) => this.embed(shot));
    this.source = new FfmpegFrameSource({
      ...o.source,
      url: o.url,
      intervalMs: o.intervalMs,
      maxWidth: o.detectWidth ?? 960,
      decode: o.decode,
      logger: this.log,
    });
    this.source.on('state', (s, reason) => this.emit('state', s, reason));
    this.source.on('frame', (f) => this.onFrame(f));
  }

  get state(): StreamState | undefined { return this.source.state; }
  /** ffmpeg's pid, for figures */
  get ffmpegPid(): number | undefined { return this.source.pid; }

  setTasks(tasks: CameraTask[]): void { this.tasks = tasks; }

  start(): void { this.source.start(); }

  /** stops reading; tracks still open are ended and published by the end rule */
  async stop(): Promise<void> {
    await this.source.stop();
    await this.busy;
    const { publish } = await this.tracker.flush();
    for (const p of publish) await this.publish(p);
  }

  private onFrame(frame: Frame) {
    this.stats.frames++;
    if (this.busy) { this.stats.dropped++; frame.release?.(); return; }
    this.busy = this.analyse(frame)
      .catch((e) => { this.stats.errors++; this.log?.warn({ err: e }, 'frame analysis failed'); })
      .finally(() => { frame.release?.(); this.busy = undefined; });
  }

  /** what the motion gate says of `frame`, given what the pipeline can use */
  private verdict(frame: Frame): MotionVerdict {
    const last = this.lastFaces;
    if (!this.gate || !last) return { detect: 'frame' };
    return this.gate.check(frame, last.map((f) => f.box));
  }

  private async analyse(frame: Frame) {
    // An unchanged scene keeps the faces detected last, their shots taken from this frame; a scene
    // changed in one part keeps those elsewhere and detects that part.
    const v = this.verdict(frame);
    let faces: DetectedFace[];
    if (v.detect === 'none') {
      faces = this.lastFaces!;
      this.stats.still++;
    } else {
      const last = this.lastFaces;
      this.lastFaces = undefined; // a failed detection must not leave the faces of an older scene
      if (v.detect === 'region') {
        const found = await this.o.engine.detect(frame, { region: v.region });
        faces = [...last!.filter((f) => !overlaps(f.box, v.region)), ...found];
        this.gate!.detected(frame, v.region);
        this.stats.regions++;
      } else {
        faces = this.o.detectTiles ? await detectTiled(this.o.engine, frame) : await this.o.engine.detect(frame);
        this.gate?.detected(frame);
      }
      this.lastFaces = faces;
    }
    this.stats.analysed++;
    this.stats.faces += faces.length;
    const { embeds, embedMs } = this.stats;
    // each face's neighbourhood is copied out now, so no track keeps the whole frame alive
    const u = await this.tracker.update(frame.time, faces.map((face) => ({ box: face.box, quality: face.quality, signature: face.signature, payload: takeShot(frame, face) })));
    this.emit('analysed', { frameTime: frame.time, doneAt: Date.now(), faces: faces.length, embeds: this.stats.embeds - embeds, embedMs: this.stats.embedMs - embedMs, detected: v.detect !== 'none', region: v.detect === 'region' });
    for (const p of u.publish) await this.publish(p);
  }

  /** what the tracker asks for (and what a published shot carries): counted and timed */
  private async embed(shot: Shot): Promise<Float32Array> {
    const t0 = performance.now();
    try {
      return await this.o.engine.embed(shot.image, shot.face);
    } finally {
      this.stats.embeds++;
      this.stats.embedMs += performance.now() - t0;
    }
  }

  private async publish(p: Publish<Shot>) {
    const shot = p.shot.payload!;
    const { cameraId, node } = this.o;
    try {
      // the tracker embedded the shot to check it was the track's face; embed here only if it could not
      const [embedding, jpeg] = await Promise.all([p.shot.embedding ?? this.embed(shot), this.o.engine.cropJpeg(shot.image, shot.face)]);
      const name = `${node}-${this.epoch}-${p.trackId}-${p.index}`;
      const key = captureKey({ time: p.shot.time, cameraId, name });
      const emb = encodeEmbedding(embedding);
      const sent: FaceMessage[] = this.tasks.map((t) => ({
        message_id: `${name}-${cameraId}-${t.taskId}`,
        task_id: t.taskId,
        camera_id: cameraId,
        camera_list: t.cameraList,
        capture_time: p.shot.time,
        box: shot.cameraBox,
        quality: Math.min(1, Math.max(0, p.shot.quality)),
        embedding: emb,
        capture_url: key,
        node,
        track_id: p.trackId,
        appearance: `${node}-${this.epoch}-${p.trackId}-${p.window}`,
        appearance_start: p.windowStart,
      }));
      if (this.o.outbox) {
        const messages = sent.map((msg) => ({ ...Channels.faces.address(msg), data: msg }));
        this.o.outbox.push({ object: { key, body: jpeg, contentType: 'image/jpeg' }, messages });
      } else {
        await this.o.store.put(key, jpeg, 'image/jpeg');
        for (const msg of sent) await Channels.faces.publish(this.o.bus, msg);
      }
      this.stats.published++;
      this.emit('published', sent);
    } catch (e) {
      this.stats.errors++;
      this.log?.warn({ err: e, track: p.trackId }, 'publishing a face failed');
    }
  }
}
