/**
 * A stream node: follows `tasks.desired` (the running tasks and their cameras, re-sent by the API
 * on every change and periodically, newest version wins), takes its share of those cameras through
 * leases (share/camera-assigner.ts), runs one CameraPipeline per camera it holds, and reports each
 * camera's stream state on `camera.state.<id>` (on change and every lease tick). A camera used by
 * several tasks is read once, at the smallest interval, and its faces go to each task.
 */
import type { Bus } from '../core/bus/types.ts';
import { Channels } from '../core/bus/channels.ts';
import type { CameraStateMessage, StreamState, TasksDesiredMessage } from '../core/bus/messages.ts';
import { LeaseBuckets } from '../core/bus/subjects.ts';
import type { Subscription } from '../core/bus/types.ts';
import { Outbox } from '../core/bus/outbox.ts';
import type { Logger } from '../core/log.ts';
import { checkedRtspUrl, type AddressPolicy } from '../core/net/index.ts';
import { CameraAssigner } from './share/camera-assigner.ts';
import { CameraPipeline, type CameraPipelineOptions, type CameraTask } from './pipeline/camera-pipeline.ts';

export interface StreamNodeOptions {
  node: string;
  capacity: number;
  bus: Bus;
  engine: CameraPipelineOptions['engine'];
  store: CameraPipelineOptions['store'];
  leaseTtlMs?: number;
  detectWidth?: number;
  detectTiles?: boolean;
  motion?: CameraPipelineOptions['motion'];
  decode?: CameraPipelineOptions['decode'];
  tracker?: CameraPipelineOptions['tracker'];
  source?: CameraPipelineOptions['source'];
  /** where faces wait while the store or the bus is down (default: in memory), and its bounds */
  outbox?: { dir?: string; maxEntries?: number; maxBytes?: number };
  /**
   * CAMERA_ALLOWED_RANGES: a camera's RTSP host is resolved and checked before every connection
   * (DNS may have changed since AddCamera checked it), and ffmpeg is given the checked IP
   */
  cameraPolicy?: AddressPolicy;
  logger?: Logger;
}

interface WantedCamera { rtsp: string; intervalMs: number; tasks: CameraTask[] }

export class StreamNode {
  private assigner: CameraAssigner | undefined;
  private sub: Subscription | undefined;
  private version = -1;
  private wanted = new Map<number, WantedCamera>();
  private readonly running = new Map<number, { pipeline: CameraPipeline; rtsp: string; intervalMs: number }>();
  private stateTimer: NodeJS.Timeout | undefined;
  private offConnection: (() => void) | undefined;
  /** face crops and messages of all cameras, kept and retried while the store or the bus is down */
  readonly outbox: Outbox;
  /** the counts of pipelines that stopped, so the node's totals never go back */
  private readonly retired = { frames: 0, analysed: 0, still: 0, regions: 0, dropped: 0, faces: 0, published: 0, errors: 0 };

  constructor(private readonly o: StreamNodeOptions) {
    this.outbox = new Outbox({ bus: o.bus, store: o.store, ...o.outbox, logger: o.logger });
  }

  /**
   * Running totals over every camera this node has read (frames in, analysed, dropped because the
   * last was still being analysed, faces detected, face tracks published, errors), the cameras read
   * now and the outbox: what its /metrics shows (stream-node/metrics.ts).
   */
  stats() {
    const t = { ...this.retired };
    for (const { pipeline } of this.running.values()) for (const k of Object.keys(t) as (keyof typeof t)[]) t[k] += pipeline.stats[k];
    return { ...t, cameras: this.running.size, outboxWaiting: this.outbox.size, outboxDropped: this.outbox.stats.dropped };
  }

  /** cameras this node reads now */
  get cameras(): number[] { return [...this.running.keys()].sort((a, b) => a - b); }
  pipeline(cameraId: number): CameraPipeline | undefined { return this.running.get(cameraId)?.pipeline; }

