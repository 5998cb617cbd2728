/**
 * GET /Events over HTTP, on both backends and on NATS (the in-process bus and NATS carry the
 * "events appended" signal; the log itself is in the database): capture and alarm events arrive
 * live with ids and the fields of the query URIs; a client that reconnects with Last-Event-ID gets
 * exactly what it missed, also after the host restarts; heartbeats; filters; sessions (header or
 * query, refused without, ended mid-stream); the bound on open streams; a resume older than the
 * log kept is told so. EVENTS_POLL_MS is a minute here, so only the bus signal can bring events
 * quickly; the poll, for a lost signal, is tested on its own.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMemoryBus } from '../../core/bus/index.ts';
import { ErrorTable as E } from '../../core/errors.ts';
import { createLogger } from '../../core/log.ts';
import { createEventHub, type EventSink } from '../../functions/services/eventHub.ts';
import { startNatsServer, type NatsServer } from '../../infra/services/nats.ts';
import { until } from '../stream-node/helpers.ts';
import { md5, startApi, type Api } from '../support/api.ts';
import { publishFace, randomEmbedding } from '../support/faces.ts';
import { openSse, type SseClient, type SseEvent } from '../support/sse.ts';
import { makeFixtures, type Fixtures } from './fixtures.ts';

const variants = ['embedded', 'wire', 'nats'] as const;

describe.each(variants)('GET /Events (%s)', (variant) => {
  let api: Api;
  let nats: NatsServer | undefined;
  let fx: Fixtures;
  let camera: number;
  let task: number;
  const open: SseClient[] = [];

  beforeAll(async () => {
    if (variant === 'nats') nats = await startNatsServer();
    const env = {
      EMBEDDED_STREAM_NODE: '0', EVENTS_POLL_MS: '60000', EVENTS_HEARTBEAT_MS: '300', EVENTS_MAX_CLIENTS: '3',
      ...(nats ? { NATS_URL: nats.url } : {}),
    };
    [api, fx] = await Promise.all([startApi(variant === 'wire' ? 'wire' : 'embedded', env), makeFixtures()]);
    await api.login();
    const lib = (await api.call('/AddLibrary', { name: 'staff' })).lib_id;
    camera = (await api.call('/AddCamera', { name: 'lobby', rtsp: 'rtsp://127.0.0.1:1/lobby' })).camera_id;
    task = (await api.call('/AddTask', { name: 'gate', camera_list1: String(camera), lib_list: String(lib), interval: 1000, threshold: 0.8, alarm_stranger: 1 })).task_id;
  }, 120_000);
  afterAll(async () => {
    for (const c of open) c.close();
    await api?.stop();
    await nats?.stop();
  });

  const connect = async (headers: Record<string, string> = { 'x-session': api.session }, query = '') => {
    const c = await openSse(`${api.url}/Events${query}`, headers);
    open.push(c);
    return c;
  };
  /** a stranger seen: a record (capture event) and its alarm (alarm event) */
  const stranger = () => publishFace(api, { task, camera, embedding: randomEmbedding(), crop: fx.carol });
  const ids = (events: SseEvent[]) => events.filter((e) => e.id !== undefined).map((e) => Number(e.id));
  const of = (events: SseEvent[], type: string) => events.filter((e) => e.event === type).map((e) => JSON.parse(e.data));

  it('streams capture and alarm events live, with ids, carrying the fields of the query URIs', async () => {
    const c = await connect();
    expect(c.response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const m = await stranger();
    await c.until((ev) => of(ev, 'alarm').length === 1, 'the capture and its alarm');
    const [capture] = of(c.events, 'capture');
    const [alarm] = of(c.events, 'alarm');
    const records = (await api.call('/QueryTaskCaptureRecord', { page_no: 1, page_size: 10, task_id: task })).info.items;
    const alarms = (await api.call('/QueryAlarmList', { page_no: 1, page_size: 10, task_id: task })).info.items;
    expect(capture).toEqual(records[0]);
    expect(alarm).toEqual(alarms[0]);
    expect(alarm.record_id).toBe(capture.record_id);
    expect(m.task_id).toBe(capture.task_id);
    const [i1, i2] = ids(c.events);
    expect(i2).toBe(i1 + 1); // the capture, then its alarm, ids dense
    c.close();
  }, 30_000);

  it('a client that reconnects with Last-Event-ID gets exactly what it missed, in order', async () => {
    const c = await connect();
    await stranger();
    await c.until((ev) => ev.length === 2, 'the first two events');
    const seen = ids(c.events);
    c.close();
    for (let i = 0; i < 3; i++) await stranger(); // missed while away
    await until(async () => (await api.call('/QueryAlarmList', { page_no: 1, page_size: 1, task_id: task })).info.total_count >= 5, 'the missed alarms');
    const again = await connect({ 'x-session': api.session, 'last-event-id': String(seen[1]) });
    await again.until((ev) => ev.length === 6, 'the six missed events');
    expect(ids(again.events)).toEqual([1, 2, 3, 4, 5, 6].map((k) => seen[1] + k));
    expect(again.events.map((e) => e.event)).toEqual(['capture', 'alarm', 'capture', 'alarm', 'capture', 'alarm']);
    // and goes on live from there
    await stranger();
    await again.until((ev) => ev.length === 8, 'the next live events');
    expect(ids(again.events).slice(6)).toEqual([seen[1] + 7, seen[1] + 8]);
    // ?last_event_id= does the same for clients that cannot set the header
    const q = await connect({ 'x-session': api.session }, `?last_event_id=${seen[1] + 6}`);
    await q.until((ev) => ev.length === 2, 'the events after the query id');
    expect(ids(q.events)).toEqual([seen[1] + 7, seen[1] + 8]);
    again.close();
    q.close();
  }, 30_000);

  it('resumes after the host restarts (which ends open streams): the log is in the database, not in the host', async () => {
    const c = await connect();
    await stranger();
    await c.until((ev) => ev.length === 2, 'two events');
    const last = ids(c.events)[1];
    // the host stops with the stream open: it ends the stream rather than wait for the client
    await api.restart();
    expect(c.ended).toBe(true);
    await api.login();
    await stranger();
    const again = await connect({ 'x-session': api.session, 'last-event-id': String(last) });
    await again.until((ev) => ev.length === 2, 'the events written after the restart');
    expect(ids(again.events)).toEqual([last + 1, last + 2]);
    again.close();
  }, 90_000);

  it('sends heartbeat comments on an idle stream; `types` filters; ?session= works', async () => {
    const c = await connect({}, `?session=${api.session}&types=alarm`);
    await c.until(() => c.comments.includes('heartbeat'), 'a heartbeat');
    await stranger();
    await c.until((ev) => ev.length >= 1, 'the alarm');
    await new Promise((r) => setTimeout(r, 300));
    expect(c.events.map((e) => e.event)).toEqual(['alarm']);
    c.close();
  }, 30_000);

  it('refuses without a valid session or with bad parameters, as JSON {code, msg}', async () => {
    const body = async (c: SseClient) => (await c.response.json()) as { code: number; msg: string };
    expect(await body(await connect({}))).toMatchObject({ code: E.SESSION_MISSING.code });
    expect(await body(await connect({ 'x-session': 'nope' }))).toMatchObject({ code: E.SESSION_INVALID.code });
    expect(await body(await connect({ 'x-session': api.session, 'last-event-id': 'abc' }))).toMatchObject({ code: E.INVALID_FIELD.code, msg: expect.stringMatching(/^last_event_id:/) });
    expect(await body(await connect(undefined, '?types=alarm,nope'))).toMatchObject({ code: E.INVALID_FIELD.code, msg: expect.stringMatching(/^types:/) });
    // other methods on it, and POST /Events, are unknown
    expect(((await (await fetch(`${api.url}/Events`, { method: 'POST' })).json()) as { code: number }).code).toBe(E.UNKNOWN_URI.code);
  });

  it('ends a stream whose session ended (user deleted) with an `error` event', async () => {
    const r = await api.call('/RegisterUser', { name: 'watcher', password: md5('watcher-pass') });
    const s = await api.login('watcher', 'watcher-pass');
    const c = await connect({ 'x-session': s });
    await c.until(() => c.comments.length >= 1, 'the stream open');
    expect((await api.call('/DeleteUser', { user_id: r.user_id })).code).toBe(0);
    await c.until((ev) => ev.some((e) => e.event === 'error'), 'the error event');
    expect(JSON.parse(c.events.find((e) => e.event === 'error')!.data)).toMatchObject({ code: E.SESSION_INVALID.code });
    await until(() => c.ended, 'the stream to end');
  }, 30_000);

  it('at most EVENTS_MAX_CLIENTS streams at once (EVENT_STREAMS_BUSY beyond), a closed one frees its place', async () => {
    await until(() => api.host.services.eventHub.stats().clients === 0, 'earlier streams gone');
    const three = [await connect(), await connect(), await connect()];
    for (const c of three) await c.until(() => c.comments.length >= 1, 'a stream open');
    const fourth = await connect();
    expect(await fourth.response.json()).toMatchObject({ code: E.EVENT_STREAMS_BUSY.code });
    three[0].close();
    await until(() => api.host.services.eventHub.stats().clients === 2, 'the closed stream gone');
    const again = await connect();
    expect(again.response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    for (const c of [...three, again]) c.close();
  }, 30_000);

  it('a Last-Event-ID older than the log kept starts with a `gap` event naming the first id kept', async () => {
    const { repos } = api.host.resources;
    // this stranger's own two events (capture, alarm) are in before the log is pruned: arriving
    // between the prune and the lastId below, they would be kept and the gap named differently
    const before = await repos.events.lastId();
    await stranger();
    await until(async () => (await repos.events.lastId()) >= before + 2, 'the stranger\'s events');
    await repos.events.prune(new Date(Date.now() + 60_000), 0); // as if they had aged out
    const last = await repos.events.lastId();
    const c = await connect({ 'x-session': api.session, 'last-event-id': '1' });
    await c.until((ev) => ev.length >= 1, 'the gap event');
    expect(c.events[0]).toMatchObject({ event: 'gap', id: String(last) });
    expect(JSON.parse(c.events[0].data)).toEqual({ last_event_id: 1, first_event_id: last + 1 });
    await stranger();
    await c.until((ev) => ev.length === 3, 'the events after the gap');
    expect(ids(c.events).slice(1)).toEqual([last + 1, last + 2]);
    c.close();
  }, 30_000);
});

