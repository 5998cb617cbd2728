/**
 * The AlarmWebhook over HTTP on both backends, to a receiver on loopback: the config is checked
 * (fields, address policy) and its secret masked; a receiver that refuses the first attempts and is
 * down while the API host restarts still gets every event, signed, in order per camera; the status
 * URI tells pending / delivered / last error; disabled means nothing is sent; a delivery is given
 * up after WEBHOOK_GIVE_UP_MS.
 */
import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WEBHOOK_DEFAULT_RANGES } from '../../core/env/net.ts';
import { ErrorTable as E } from '../../core/errors.ts';
import { createAddressPolicy } from '../../core/net/address-policy.ts';
import { until } from '../stream-node/helpers.ts';
import { backends, startApi, type Api } from '../support/api.ts';
import { publishFace, randomEmbedding } from '../support/faces.ts';
import { makeFixtures, type Fixtures } from './fixtures.ts';

const SECRET = 'a-shared-secret-for-tests';

type Received = { headers: IncomingHttpHeaders; body: string; status: number };

/** A webhook receiver on loopback: answers 503 to the first `refuse` requests, 204 after; can go down and come back on its port. */
class Receiver {
  received: Received[] = [];
  refuse = 0;
  port = 0;
  private server?: Server;
  get url() { return `http://127.0.0.1:${this.port}/hook`; }
  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const status = this.refuse > 0 ? (this.refuse--, 503) : 204;
        this.received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), status });
        res.writeHead(status).end(status === 503 ? 'busy, with a body the sender must not echo' : undefined);
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(this.port, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }
  async stop(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }
  /** event ids of the 2xx deliveries, in arrival order */
  delivered(): number[] { return this.received.filter((r) => r.status < 300).map((r) => JSON.parse(r.body).event_id); }
}

describe('webhook address policy default', () => {
  it('allows every address but loopback (metadata addresses are always refused)', () => {
    const p = createAddressPolicy(WEBHOOK_DEFAULT_RANGES);
    for (const ip of ['8.8.8.8', '10.1.2.3', '192.168.1.20', '172.16.0.9', '2001:db8::1', 'fd00::5']) expect(p.allows(ip), ip).toBe(true);
    for (const ip of ['127.0.0.1', '127.8.9.10', '::1', '::ffff:127.0.0.1', '169.254.169.254', '0.0.0.0', 'fe80::1']) expect(p.allows(ip), ip).toBe(false);
  });
});

