/**
 * The console's live stream client (console/src/lib/live.ts): resuming after a dropped connection,
 * giving up on an ended session, each event passed on once. Node 20 has no EventSource, so the
 * source here is a scripted stand-in for the browser's (what it does is the HTML spec's: events with
 * their lastEventId, `error` while it reconnects itself, readyState CLOSED when it gives up); the
 * real one against the real host is test/e2e/console.test.ts (the live wall resumes after the
 * browser goes offline and back).
 */
import { describe, expect, it } from 'vitest';
import { CLOSED, CONNECTING, LiveStream, retryDelay, type ProbeResult, type SourceLike } from '../../console/src/lib/live.ts';

class Source implements SourceLike {
  readyState = CONNECTING;
  onopen: ((e: Event) => void) | null = null;
  closed = false;
  private listeners = new Map<string, ((e: Event) => void)[]>();
  constructor(readonly url: string) {}
  addEventListener(type: string, fn: (e: Event) => void) { this.listeners.set(type, [...(this.listeners.get(type) ?? []), fn]); }
  close() { this.closed = true; this.readyState = CLOSED; }
  open() { this.readyState = 1; this.onopen?.(new Event('open')); }
  emit(type: string, data: unknown, id: number) {
    for (const fn of this.listeners.get(type) ?? []) fn({ type, data: JSON.stringify(data), lastEventId: String(id) } as unknown as Event);
  }
  /** the connection dropped; `gaveUp`: the browser will not reconnect (readyState CLOSED) */
  drop(gaveUp: boolean) {
    this.readyState = gaveUp ? CLOSED : CONNECTING;
    for (const fn of this.listeners.get('error') ?? []) fn(new Event('error'));
  }
  serverError(code: number) {
    for (const fn of this.listeners.get('error') ?? []) fn({ type: 'error', data: JSON.stringify({ code, msg: 'x' }), lastEventId: '' } as unknown as Event);
  }
}

function setup(probeAnswers: ProbeResult[] = []) {
  const sources: Source[] = [];
  const timers: { fn: () => void; ms: number }[] = [];
  const probes: string[] = [];
  let lost = 0;
  const stream = new LiveStream({
    create: (url) => { const s = new Source(url); sources.push(s); return s; },
    probe: async (url) => { probes.push(url); return probeAnswers.shift() ?? { stream: true }; },
    sessionLost: () => { lost++; },
    setTimer: (fn, ms) => { timers.push({ fn, ms }); return timers.length; },
    clearTimer: () => {},
  });
  const received: [string, unknown, number][] = [];
  for (const type of ['capture', 'alarm', 'camera', 'gap'] as const) stream.on(type, (data, id) => received.push([type, data, id]));
  /** runs the newest timer and lets the probe's promise settle */
  const fire = async () => { timers.at(-1)!.fn(); await new Promise((r) => setTimeout(r, 0)); };
  return { stream, sources, timers, probes, received, fire, lost: () => lost };
}

describe('LiveStream', () => {
  it('opens /Events with the session in the query (EventSource sends no headers) and passes each event on once, parsed', () => {
    const { stream, sources, received } = setup();
    stream.start('tok/en+1');
    expect(stream.status.value).toBe('connecting');
    expect(sources[0].url).toBe('/Events?session=tok%2Fen%2B1');
    sources[0].open();
    expect(stream.status.value).toBe('open');
    sources[0].emit('capture', { record_id: 7 }, 11);
    sources[0].emit('alarm', { alarm_id: 3 }, 12);
    sources[0].emit('capture', { record_id: 7 }, 11); // sent again (an overlapping resume): dropped
    expect(received).toEqual([['capture', { record_id: 7 }, 11], ['alarm', { alarm_id: 3 }, 12]]);
    expect(stream.lastId).toBe(12);
  });

  it('a dropped connection the browser reconnects itself: reconnecting, then open on the same source (it sends Last-Event-ID)', () => {
    const { stream, sources, received } = setup();
    stream.start('s');
    sources[0].open();
    sources[0].emit('capture', { n: 1 }, 5);
    sources[0].drop(false);
    expect(stream.status.value).toBe('reconnecting');
    sources[0].open();
    expect(stream.status.value).toBe('open');
    sources[0].emit('capture', { n: 2 }, 6);
    expect(sources).toHaveLength(1);
    expect(received.map((r) => r[2])).toEqual([5, 6]);
  });

  it('when the browser gives up it asks /Events why, then opens a new stream from the newest id received, with back-off', async () => {
    const { stream, sources, timers, probes, received, fire } = setup([{ down: true }, { code: 5020 }, { stream: true }]);
    stream.start('s');
    sources[0].open();
    sources[0].emit('alarm', { a: 1 }, 41);
    sources[0].drop(true); // e.g. the host restarting answered something that is not a stream
    expect(stream.status.value).toBe('reconnecting');
    expect(sources[0].closed).toBe(true);
    await fire(); // host down
    await fire(); // EVENT_STREAMS_BUSY
    await fire(); // a stream: reconnect
    expect(timers.map((t) => t.ms)).toEqual([1000, 2000, 4000]);
    expect(probes.every((u) => u.includes('last_event_id=41'))).toBe(true);
    expect(sources).toHaveLength(2);
    expect(sources[1].url).toBe('/Events?session=s&last_event_id=41');
    sources[1].open();
    expect(stream.status.value).toBe('open');
    sources[0].emit('alarm', { stale: true }, 99); // the old source is forgotten
    sources[1].emit('alarm', { a: 2 }, 42);
    expect(received.map((r) => r[2])).toEqual([41, 42]);
    // an open stream resets the back-off
    sources[1].drop(true);
    expect(timers.at(-1)!.ms).toBe(1000);
  });

  it('the back-off doubles up to 30 s', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 20].map(retryDelay)).toEqual([1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
  });

  it('an ended session (the server says so on the stream, or /Events refuses it) goes to the login page instead of retrying', async () => {
    const a = setup();
    a.stream.start('s');
    a.sources[0].open();
    a.sources[0].serverError(1002);
    expect(a.lost()).toBe(1);
    expect(a.stream.status.value).toBe('idle');
    expect(a.sources[0].closed).toBe(true);
    expect(a.timers).toHaveLength(0);

    const b = setup([{ code: 1003 }]);
    b.stream.start('s');
    b.sources[0].drop(true);
    await b.fire();
    expect(b.lost()).toBe(1);
    expect(b.sources).toHaveLength(1);
    expect(b.stream.status.value).toBe('idle');
  });

  it('another server error on the stream reconnects from where it was', async () => {
    const { stream, sources, fire } = setup();
    stream.start('s');
    sources[0].open();
    sources[0].emit('camera', { camera_id: 1 }, 8);
    sources[0].serverError(5001);
    expect(stream.status.value).toBe('reconnecting');
    await fire();
    expect(sources[1].url).toContain('last_event_id=8');
  });

  it('passes a gap on (the pages read their lists again); stop() forgets everything; a new session starts afresh', () => {
    const { stream, sources, received } = setup();
    stream.start('one');
    sources[0].open();
    sources[0].emit('gap', { last_event_id: 3, first_event_id: 90 }, 0);
    expect(received).toEqual([['gap', { last_event_id: 3, first_event_id: 90 }, 0]]);
    sources[0].emit('capture', {}, 95);
    stream.start('one'); // same session: kept
    expect(sources).toHaveLength(1);
    stream.start('two');
    expect(sources[0].closed).toBe(true);
    expect(sources[1].url).toBe('/Events?session=two');
    stream.stop();
    expect(stream.status.value).toBe('idle');
    expect(stream.lastId).toBe(0);
  });
});