describe('the live stream hub without the bus signal', () => {
  let api: Api;
  beforeAll(async () => {
    api = await startApi('embedded', { EMBEDDED_STREAM_NODE: '0' });
    await api.login();
  }, 120_000);
  afterAll(async () => { await api?.stop(); });

  it('still delivers, by polling the log, events whose `events.appended` was lost', async () => {
    const { repos } = api.host.resources;
    // a hub on a bus that never carries the signal
    const hub = createEventHub({ repo: repos.events, bus: createMemoryBus(), log: createLogger('silent'), pollMs: 100, heartbeatMs: 60_000, maxClients: 1 });
    const got: string[] = [];
    let closed = false;
    const listeners: Array<() => void> = [];
    const sink: EventSink = {
      event: async (e) => { got.push(e.type); },
      comment: async () => {},
      get closed() { return closed; },
      onClose: (l) => { listeners.push(l); },
    };
    const serving = hub.serve(sink, { check: async () => {} });
    await until(() => hub.stats().clients === 1, 'the stream served');
    const cam = (await api.call('/AddCamera', { name: 'c', rtsp: 'rtsp://127.0.0.1:1/c' })).camera_id;
    await repos.cameras.reportState(cam, true, [], (c) => [{ type: 'camera', cameraId: c.cameraId, data: { online: 1 } }]); // no signal sent
    await until(() => got.length === 1, 'the event, by the poll', 10_000);
    expect(got).toEqual(['camera']);
    closed = true;
    for (const l of listeners) l();
    await serving;
    await hub.close();
  });
});