describe.each(backends)('AlarmWebhook (%s)', (backend) => {
  let api: Api;
  let fx: Fixtures;
  const rx = new Receiver();
  let cams: number[];
  let task: number;

  beforeAll(async () => {
    await rx.start();
    [api, fx] = await Promise.all([startApi(backend, {
      EMBEDDED_STREAM_NODE: '0', WEBHOOK_ALLOWED_RANGES: '127.0.0.0/8', WEBHOOK_RETRY_BASE_MS: '100', WEBHOOK_RETRY_MAX_MS: '400', WEBHOOK_TIMEOUT_MS: '2000',
    }), makeFixtures()]);
    await api.login();
    const lib = (await api.call('/AddLibrary', { name: 'staff' })).lib_id;
    cams = [];
    for (const name of ['east', 'west']) cams.push((await api.call('/AddCamera', { name, rtsp: `rtsp://127.0.0.1:1/${name}` })).camera_id);
    task = (await api.call('/AddTask', { name: 'gate', camera_list1: cams.join(','), lib_list: String(lib), interval: 1000, threshold: 0.8, alarm_stranger: 1 })).task_id;
  }, 120_000);
  afterAll(async () => {
    await api?.stop();
    await rx.stop();
  });

  const config = (over: Record<string, unknown> = {}) => JSON.stringify({ url: rx.url, secret: SECRET, events: ['alarm', 'capture', 'camera'], enabled: true, ...over });
  const update = (cfg: string) => api.call('/UpdateSystemConfig', { name: 'AlarmWebhook', config: cfg });
  const status = async () => (await api.call('/QueryWebhookStatus', {})).info;
  /** a stranger on camera i: a capture and its alarm */
  const stranger = (i: number) => publishFace(api, { task, camera: cams[i], embedding: randomEmbedding(), crop: fx.carol });

  it('checks the config: fields, the receiver address against WEBHOOK_ALLOWED_RANGES; the secret reads back masked', async () => {
    const bad: Array<[Record<string, unknown>, number, RegExp]> = [
      [{ url: 'ftp://127.0.0.1/x' }, E.INVALID_CONFIG.code, /^config\.url:/],
      [{ url: 'not a url' }, E.INVALID_CONFIG.code, /^config\.url:/],
      [{ url: 'http://user:pw@127.0.0.1/x' }, E.INVALID_CONFIG.code, /^config\.url: must not contain a user/],
      [{ secret: 'short' }, E.INVALID_CONFIG.code, /^config\.secret:/],
      [{ events: [] }, E.INVALID_CONFIG.code, /^config\.events:/],
      [{ events: ['alarm', 'nope'] }, E.INVALID_CONFIG.code, /^config\.events:/],
      [{ enabled: 'yes' }, E.INVALID_CONFIG.code, /^config\.enabled:/],
      [{ url: 'http://10.0.0.5/hook' }, E.ADDRESS_NOT_ALLOWED.code, /^config\.url: 10\.0\.0\.5 is outside the allowed ranges \(WEBHOOK_ALLOWED_RANGES\)/],
      [{ url: 'http://169.254.169.254/latest' }, E.ADDRESS_NOT_ALLOWED.code, /^config\.url:/],
      [{ url: 'http://no-such-host.invalid/hook' }, E.INVALID_CONFIG.code, /^config\.url: host no-such-host\.invalid does not resolve/],
    ];
    for (const [over, code, msg] of bad) {
      const r = await update(config(over));
      expect({ over, code: r.code }).toEqual({ over, code });
      expect(r.msg).toMatch(msg);
    }
    expect((await api.call('/GetSystemConfig', { name: 'AlarmWebhook' })).code).toBe(E.CONFIG_NOT_FOUND.code); // nothing stored
    expect(await status()).toMatchObject({ enabled: 0, url: '', pending: 0, delivered: 0 });
    expect((await update(config({ url: `http://localhost:${rx.port}/hook`, enabled: false }))).code).toBe(0); // a name resolving to an allowed address
    const got = await api.call('/GetSystemConfig', { name: 'AlarmWebhook' });
    expect(JSON.parse(got.info.config)).toMatchObject({ secret: '******', enabled: false });
    // the masked value sent back keeps the secret
    expect((await update(got.info.config)).code).toBe(0);
    expect(JSON.parse((await api.host.resources.repos.systemConfig.get('AlarmWebhook'))!.config).secret).toBe(SECRET);
  });

  it('disabled: events are not sent', async () => {
    await stranger(0);
    await until(async () => (await api.call('/QueryAlarmList', { page_no: 1, page_size: 1 })).info.total_count >= 1, 'an alarm');
    await new Promise((r) => setTimeout(r, 1500));
    expect(rx.received).toEqual([]);
    expect((await status()).pending).toBe(0);
  });

  it('a receiver that refuses the first attempts and is down while the host restarts still gets every event, signed, in order per camera', async () => {
    const { repos } = api.host.resources;
    const from = await repos.events.lastId();
    rx.refuse = 3;
    expect((await update(config())).code).toBe(0);
    expect(await status()).toMatchObject({ enabled: 1, url: rx.url, events: ['alarm', 'capture', 'camera'] });
    // give the dispatcher a round to take its intake position (events from now on)
    await until(async () => (await repos.webhook.status()).intakeCursor !== null, 'the intake position');
    for (let k = 0; k < 3; k++) { await stranger(0); await stranger(1); }
    await until(() => rx.delivered().length >= 1, 'a first delivery after the refusals', 20_000);
    expect(rx.received.slice(0, 3).map((r) => r.status)).toEqual([503, 503, 503]);
    // the receiver goes down; more events; the API host restarts while it is down
    await rx.stop();
    await stranger(0);
    await stranger(1);
    await until(async () => (await repos.events.lastId()) >= from + 16, 'the events written');
    await api.restart();
    await api.login();
    await stranger(1);
    await until(async () => (await api.host.resources.repos.events.lastId()) === from + 18, 'the events written after the restart');
    const last = from + 18;
    expect((await status()).pending).toBeGreaterThan(0);
    await rx.start(); // back, on the same port
    await until(() => new Set(rx.delivered()).size === last - from, 'every event delivered', 60_000);

    const events = await api.host.resources.repos.events.after(from, 100);
    expect(new Set(rx.delivered())).toEqual(new Set(events.map((e) => e.id)));
    for (const r of rx.received) {
      const body = JSON.parse(r.body);
      expect(r.headers['x-facewatch-signature']).toBe(`sha256=${createHmac('sha256', SECRET).update(r.body).digest('hex')}`);
      expect(r.headers['x-facewatch-event-id']).toBe(String(body.event_id));
      expect(r.headers['x-facewatch-event']).toBe(body.type);
      const e = events.find((x) => x.id === body.event_id)!;
      expect(body).toEqual({ event_id: e.id, type: e.type, data: JSON.parse(e.data) });
    }
    // per camera, first deliveries in event order
    for (const cam of cams) {
      const ids = [...new Set(rx.delivered())].filter((id) => events.find((e) => e.id === id)!.cameraId === cam);
      expect(ids.length).toBeGreaterThan(0);
      expect(ids).toEqual([...ids].sort((a, b) => a - b));
    }
    await until(async () => (await status()).pending === 0, 'nothing pending');
    const st = await status();
    expect(st.delivered).toBeGreaterThanOrEqual(last - from);
    expect(st.last_success_time).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    // failures are named by their class, never by the receiver's body
    expect(st.last_error).toMatch(/HTTP 503|connection refused/);
    expect(st.last_error).not.toContain('busy');
  }, 180_000);

  it('gives a delivery up WEBHOOK_GIVE_UP_MS after its event, counted as dropped', async () => {
    await api.restart({ WEBHOOK_GIVE_UP_MS: '1000' });
    await api.login();
    await rx.stop();
    const before = (await status()).dropped;
    await stranger(0);
    await until(async () => (await status()).dropped >= before + 2, 'the capture and alarm given up', 20_000);
    expect(await status()).toMatchObject({ pending: 0, last_error: expect.stringMatching(/given up/) });
    await rx.start();
  }, 120_000);

  it('QueryWebhookStatus is for admins (declared role)', async () => {
    const { functions } = await import('../../functions/index.ts');
    expect(functions.find((f) => f.uri === '/QueryWebhookStatus')?.role).toBe('admin');
  });
});
