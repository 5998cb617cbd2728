/**
 * Frames of one camera: the system ffmpeg (driven by fluent-ffmpeg) reads RTSP over TCP and writes
 * raw RGB24 frames, scaled down to at most `maxWidth`, at most one per `intervalMs`, to a pipe.
 *
 * It decodes no more than needed (figures: test/bench/ingest.ts, stream-node/README.md):
 * - 'keyframes': `-skip_frame nokey`, the decoder skips every frame but key frames. A camera's
 *   GOP is usually 1-2 s, so at an interval of a second or more this is ~5x cheaper than decoding
 *   everything; the frame rate is then bounded by the GOP (a frame every GOP at most).
 * - 'all': every frame is decoded; needed when the interval is shorter than the GOP.
 * - 'auto' (default): starts with key frames and, when the key frames come further apart than
 *   1.5 intervals (median of the first 3 gaps), switches to 'all' for the life of the source.
 * In key-frame mode frames come once per GOP: the default stall timeout (10 s) allows for long GOPs.
 * Either way frames are dropped by `select` before `scale` and the RGB conversion, and the decoder
 * runs on one thread (a camera is one of many on a node; frame threads only add memory and delay).
 *
 * A stream that ends, fails or stalls (no frame for stallTimeoutMs) is reopened with exponential
 * backoff (capped). State changes are emitted as 'state': connecting -> online -> offline -> online
 * ... The source never throws at its user; it keeps trying until stop().
 */
import { EventEmitter } from 'node:events';
import { getPriority, setPriority } from 'node:os';
import { DECODE_NICE } from '../../core/constants.ts';
import type ffmpeg from 'fluent-ffmpeg';
import type { Logger } from '../../core/log.ts';
import type { StreamState } from '../../core/bus/messages.ts';
import { redactText } from '../../core/redact.ts';
import { SpareBuffers } from '../../core/spare-buffers.ts';
import { readPipeInto } from './pipe-reader.ts';

export type DecodeMode = 'keyframes' | 'all' | 'auto';

export interface Frame {
  /** RGB24, width * height * 3 bytes, rows top to bottom */
  data: Buffer;
  width: number;
  height: number;
  /** a Frame is the face engine's RawFrame as it is */
  channels: 3;
  /** the camera's own resolution (boxes on the bus are in these pixels) */
  sourceWidth: number;
  sourceHeight: number;
  /** epoch ms when the frame left ffmpeg (the capture time: the stream is live) */
  time: number;
  /** frames emitted by this source so far, from 0 (across reconnects) */
  seq: number;
  /**
   * Gives `data` back for a later frame: call it once the frame is dropped or analysed and nothing
   * reads it any more (optional: a frame never released is left to the garbage collector).
   */
  release?: () => void;
}

export interface FfmpegSourceOptions {
  url: string;
  intervalMs: number;
  /** frames wider than this are scaled down (aspect kept); narrower ones are left alone */
  maxWidth: number;
  decode?: DecodeMode;
  /** reconnect delays: initialMs, doubled after each failure, at most maxMs */
  backoff?: { initialMs?: number; maxMs?: number };
  /** no frame for this long means the stream is dead; default max(10 s, 3 intervals) */
  stallTimeoutMs?: number;
  /** RTSP socket timeout; default 5 s */
  socketTimeoutMs?: number;
  /** how much lower than the node's own CPU priority ffmpeg runs (niceness added, 0-19); default DECODE_NICE */
  nice?: number;
  /**
   * Run before every connection attempt: the URL to give ffmpeg (e.g. its host checked against the
   * camera address policy and replaced by the checked IP). A rejection fails the attempt, which is
   * retried with the usual back-off (the camera's DNS or the policy may change).
   */
  resolveUrl?: (url: string) => Promise<string>;
  logger?: Logger;
}

export interface FfmpegSourceEvents {
  frame: [Frame];
  state: [StreamState, string | undefined];
}

