/**
 * The outbound-connection and log findings of the adversarial review (issue 10, items 10-15),
 * reproduced over HTTP against the real host. Only loopback is used: the host allows 127.0.0.2 alone
 * (standing in for a site's camera and storage networks), so 127.0.0.1 plays an address outside the
 * ranges, like the host's own services. That loopback is not in the default ranges at all is checked
 * in test/core/net/address-policy.test.ts.
 */
import { createServer, type Server } from 'node:http';
import { createServer as createTcpServer, connect, type AddressInfo, type Server as TcpServer } from 'node:net';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorTable as E } from '../../core/errors.ts';
import { createLogger } from '../../core/log.ts';
import { until } from '../stream-node/helpers.ts';
import { startApi, type Api } from '../support/api.ts';

type Line = { level: number; msg: string; [k: string]: unknown };

describe('outbound connections, logs and secrets (embedded)', () => {
  let api: Api;
  const lines: Line[] = [];
  const raw: string[] = [];
  /** answers everything with a page whose status line and body carry markers that must not come back */
  let echo: Server;
  let echoPort: number;
  /** counts connections to 127.0.0.1 (outside the ranges): none may arrive */
  let trap: TcpServer;
  let trapPort: number;
  let trapped = 0;
  let closedPort: number;

  beforeAll(async () => {
    echo = createServer((_q, res) => { res.statusMessage = 'MARKER-STATUS'; res.writeHead(500, { 'content-type': 'text/html' }).end('<html>MARKER-BODY /etc/secret</html>'); });
    await new Promise<void>((r) => echo.listen(0, '127.0.0.2', r));
    echoPort = (echo.address() as AddressInfo).port;
    trap = createTcpServer((s) => { trapped++; s.destroy(); });
    await new Promise<void>((r) => trap.listen(0, '127.0.0.1', r));
    trapPort = (trap.address() as AddressInfo).port;
    const probe = createTcpServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.2', r));
    closedPort = (probe.address() as AddressInfo).port;
    await new Promise((r) => probe.close(r));

    const sink = new Writable({ write(chunk, _enc, done) { for (const l of String(chunk).split('\n')) if (l) { raw.push(l); lines.push(JSON.parse(l)); } done(); } });
    api = await startApi('embedded', {
      CAMERA_ALLOWED_RANGES: '127.0.0.2/32', STORAGE_ALLOWED_RANGES: '127.0.0.2/32', QUERY_RTSP_PER_MINUTE: '3',
      ONVIF_TIMEOUT_MS: '1500', DESIRED_STATE_PERIOD_MS: '500',
    }, createLogger('debug', 'api', sink));
    await api.login();
  });
  afterAll(async () => {
    await api?.stop();
    echo?.closeAllConnections();
    await Promise.all([new Promise((r) => echo?.close(r)), new Promise((r) => trap?.close(r))]);
  });

  const storage = (over: Record<string, unknown>) => api.call('/UpdateSystemConfig', {
    name: 'StorageServer', config: JSON.stringify({ ip: '127.0.0.2', port: echoPort, bucket: 'b', access_key: 'AK', secret_key: 'SK', ...over }),
  });

  it('10. StorageServer: addresses outside STORAGE_ALLOWED_RANGES and metadata addresses are refused before any connection', async () => {
    for (const ip of ['127.0.0.1', 'localhost', '169.254.169.254', '0.0.0.0', '::ffff:7f00:1']) {
      const r = await storage({ ip, port: trapPort });
      expect(r.code, ip).toBe(E.ADDRESS_NOT_ALLOWED.code);
      expect(r.msg, ip).toMatch(/^config\.ip: address .* is outside the allowed ranges \(STORAGE_ALLOWED_RANGES\)/);
    }
    expect(trapped).toBe(0);
  });

  it('10. StorageServer: a failure names its class, never the remote answer or our paths; the old store stays', async () => {
    const notS3 = await storage({});
    expect(notS3).toEqual({ code: E.STORAGE_CONFIG_REJECTED.code, msg: 'the new object store did not answer as an S3 server; the current store is kept' });
    const closed = await storage({ port: closedPort });
    expect(closed).toEqual({ code: E.STORAGE_CONFIG_REJECTED.code, msg: 'the new object store is unreachable; the current store is kept' });
    for (const r of [notS3, closed]) expect(r.msg).not.toMatch(/MARKER|secret|\b500\b|\/tmp|api-embedded/);
    // still the local store
    expect(JSON.parse((await api.call('/GetSystemConfig', { name: 'StorageServer' })).info.config)).toEqual({ type: 'local' });
    expect((await api.upload(Buffer.from('not an image'))).code).toBe(E.NOT_AN_IMAGE.code);
  });

  it('10. {"type":"local"} is a way back to the local store', async () => {
    expect(await api.call('/UpdateSystemConfig', { name: 'StorageServer', config: '{"type":"local"}' })).toEqual({ code: 0, msg: '' });
    expect(JSON.parse((await api.call('/GetSystemConfig', { name: 'StorageServer' })).info.config)).toEqual({ type: 'local' });
    expect(api.host.resources.store.describe()).toMatch(/^file:\/\//);
  });

  it('11. QueryCameraRtsp: an address outside the ranges is refused unsent; answers carry no remote status; calls that reach a device are rate-limited per user', async () => {
    const out = await api.call('/QueryCameraRtsp', { ip: `127.0.0.1:${trapPort}` });
    expect(out.code).toBe(E.ADDRESS_NOT_ALLOWED.code);
    const notOnvif = await api.call('/QueryCameraRtsp', { ip: `127.0.0.2:${echoPort}` });
    expect(notOnvif.code).toBe(E.NOT_ONVIF.code);
    expect(notOnvif.msg).not.toMatch(/MARKER|500/);
    const closed = await api.call('/QueryCameraRtsp', { ip: `127.0.0.2:${closedPort}` });
    expect(closed.code).toBe(E.CAMERA_UNREACHABLE.code);
    // the refused call reached nothing, so it did not count: a third contact is still allowed
    expect((await api.call('/QueryCameraRtsp', { ip: `127.0.0.2:${echoPort}` })).code).toBe(E.NOT_ONVIF.code);
    // the fourth contact within a minute (QUERY_RTSP_PER_MINUTE=3)
    const limited = await api.call('/QueryCameraRtsp', { ip: `127.0.0.2:${echoPort}` });
    expect(limited.code).toBe(E.RATE_LIMITED.code);
    expect(limited.msg).toMatch(/^\/QueryCameraRtsp: at most 3 calls a minute; try again in \d+ s$/);
    // an address outside the ranges is still refused as such, not as a rate limit
    expect((await api.call('/QueryCameraRtsp', { ip: `127.0.0.1:${trapPort}` })).code).toBe(E.ADDRESS_NOT_ALLOWED.code);
    expect(trapped).toBe(0);
  });

  it('12. AddCamera/UpdateCamera refuse camera hosts outside the ranges, in any spelling', async () => {
    for (const rtsp of ['rtsp://0.0.0.0/x', 'rtsp://[::ffff:127.0.0.1]/x', 'rtsp://169.254.169.254/', 'rtsp://127.0.0.1:554/x', 'rtsp://localhost/x', 'rtsp://[::1]/x']) {
      const r = await api.call('/AddCamera', { name: 'c', rtsp });
      expect(r.code, rtsp).toBe(E.ADDRESS_NOT_ALLOWED.code);
      expect(r.msg, rtsp).toMatch(/^rtsp: address/);
    }
    const ok = await api.call('/AddCamera', { name: 'ok', rtsp: 'rtsp://127.0.0.2:554/x' });
    expect(ok.code).toBe(0);
    expect((await api.call('/UpdateCamera', { camera_id: ok.camera_id, rtsp: 'rtsp://169.254.169.254/' })).code).toBe(E.ADDRESS_NOT_ALLOWED.code);
  });

  it('12+14. at connect time the stream node checks the host again (a camera stored before the policy is not contacted), and no log line shows a camera password', async () => {
    // a camera row written before the ranges were narrowed (or whose name now resolves elsewhere)
    const stale = await api.host.resources.repos.cameras.insert({ name: 'stale', rtsp: `rtsp://admin:Stale-Pw-1@127.0.0.1:${trapPort}/s`, type: 0, remark: '' });
    // an allowed camera that refuses the connection: ffmpeg's error repeats the URL with its password
    const refusing = (await api.call('/AddCamera', { name: 'refusing', rtsp: `rtsp://admin:Refused-Pw-2@127.0.0.2:${closedPort}/r` })).camera_id;
    const lib = (await api.call('/AddLibrary', { name: 'l' })).lib_id;
    const task = await api.call('/AddTask', { name: 't', interval: 1000, threshold: 0.8, camera_list1: `${stale},${refusing}`, lib_list: String(lib) });
    expect(task.code, task.msg).toBe(0);
    expect((await api.call('/StartTask', { task_id: task.task_id })).code).toBe(0);
    const failed = (id: number) => lines.find((l) => l.msg === 'camera stream failed' && l.camera === id);
    await until(async () => !!failed(stale) && !!failed(refusing), 'both cameras to fail', 60_000);
    expect(String(failed(stale)!.reason)).toMatch(/^camera address refused: address 127\.0\.0\.1 is outside the allowed ranges/);
    expect(trapped).toBe(0);
    expect((await api.call('/StopTask', { task_id: task.task_id })).code).toBe(0);
    expect(raw.join('\n')).not.toMatch(/Stale-Pw-1|Refused-Pw-2/);
    expect(raw.join('\n')).toMatch(/rtsp:\/\/\*\*\*@127\.0\.0\.2/); // the URL is there, masked
  });

  it('13. a client that drops its connection mid-body is a debug line, not "database unavailable"', async () => {
    const before = lines.length;
    const sock = connect(api.host.port, '127.0.0.1');
    await new Promise<void>((r) => sock.once('connect', () => r()));
    sock.write(`POST /AddLibrary HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\nx-session: ${api.session}\r\ncontent-length: 1000\r\n\r\n{"name":`);
    await new Promise((r) => setTimeout(r, 200));
    sock.destroy();
    await until(async () => lines.slice(before).some((l) => /client closed the connection/.test(l.msg)), 'the abort to be logged', 10_000);
    const mine = lines.slice(before);
    expect(mine.find((l) => /client closed the connection/.test(l.msg))!.level).toBe(20);
    expect(mine.filter((l) => l.level >= 50)).toEqual([]);
  });

  it('15. GetSystemConfig masks keys named like pass, secret, token, key, credential, pin, private, auth, at any depth; sent back, they keep their values', async () => {
    const config = {
      url: 'https://receiver.lan/x', pass: 'p1', api_key: 'k1', tokens: ['t1', 't2'], credentials: { user: 'u', password: 'p2' }, secret_pin: '1234',
      nested: { deeper: { private_key: 'pk', Authorization: 'Bearer z' } }, list: [{ token: 't3' }], plain: 'visible', empty_secret: '',
    };
    expect((await api.call('/UpdateSystemConfig', { name: 'Hooks', config: JSON.stringify(config) })).code).toBe(0);
    const got = await api.call('/GetSystemConfig', { name: 'Hooks' });
    expect(JSON.parse(got.info.config)).toEqual({
      url: 'https://receiver.lan/x', pass: '******', api_key: '******', tokens: '******', credentials: '******', secret_pin: '******',
      nested: { deeper: { private_key: '******', Authorization: '******' } }, list: [{ token: '******' }], plain: 'visible', empty_secret: '',
    });
    expect(got.info.config).not.toMatch(/p1|k1|t1|p2|1234|pk|Bearer|t3/);
    expect((await api.call('/UpdateSystemConfig', { name: 'Hooks', config: got.info.config })).code).toBe(0);
    expect(JSON.parse((await api.host.resources.repos.systemConfig.get('Hooks'))!.config)).toEqual(config);
  });
});
