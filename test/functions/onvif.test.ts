import { createServer, type Server } from 'node:http';
import { createServer as createTcpServer, type AddressInfo, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorTable as E } from '../../core/errors.ts';
import { startApi, type Api } from '../support/api.ts';
import { startOnvifSim, type OnvifSim } from '../support/onvif-sim.ts';

// ONVIF does not touch the database: one backend is enough. Discovery goes to the simulators' unicast
// UDP ports (ONVIF_DISCOVERY_TARGETS), never to the multicast group on the machine's interfaces.
describe('/SearchCamera and /QueryCameraRtsp', () => {
  let api: Api;
  let acme: OnvifSim, hidden: OnvifSim, echo: OnvifSim, empty: OnvifSim;
  let html: Server;
  let deadPort: number;

  beforeAll(async () => {
    acme = await startOnvifSim({ manufacturer: 'Acme Vision', user: 'admin', password: 'cam-pass' });
    hidden = await startOnvifSim({ manufacturer: 'Hidden Maker', scopesNameManufacturer: false });
    echo = await startOnvifSim({ manufacturer: 'Echo', answerTwice: true });
    empty = await startOnvifSim({ profiles: 0, discovery: { mode: 'none' } });
    html = createServer((_q, r) => r.writeHead(404, { 'Content-Type': 'text/html' }).end('<h1>Not Found</h1>'));
    await new Promise<void>((r) => html.listen(0, '127.0.0.1', r));
    const probe = createTcpServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    deadPort = (probe.address() as AddressInfo).port;
    await new Promise((r) => probe.close(r));
    api = await startApi('embedded', {
      ONVIF_DISCOVERY_TARGETS: [acme, hidden, echo].map((s) => `127.0.0.1:${s.udpPort}`).join(','),
      ONVIF_DISCOVERY_MS: '500',
      ONVIF_TIMEOUT_MS: '1500',
      // this file makes more /QueryCameraRtsp calls than the default 10 a minute, and how many a
      // minute holds depends on the machine's speed; the limit itself: security-outbound.test.ts
      QUERY_RTSP_PER_MINUTE: '1000',
    });
    await api.login();
  });

  afterAll(async () => {
    await api?.stop();
    await Promise.all([acme, hidden, echo, empty].map((s) => s?.close()));
    html?.closeAllConnections();
    await new Promise((r) => html?.close(r));
  });

  describe('happy', () => {
    it('SearchCamera lists each device once with its manufacturer', async () => {
      const r = await api.call('/SearchCamera');
      expect(r.code).toBe(0);
      expect(r.info.total_count).toBe(3);
      expect([...r.info.items].sort((a: { ip: string }, b: { ip: string }) => a.ip.localeCompare(b.ip))).toEqual(
        [
          { ip: acme.ip, manufacturer: 'Acme Vision' },
          { ip: hidden.ip, manufacturer: 'Hidden Maker' },
          { ip: echo.ip, manufacturer: 'Echo' },
        ].sort((a, b) => a.ip.localeCompare(b.ip)),
      );
    });

    it('concurrent SearchCamera calls share one probe', async () => {
      const before = acme.probes;
      const [a, b] = await Promise.all([api.call('/SearchCamera'), api.call('/SearchCamera')]);
      expect(a).toEqual(b);
      expect(a.info.total_count).toBe(3);
      expect(acme.probes - before).toBe(1);
    });

    it('QueryCameraRtsp returns the stream URI for an ip SearchCamera found', async () => {
      const found = await api.call('/SearchCamera');
      const ip = found.info.items.find((i: { manufacturer: string }) => i.manufacturer === 'Acme Vision').ip;
      const r = await api.call('/QueryCameraRtsp', { ip, user: 'admin', password: 'cam-pass' });
      expect(r).toEqual({ code: 0, msg: '', info: { rtsp: 'rtsp://127.0.0.1:554/Streaming/Channels/101' } });
    });

    it('with_credentials embeds user:password', async () => {
      const r = await api.call('/QueryCameraRtsp', { ip: acme.ip, user: 'admin', password: 'cam-pass', with_credentials: 1 });
      expect(r.info.rtsp).toBe('rtsp://admin:cam-pass@127.0.0.1:554/Streaming/Channels/101');
    });
  });

  describe('error', () => {
    it('wrong password → CAMERA_AUTH_FAILED', async () => {
      const r = await api.call('/QueryCameraRtsp', { ip: acme.ip, user: 'admin', password: 'nope' });
      expect(r.code).toBe(E.CAMERA_AUTH_FAILED.code);
      expect(r.msg).toMatch(/admin/);
    });

    it('camera that never answers → CAMERA_TIMEOUT', async () => {
      const sockets: Socket[] = [];
      const silent = createTcpServer((c) => sockets.push(c)); // accepts, never answers
      await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
      try {
        const r = await api.call('/QueryCameraRtsp', { ip: `127.0.0.1:${(silent.address() as AddressInfo).port}` });
        expect(r.code).toBe(E.CAMERA_TIMEOUT.code);
        expect(r.msg).toMatch(/1500 ms/);
      } finally {
        sockets.forEach((c) => c.destroy());
        await new Promise((r) => silent.close(r));
      }
    });

    it('dead address → CAMERA_UNREACHABLE', async () => {
      expect((await api.call('/QueryCameraRtsp', { ip: `127.0.0.1:${deadPort}` })).code).toBe(E.CAMERA_UNREACHABLE.code);
    });

    it('non-ONVIF HTTP server → NOT_ONVIF', async () => {
      const r = await api.call('/QueryCameraRtsp', { ip: `127.0.0.1:${(html.address() as AddressInfo).port}` });
      expect(r.code).toBe(E.NOT_ONVIF.code);
    });

    it('a probe that cannot be sent → DISCOVERY_FAILED, naming why', async () => {
      // 255.255.255.255 on a socket without SO_BROADCAST: the kernel refuses the send (EACCES)
      const broadcast = await startApi('embedded', { ONVIF_DISCOVERY_TARGETS: '255.255.255.255:3702', ONVIF_DISCOVERY_MS: '100' });
      try {
        await broadcast.login();
        const r = await broadcast.call('/SearchCamera', {});
        expect(r).toEqual({ code: E.DISCOVERY_FAILED.code, msg: expect.stringMatching(/WS-Discovery probe could not be sent: .*EACCES/) });
      } finally {
        await broadcast.stop();
      }
    });

    it('camera without profiles → NO_MEDIA_PROFILE', async () => {
      expect((await api.call('/QueryCameraRtsp', { ip: empty.ip })).code).toBe(E.NO_MEDIA_PROFILE.code);
    });

    it('bad fields → INVALID_FIELD naming the field', async () => {
      const cases: [Record<string, unknown>, RegExp][] = [
        [{}, /^ip: is required/],
        [{ ip: '' }, /^ip: /],
        [{ ip: 42 }, /^ip: /],
        [{ ip: 'http://10.0.0.1/onvif' }, /^ip /],
        [{ ip: '10.0.0.1:99999' }, /^ip .*port/],
        [{ ip: '10.0.0.1', password: 'x' }, /^user: is required when password/],
        [{ ip: '10.0.0.1', user: 'a', with_credentials: 'yes' }, /^with_credentials: /],
        [{ ip: 'x'.repeat(400) }, /^ip: /],
      ];
      for (const [body, msg] of cases) {
        const r = await api.call('/QueryCameraRtsp', body);
        expect(r.code, JSON.stringify(body)).toBe(E.INVALID_FIELD.code);
        expect(r.msg, JSON.stringify(body)).toMatch(msg);
      }
    });
  });

  describe('security', () => {
    it('refuses addresses outside the allowed ranges without contacting them', async () => {
      for (const ip of ['8.8.8.8', '1.1.1.1:8080', '[2001:db8::1]:80', '169.254.169.254', '0.0.0.0']) {
        const r = await api.call('/QueryCameraRtsp', { ip, user: 'admin', password: 'x' });
        expect(r.code, ip).toBe(E.ADDRESS_NOT_ALLOWED.code);
        expect(r.msg, ip).toMatch(/outside the allowed ranges/);
      }
    });

    it('CAMERA_ALLOWED_RANGES narrows the ranges: loopback refused, no request reaches the camera', async () => {
      const narrow = await startApi('embedded', { CAMERA_ALLOWED_RANGES: '192.168.0.0/16', ONVIF_DISCOVERY_TARGETS: '127.0.0.1:9' });
      try {
        await narrow.login();
        const before = acme.actions.length;
        const r = await narrow.call('/QueryCameraRtsp', { ip: acme.ip, user: 'admin', password: 'cam-pass' });
        expect(r.code).toBe(E.ADDRESS_NOT_ALLOWED.code);
        expect(acme.actions.length).toBe(before);
      } finally {
        await narrow.stop();
      }
    });

    it('both URIs require a session', async () => {
      expect((await api.call('/SearchCamera', {}, { session: null })).code).toBe(E.SESSION_MISSING.code);
      expect((await api.call('/QueryCameraRtsp', { ip: acme.ip }, { session: 'forged' })).code).toBe(E.SESSION_INVALID.code);
    });
  });
});