/** The ffmpeg arguments, apart from the input URL: input options, then output options. */
export function ffmpegArgs(o: Pick<FfmpegSourceOptions, 'intervalMs' | 'maxWidth' | 'socketTimeoutMs'> & { decode?: 'keyframes' | 'all' }): { input: string[]; output: string[] } {
  const seconds = o.intervalMs / 1000;
  // A frame is taken when at least an interval has passed since the last one taken, less 20 ms of
  // timestamp jitter: under one frame period up to 50 fps, so 25 fps gives exactly every 25th frame.
  const minGap = Math.max(0, seconds - Math.min(0.02, seconds * 0.1)).toFixed(3);
  const input = [
    '-rtsp_transport', 'tcp',
    '-timeout', String((o.socketTimeoutMs ?? 5000) * 1000),
    // ffmpeg probes 5 s of stream by default, which with skipped frames means ~5 s to the first
    // frame; the SDP already tells the codec and size, a second is plenty (0.2 s fails on cameras
    // that send SPS/PPS only in band).
    '-analyzeduration', '1000000',
    '-flags', 'low_delay',
    '-threads', '1',
    // Key frames only, and those without the deblocking filter: a key frame is decoded from itself
    // and no decoded frame refers to it, so nothing drifts. It takes ~13 % off ffmpeg's CPU per camera
    // (4 cameras, 1080p at 4 Mbit/s: 4.6 -> 4.0 % of a core); on real faces the embeddings move less
    // than between two key frames of the same still scene (cosine to the filtered decode, median
    // 0.990-0.998 at 1-4 Mbit/s, against 0.95-0.99 for the next key frame). In 'all' mode P frames
    // would build on unfiltered pictures, so the filter stays on there.
    ...((o.decode ?? 'keyframes') === 'keyframes' ? ['-skip_frame', 'nokey', '-skip_loop_filter', 'all'] : []),
  ];
  const output = [
    '-an', '-sn', '-dn',
    '-vf', `select='isnan(prev_selected_t)+gte(t-prev_selected_t\\,${minGap})',scale='min(iw\\,${o.maxWidth})':-2:flags=bilinear`,
    '-fps_mode', 'passthrough',
    '-pix_fmt', 'rgb24',
    // Without these each frame leaves ffmpeg only when the next one is made, a whole interval late
    // (a second of every record's latency at 1 fps): the rawvideo encoder is frame-threaded by
    // default (one frame in flight per extra thread), and the pipe's I/O buffer keeps a frame's tail.
    '-threads', '1',
    '-flush_packets', '1',
    '-f', 'rawvideo',
  ];
  return { input, output };
}

/**
 * fluent-ffmpeg (~10 MB) loads when the first camera opens, not with the process: an embedded host
 * with no camera assigned never needs it. Once loaded, opening stays synchronous.
 *
 * Before its first command in a process fluent-ffmpeg runs `which ffmpeg`, `ffmpeg -formats` and
 * `ffmpeg -encoders` and caches the answers; cameras that open together would each run all three
 * (4 cameras on a busy 2-core machine: ~3 s more before the first frame). They are asked once, here.
 */
let fluent: typeof ffmpeg | undefined;
let loading: Promise<typeof ffmpeg> | undefined;
function loadFluent(): Promise<typeof ffmpeg> {
  return loading ??= import('fluent-ffmpeg').then(async (m) => {
    const f = m.default;
    await new Promise<void>((done) => f.availableFormats(() => f.availableEncoders(() => done())));
    return (fluent = f);
  }).catch((e: unknown) => {
    loading = undefined;
    throw e;
  });
}

/** bytes a read of ffmpeg's pipe may take: the pipe's own capacity on Linux */
const PIPE_READ = 65536;

export class FfmpegFrameSource extends EventEmitter<FfmpegSourceEvents> {
  private cmd: ffmpeg.FfmpegCommand | undefined;
  private stopped = true;
  private current: StreamState | undefined;
  private failures = 0;
  private seq = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  private stallTimer: NodeJS.Timeout | undefined;
  private pidValue: number | undefined;
  private readonly log: Logger | undefined;
  /** what ffmpeg is told now: 'auto' starts as 'keyframes' */
  private mode: 'keyframes' | 'all';
  /** gaps between key-frame-only frames, while 'auto' is deciding */
  private gaps: number[] | undefined;
  private lastFrameAt = 0;
  /** connection attempts started, so a late address check of an old attempt is ignored */
  private attempts = 0;

  constructor(private readonly o: FfmpegSourceOptions) {
    super();
    this.log = o.logger?.child({ stage: 'ingest' });
    const decode = o.decode ?? 'auto';
    this.mode = decode === 'all' ? 'all' : 'keyframes';
    this.gaps = decode === 'auto' ? [] : undefined;
  }

