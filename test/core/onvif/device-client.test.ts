import { createServer, type Server } from 'node:http';
import { createServer as createTcpServer, type AddressInfo, type Server as TcpServer, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAddressPolicy, queryRtsp } from '../../../core/onvif/index.ts';
import { startOnvifSim, type OnvifSim } from '../../support/onvif-sim.ts';

const opts = { policy: createAddressPolicy('127.0.0.0/8'), timeoutMs: 1500 };
const failure = (p: Promise<unknown>) =>
  p.then(
    () => ({ code: 0, message: '' }),
    (e: { code?: number; message: string }) => ({ code: e.code, message: e.message }),
  );

describe('QueryCameraRtsp service (simulated camera on loopback)', () => {
  let cam: OnvifSim;
  let open: OnvifSim;
  let empty: OnvifSim;
  let digest: OnvifSim;
  let html: Server;
  let silent: TcpServer;
  const silentSockets: Socket[] = [];
  let deadPort: number;

  beforeAll(async () => {
    cam = await startOnvifSim({ user: 'admin', password: 'pa:ss@word', mediaXAddrHost: '203.0.113.9', discovery: { mode: 'none' } });
    open = await startOnvifSim({ discovery: { mode: 'none' } });
    empty = await startOnvifSim({ user: 'admin', password: 'x', profiles: 0, discovery: { mode: 'none' } });
    digest = await startOnvifSim({ user: 'op', password: 'dig"est', httpDigest: true, discovery: { mode: 'none' } });
    html = createServer((_req, res) => { res.statusMessage = 'Secret Status Line'; res.writeHead(418, { 'Content-Type': 'text/html' }).end('<html><body>router login</body></html>'); });
    await new Promise<void>((r) => html.listen(0, '127.0.0.1', r));
    silent = createTcpServer((s) => silentSockets.push(s)); // accepts, never answers
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const probe = createTcpServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    deadPort = (probe.address() as AddressInfo).port;
    await new Promise((r) => probe.close(r)); // nothing listens there any more
  });

  afterAll(async () => {
    await Promise.all([cam, open, empty, digest].map((s) => s?.close()));
    html?.closeAllConnections();
    await new Promise((r) => html?.close(r));
    silentSockets.forEach((s) => s.destroy());
    await new Promise((r) => silent?.close(r));
  });

  // The simulated camera advertises its media service on 203.0.113.9: we must stay on the typed host.
  it('returns the main profile RTSP URI, without credentials by default', async () => {
    const { rtsp } = await queryRtsp({ ip: cam.ip, user: 'admin', password: 'pa:ss@word' }, opts);
    expect(rtsp).toBe('rtsp://127.0.0.1:554/Streaming/Channels/101');
    expect(cam.actions.slice(-4)).toEqual(['GetSystemDateAndTime', 'GetCapabilities', 'GetProfiles', 'GetStreamUri']);
  });

  it('embeds URL-encoded credentials only when asked', async () => {
    const { rtsp } = await queryRtsp({ ip: cam.ip, user: 'admin', password: 'pa:ss@word', withCredentials: true }, opts);
    expect(rtsp).toBe('rtsp://admin:pa%3Ass%40word@127.0.0.1:554/Streaming/Channels/101');
    const u = new URL(rtsp);
    expect(decodeURIComponent(u.password)).toBe('pa:ss@word');
  });

  it('works without credentials against a camera that needs none', async () => {
    expect(await queryRtsp({ ip: open.ip }, opts)).toEqual({ rtsp: 'rtsp://127.0.0.1:554/Streaming/Channels/101' });
  });

  it('wrong password → 5104 CAMERA_AUTH_FAILED', async () => {
    const f = await failure(queryRtsp({ ip: cam.ip, user: 'admin', password: 'wrong' }, opts));
    expect(f.code).toBe(5104);
    expect(f.message).toMatch(/admin/);
  });

  it('no credentials for a camera that needs them → 5104, saying so', async () => {
    const f = await failure(queryRtsp({ ip: cam.ip }, opts));
    expect(f.code).toBe(5104);
    expect(f.message).toMatch(/requires a user and password/);
  });

  it('answers an HTTP Digest challenge instead of WS-Security when the camera asks for it', async () => {
    expect(await queryRtsp({ ip: digest.ip, user: 'op', password: 'dig"est' }, opts)).toEqual({ rtsp: 'rtsp://127.0.0.1:554/Streaming/Channels/101' });
    expect((await failure(queryRtsp({ ip: digest.ip, user: 'op', password: 'wrong' }, opts))).code).toBe(5104);
    const none = await failure(queryRtsp({ ip: digest.ip }, opts));
    expect(none.code).toBe(5104);
    expect(none.message).toMatch(/requires a user and password/);
  });

  it('camera without profiles → 5105 NO_MEDIA_PROFILE', async () => {
    const f = await failure(queryRtsp({ ip: empty.ip, user: 'admin', password: 'x' }, opts));
    expect(f.code).toBe(5105);
  });

  it('nothing listening → 5101 CAMERA_UNREACHABLE', async () => {
    const f = await failure(queryRtsp({ ip: `127.0.0.1:${deadPort}` }, opts));
    expect(f.code).toBe(5101);
    expect(f.message).toMatch(/ECONNREFUSED/);
  });

  it('connects but never answers → 5102 CAMERA_TIMEOUT within the bound', async () => {
    const port = (silent.address() as AddressInfo).port;
    const t0 = Date.now();
    const f = await failure(queryRtsp({ ip: `127.0.0.1:${port}` }, { ...opts, timeoutMs: 300 }));
    expect(f.code).toBe(5102);
    expect(Date.now() - t0).toBeLessThan(2000);
  });

  it('plain HTTP server → 5103 NOT_ONVIF', async () => {
    const f = await failure(queryRtsp({ ip: `127.0.0.1:${(html.address() as AddressInfo).port}` }, opts));
    expect(f.code).toBe(5103);
    expect(f.message).toMatch(/without a SOAP envelope/);
    // nothing of the remote's answer comes back: not its status, its status line or its body
    expect(f.message).not.toMatch(/418|Secret|router/);
  });

  it('address outside the allowed ranges → 2016 before any packet is sent', async () => {
    const narrow = { ...opts, policy: createAddressPolicy('192.168.0.0/16') };
    const before = cam.actions.length;
    const f = await failure(queryRtsp({ ip: cam.ip, user: 'admin', password: 'pa:ss@word' }, narrow));
    expect(f.code).toBe(2016);
    expect(f.message).toMatch(/127\.0\.0\.1/);
    expect(cam.actions.length).toBe(before);
    // a public address: refused without trying (a connect would take the timeout or fail otherwise)
    expect((await failure(queryRtsp({ ip: '8.8.8.8' }, opts))).code).toBe(2016);
    expect((await failure(queryRtsp({ ip: '[2001:db8::1]:80' }, opts))).code).toBe(2016);
  });

  it('malformed ip → 2002 naming the field', async () => {
    const f = await failure(queryRtsp({ ip: 'http://127.0.0.1/' }, opts));
    expect(f.code).toBe(2002);
    expect(f.message).toMatch(/^ip /);
  });
});