  async start(): Promise<void> {
    const spec = { ...LeaseBuckets.cameras, ttlMs: this.o.leaseTtlMs ?? LeaseBuckets.cameras.ttlMs };
    const tickMs = Math.max(100, Math.floor(spec.ttlMs / 3));
    await this.outbox.open(); // what an earlier run left goes first
    // the grace for the holders after a bus outage: a lease's TTL (a live holder re-asserts at once)
    this.assigner = new CameraAssigner({ leases: await this.o.bus.leases(spec), node: this.o.node, capacity: this.o.capacity, tickMs, graceMs: spec.ttlMs, logger: this.o.logger });
    const assigner = this.assigner;
    this.offConnection = this.o.bus.onConnection?.((up) => {
      if (!up) { assigner.connectionLost(); return; }
      assigner.connectionRestored();
      this.outbox.retryNow();
    });
    this.assigner.on('acquired', (id) => this.startCamera(id));
    this.assigner.on('released', (id) => { void this.stopCamera(id); });
    this.sub = Channels.tasksDesired.listen(this.o.bus, (m) => this.apply(m), { log: this.o.logger });
    this.assigner.start();
    this.stateTimer = setInterval(() => { for (const id of this.running.keys()) this.reportState(id); }, tickMs);
    this.stateTimer.unref();
  }

  /** stops every camera and frees the leases (graceful); `crash` leaves them to expire */
  async stop(opts: { crash?: boolean } = {}): Promise<void> {
    clearInterval(this.stateTimer);
    this.offConnection?.();
    await this.sub?.stop();
    await this.assigner?.stop({ release: false });
    await Promise.all(this.cameras.map((id) => this.stopCamera(id)));
    if (!opts.crash) {
      await this.assigner?.stop({ release: true });
      // the last faces, if the store and the bus take them soon; the rest waits on disk for the next run
      if (!(await this.outbox.flush(5000))) this.o.logger?.warn({ waiting: this.outbox.size }, 'stopping with faces not sent yet');
    }
    this.outbox.close();
  }

  /** applies a desired state (also what the subscription does) */
  apply(msg: TasksDesiredMessage): void {
    if (msg.version < this.version) return;
    this.version = msg.version;
    const wanted = new Map<number, WantedCamera>();
    for (const t of msg.tasks) {
      for (const c of t.cameras) {
        const w = wanted.get(c.camera_id) ?? { rtsp: c.rtsp, intervalMs: t.interval, tasks: [] };
        w.intervalMs = Math.min(w.intervalMs, t.interval);
        w.tasks.push({ taskId: t.task_id, cameraList: c.camera_list });
        wanted.set(c.camera_id, w);
      }
    }
    this.wanted = wanted;
    this.assigner?.setWanted(wanted.keys());
    for (const [id, r] of this.running) {
      const w = wanted.get(id);
      if (!w) continue; // the assigner releases it on its next tick, which stops the pipeline
      if (w.rtsp !== r.rtsp || w.intervalMs !== r.intervalMs) {
        void this.stopCamera(id).then(() => { if (this.assigner?.cameras.includes(id)) this.startCamera(id); });
      } else {
        r.pipeline.setTasks(w.tasks);
      }
    }
  }

  private startCamera(id: number) {
    const w = this.wanted.get(id);
    if (!w || this.running.has(id)) return;
    const pipeline = new CameraPipeline({
      node: this.o.node, cameraId: id, url: w.rtsp, intervalMs: w.intervalMs, tasks: w.tasks,
      engine: this.o.engine, store: this.o.store, bus: this.o.bus, outbox: this.outbox,
      detectWidth: this.o.detectWidth, detectTiles: this.o.detectTiles, motion: this.o.motion, decode: this.o.decode, tracker: this.o.tracker,
      source: { ...this.o.source, resolveUrl: this.o.source?.resolveUrl ?? (this.o.cameraPolicy && ((url) => checkedRtspUrl(url, this.o.cameraPolicy!, 5000))) },
      logger: this.o.logger,
    });
    this.running.set(id, { pipeline, rtsp: w.rtsp, intervalMs: w.intervalMs });
    pipeline.on('state', (s, reason) => this.reportState(id, s, reason));
    pipeline.start();
  }

  private async stopCamera(id: number) {
    const r = this.running.get(id);
    if (!r) return;
    this.running.delete(id);
    await r.pipeline.stop();
    for (const k of Object.keys(this.retired) as (keyof typeof this.retired)[]) this.retired[k] += r.pipeline.stats[k];
  }

  private reportState(id: number, state?: StreamState, reason?: string) {
    const r = this.running.get(id);
    const s = state ?? r?.pipeline.state;
    if (!s) return;
    const msg: CameraStateMessage = {
      camera_id: id,
      node: this.o.node,
      state: s,
      task_ids: (this.wanted.get(id)?.tasks ?? []).map((t) => t.taskId),
      time: Date.now(),
      ...(reason ? { reason } : {}),
    };
    Channels.cameraState.emit(this.o.bus, msg);
  }
}
