/**
 * The console's one live connection: GET /Events (Server-Sent Events of `capture`, `alarm` and
 * `camera` events, docs/api.md "Live events"), shared by every page of the tab (the live wall, the
 * alarm feed and its sound, the overview). A browser's EventSource cannot send headers, so the
 * session goes as `?session=`.
 *
 * Resuming without loss: the server gives every event an id. While the connection drops and comes
 * back (host restart, proxy timeout, network blip) the browser's EventSource reconnects by itself
 * and sends `Last-Event-ID`, so the server sends what was missed. When the browser gives up instead
 * (the answer was not a stream: the host was restarting, too many streams, the session ended) this
 * class opens a new one after a back-off, with `?last_event_id=` = the newest id it received. Before
 * that it asks /Events once with fetch to learn why: a session code sends the user to the login
 * page instead of retrying for ever. Events are passed on once each, in id order (an id not above
 * the newest one seen is dropped). A `gap` event (the server no longer keeps what was missed) is
 * passed on so the pages read their lists again.
 *
 * No DOM here: the EventSource, the probe and the timers are given (test/console/live.test.ts).
 */
import { signal } from './signal.ts';

export const LIVE_TYPES = ['capture', 'alarm', 'camera'] as const;
export type LiveType = (typeof LIVE_TYPES)[number] | 'gap';
/** idle: not started (logged out); open: receiving; reconnecting: dropped, coming back */
export type LiveStatus = 'idle' | 'connecting' | 'open' | 'reconnecting';

/** What an EventSource is to this class (the browser's, or a test's stand-in). */
export interface SourceLike {
  readonly readyState: number;
  onopen: ((e: Event) => void) | null;
  addEventListener(type: string, listener: (e: Event) => void): void;
  close(): void;
}
/** EventSource.CONNECTING / CLOSED */
export const CONNECTING = 0;
export const CLOSED = 2;

/** What /Events answers a plain GET: a stream, a refusal code, or nothing (host down). */
export type ProbeResult = { stream: true } | { code: number } | { down: true };

export type LiveDeps = {
  create(url: string): SourceLike;
  probe(url: string): Promise<ProbeResult>;
  /** the session is no longer valid: the user logs in again */
  sessionLost(): void;
  setTimer(fn: () => void, ms: number): unknown;
  clearTimer(id: unknown): void;
};

export const SESSION_CODES: ReadonlySet<number> = new Set([1001, 1002, 1003]);
/** back-off of the class's own reconnects: 1 s doubling, at most 30 s */
export const retryDelay = (attempt: number): number => Math.min(30_000, 1000 * 2 ** Math.min(attempt, 5));

export type Listener = (data: any, id: number) => void;

export class LiveStream {
  readonly status = signal<LiveStatus>('idle');
  /** the newest event id received (resume point) */
  lastId = 0;
  private session = '';
  private source: SourceLike | undefined;
  private timer: unknown;
  private attempt = 0;
  private readonly listeners = new Map<LiveType, Set<Listener>>();

  constructor(private readonly deps: LiveDeps) {}

  /** Starts (or keeps) the stream for this session; a new session starts afresh. */
  start(session: string): void {
    if (session === this.session && this.status.value !== 'idle') return;
    this.stop();
    this.session = session;
    this.connect();
  }

  stop(): void {
    this.source?.close();
    this.source = undefined;
    if (this.timer !== undefined) this.deps.clearTimer(this.timer);
    this.timer = undefined;
    this.session = '';
    this.lastId = 0;
    this.attempt = 0;
    this.status.value = 'idle';
  }

  /** Calls `fn` with each event of `type` (the data parsed, and its id); returns the unsubscribe. */
  on(type: LiveType, fn: Listener): () => void {
    let set = this.listeners.get(type);
    if (!set) this.listeners.set(type, (set = new Set()));
    set.add(fn);
    return () => { set!.delete(fn); };
  }

  url(): string {
    const q = new URLSearchParams({ session: this.session });
    if (this.lastId) q.set('last_event_id', String(this.lastId));
    return `/Events?${q}`;
  }

  private connect(): void {
    this.timer = undefined;
    this.status.value = this.attempt ? 'reconnecting' : 'connecting';
    const source = this.deps.create(this.url());
    this.source = source;
    source.onopen = () => {
      if (this.source !== source) return;
      this.attempt = 0;
      this.status.value = 'open';
    };
    for (const type of [...LIVE_TYPES, 'gap'] as const) source.addEventListener(type, (e) => this.receive(source, type, e as MessageEvent));
    source.addEventListener('error', (e) => this.failed(source, e));
  }

  private receive(source: SourceLike, type: LiveType, e: MessageEvent): void {
    if (this.source !== source) return;
    const id = Number(e.lastEventId) || 0;
    if (id && id <= this.lastId) return; // already passed on (a resume overlapping what was read)
    let data: unknown;
    try {
      data = JSON.parse(String(e.data));
    } catch {
      return;
    }
    if (id) this.lastId = id;
    for (const fn of [...(this.listeners.get(type) ?? [])]) fn(data, id);
  }

  private failed(source: SourceLike, e: Event): void {
    if (this.source !== source) return;
    const data = (e as MessageEvent).data;
    if (typeof data === 'string' && data) {
      // the server's `error` event ({code, msg}): it ends the stream after it
      let code = 0;
      try { code = Number(JSON.parse(data).code) || 0; } catch { /* not JSON: treat as a drop */ }
      source.close();
      if (SESSION_CODES.has(code)) return this.lost();
      return this.retry();
    }
    // the connection dropped: the browser reconnects by itself (sending Last-Event-ID) ...
    if (source.readyState === CONNECTING) {
      this.status.value = 'reconnecting';
      return;
    }
    // ... unless it gave up (the answer was not a stream): then this class tries again
    source.close();
    this.retry();
  }

  private retry(): void {
    this.source = undefined;
    this.status.value = 'reconnecting';
    const delay = retryDelay(this.attempt++);
    this.timer = this.deps.setTimer(() => {
      this.timer = undefined;
      const session = this.session;
      this.deps.probe(this.url()).then((r) => {
        if (this.session !== session || this.status.value === 'idle') return; // stopped meanwhile
        if ('code' in r && SESSION_CODES.has(r.code)) return this.lost();
        if ('stream' in r) return this.connect();
        this.retry(); // host down, or busy (EVENT_STREAMS_BUSY): later
      }, () => { if (this.session === session && this.status.value !== 'idle') this.retry(); });
    }, delay);
  }

  private lost(): void {
    this.stop();
    this.deps.sessionLost();
  }
}