  /** the decoding in force ('auto' resolves to one of these) */
  get decodeMode(): 'keyframes' | 'all' { return this.mode; }

  get state(): StreamState | undefined { return this.current; }
  /** pid of the running ffmpeg, for CPU/RSS figures */
  get pid(): number | undefined { return this.pidValue; }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.setState('connecting');
    this.open();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    clearTimeout(this.stallTimer);
    this.kill();
  }

  private setState(s: StreamState, reason?: string) {
    if (s === this.current) return;
    this.current = s;
    this.emit('state', s, reason);
  }

  private kill() {
    const cmd = this.cmd;
    this.cmd = undefined;
    this.pidValue = undefined;
    if (cmd) cmd.kill('SIGKILL');
  }

  private armStall() {
    clearTimeout(this.stallTimer);
    const ms = this.o.stallTimeoutMs ?? Math.max(10_000, 3 * this.o.intervalMs);
    this.stallTimer = setTimeout(() => this.fail(`no frame for ${ms} ms`), ms);
  }

  private open() {
    if (!fluent) {
      loadFluent()
        .then(() => { if (!this.stopped && !this.cmd) this.open(); })
        .catch((e: Error) => this.fail(`cannot start ffmpeg: ${e.message}`));
      return;
    }
    if (!this.o.resolveUrl) return this.spawn(this.o.url);
    const attempt = ++this.attempts;
    const current = () => !this.stopped && attempt === this.attempts && !this.cmd;
    this.o.resolveUrl(this.o.url).then(
      (url) => { if (current()) this.spawn(url); },
      (e: Error) => { if (current()) this.fail(`camera address refused: ${e.message}`); },
    );
  }

  private spawn(url: string) {
    const { input, output } = ffmpegArgs({ ...this.o, decode: this.mode });
    this.lastFrameAt = 0;
    let width = 0;
    let height = 0;
    let sourceWidth = 0;
    let sourceHeight = 0;
    let inOutput = false;
    /** chunks that came before the frame size was known (ffmpeg's stderr tells it) */
    let early: Buffer[] = [];
    /** the frame being filled, and how many of its bytes are in */
    let cur: Buffer | undefined;
    let filled = 0;
    let lastStderr = '';
    const cmd = fluent!(url).inputOptions(input).outputOptions(output);
    this.cmd = cmd;
    const mine = () => this.cmd === cmd;

    cmd.on('start', () => {
      const proc = (cmd as unknown as { ffmpegProc?: { pid?: number; stdout?: NodeJS.ReadableStream } }).ffmpegProc;
      this.pidValue = proc?.pid;
      // Below the node's priority (core/constants.ts DECODE_NICE has why). Lowering one's own
      // child's priority needs no privilege; where it fails ffmpeg just runs as the node.
      const by = this.o.nice ?? DECODE_NICE;
      if (this.pidValue && by) {
        try { setPriority(this.pidValue, Math.min(19, getPriority() + by)); } catch (err) { this.log?.warn({ err, by }, 'cannot lower ffmpeg\'s CPU priority; it runs at the node\'s'); }
      }
      this.log?.debug({ url: redact(this.o.url), pid: this.pidValue }, 'ffmpeg started');
      // fluent-ffmpeg pipes stdout to `out` (below) right after 'start'; the handle is taken before any read
      queueMicrotask(() => { if (mine() && proc?.stdout) readPipeInto(proc.stdout as never, nextBuffer, got); });
    });
    cmd.on('stderr', (line: string) => {
      lastStderr = line;
      if (line.startsWith('Output #0')) inOutput = true;
      const m = /Video: .*?, (\d{2,5})x(\d{2,5})/.exec(line);
      if (!m) return;
      if (!inOutput && sourceWidth === 0) { sourceWidth = Number(m[1]); sourceHeight = Number(m[2]); }
      if (inOutput && width === 0) { width = Number(m[1]); height = Number(m[2]); drain(); }
    });
    cmd.on('error', (err: Error) => { if (mine()) this.fail(lastStderr || err.message); });
    cmd.on('end', () => { if (mine()) this.fail('stream ended'); });

    const frameBytes = () => width * height * 3;
    const complete = () => {
      const data = cur!;
      cur = undefined;
      filled = 0;
      if (mine()) this.onFrame({
        data, width, height, channels: 3, sourceWidth: sourceWidth || width, sourceHeight: sourceHeight || height, time: Date.now(), seq: this.seq++,
        release: this.releaser(data),
      });
    };
    // A chunk of the pipe is copied once, straight into a frame buffer of its own: no concatenation,
    // and the frame handed on is never a view of a shared buffer. The buffers of released frames are
    // used again (a 1.5 MB buffer a second per camera was garbage otherwise).
    const take = (chunk: Buffer) => {
      const size = frameBytes();
      let at = 0;
      while (at < chunk.length) {
        cur ??= this.spares.take(size);
        const n = chunk.copy(cur, filled, at, Math.min(chunk.length, at + size - filled));
        filled += n;
        at += n;
        if (filled === size) complete();
      }
    };
    const drain = () => {
      if (frameBytes() === 0) return;
      const chunks = early;
      early = [];
      for (const c of chunks) take(c);
    };
    const onChunk = (chunk: Buffer) => {
      if (frameBytes() === 0) early.push(chunk);
      else take(chunk);
    };
    // Once the frame size is known the pipe is read straight into the frame being filled, at most
    // PIPE_READ bytes a read (pipe-reader.ts); before, into one buffer of this spawn, copied out.
    const scratch = Buffer.allocUnsafeSlow(PIPE_READ);
    const nextBuffer = (): Uint8Array => {
      const size = frameBytes();
      if (size === 0) return scratch;
      cur ??= this.spares.take(size);
      return cur.subarray(filled, Math.min(size, filled + PIPE_READ));
    };
    const got = (n: number, buf: Uint8Array) => {
      if (buf === scratch) return onChunk(Buffer.from(scratch.subarray(0, n)));
      filled += n;
      if (filled === frameBytes()) complete();
    };
    const out = cmd.pipe() as NodeJS.ReadableStream;
    out.on('data', onChunk); // whatever came through before the pipe was taken over
    out.on('error', () => {}); // the command's 'error' reports it
    this.armStall();
  }

  /**
   * Buffers of released frames; a frame in analysis and one arriving meanwhile is all there is. In
   * shared memory, so the face engine's worker reads a frame where it is (core/face/engine.ts).
   */
  private readonly spares = new SpareBuffers<Buffer>((n) => Buffer.from(new SharedArrayBuffer(n)), { perLength: 2, lengths: 1 });

  private releaser(data: Buffer): () => void {
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.spares.give(data);
    };
  }

  private onFrame(f: Frame) {
    this.failures = 0;
    this.armStall();
    this.setState('online');
    this.emit('frame', f);
    this.decideDecode(f.time);
  }

  /** 'auto': are key frames frequent enough for the interval? Decided once, from 3 gaps. */
  private decideDecode(now: number) {
    const last = this.lastFrameAt;
    this.lastFrameAt = now;
    if (!this.gaps || last === 0) return;
    this.gaps.push(now - last);
    if (this.gaps.length < 3) return;
    const median = [...this.gaps].sort((a, b) => a - b)[1];
    this.gaps = undefined;
    if (median <= 1.5 * this.o.intervalMs) return;
    this.log?.info({ url: redact(this.o.url), keyFrameGapMs: median, intervalMs: this.o.intervalMs }, 'key frames too far apart for the interval: decoding all frames');
    this.mode = 'all';
    this.kill();
    this.open();
  }

  private fail(reason: string) {
    if (this.stopped) return;
    clearTimeout(this.stallTimer);
    this.kill();
    this.failures++;
    const initial = this.o.backoff?.initialMs ?? 500;
    const max = this.o.backoff?.maxMs ?? 30_000;
    const delay = Math.min(max, initial * 2 ** (this.failures - 1));
    // ffmpeg's last line usually repeats the URL, password included
    const why = redactText(reason);
    this.log?.warn({ url: redact(this.o.url), reason: why, retryInMs: delay }, 'camera stream failed');
    this.setState('offline', why);
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => { if (!this.stopped) this.open(); }, delay);
  }
}

/** rtsp://user:pass@host/... -> rtsp://***@host/... (the one rule of core/redact.ts) */
export const redact = redactText;
