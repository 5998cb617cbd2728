/**
 * /GetCameraSnapshot against a real RTSP server (GStreamer, infra/services/rtsp.ts) and real ffmpeg:
 * a 1600x900 camera answers a JPEG scaled to 1280x720; a closed port, a wrong stream path, a server
 * that never answers, addresses outside the allowed ranges and too many snapshots at once each get
 * their own code, without the camera's password in any answer.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorTable as E } from '../../core/errors.ts';
import { startRtspServer, type RtspServer } from '../../infra/services/rtsp.ts';
import { makeTestVideo } from '../../infra/services/video.ts';
import { startApi, type Api } from '../support/api.ts';
import { threePeople, until } from '../stream-node/helpers.ts';

const SECRET = 'cam-secret-pw';

/** A TCP server that accepts and never says a word (a camera that hangs); counts connections. */
async function silentServer(): Promise<{ port: number; connections: () => number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  let count = 0;
  const server: Server = createServer((s) => { count++; sockets.add(s); s.on('error', () => {}); s.on('close', () => sockets.delete(s)); });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as AddressInfo).port,
    connections: () => count,
    close: async () => { for (const s of sockets) s.destroy(); await new Promise((r) => server.close(r)); },
  };
}

async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

/** ffmpeg processes of this test whose arguments mention `needle` (none may outlive an answer) */
const ffmpegWith = (needle: string): string[] => {
  try {
    return execFileSync('pgrep', ['-f', `ffmpeg.*${needle}`], { encoding: 'utf8' }).trim().split('\n').filter(Boolean);
  } catch {
    return [];
  }
};

describe('/GetCameraSnapshot', () => {
  let api: Api;
  let rtsp: RtspServer;
  let silent: Awaited<ReturnType<typeof silentServer>>;
  let dir: string;
  const camera = async (name: string, url: string) => {
    const r = await api.call('/AddCamera', { name, rtsp: url });
    expect(r.code).toBe(0);
    return r.camera_id as number;
  };
  /** a camera stored before the ranges were narrowed (AddCamera itself refuses it now) */
  const storedCamera = async (name: string, url: string) => {
    expect((await api.call('/AddCamera', { name, rtsp: url })).code).toBe(E.ADDRESS_NOT_ALLOWED.code);
    return api.host.resources.repos.cameras.insert({ name, rtsp: url, type: 0, remark: '' });
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'snapshot-'));
    const clip = await makeTestVideo({ foreground: threePeople, out: join(dir, 'cam.h264'), width: 1600, height: 900, seconds: 1, gop: 25, noise: 0, bitrate: '1M' });
    [rtsp, silent, api] = await Promise.all([
      startRtspServer({ streams: [{ path: 'cam', source: clip }] }),
      silentServer(),
      startApi('embedded', { CAMERA_ALLOWED_RANGES: '127.0.0.0/8', SNAPSHOT_TIMEOUT_MS: '8000', SNAPSHOT_CONCURRENCY: '1' }),
    ]);
    await api.login();
  });

  afterAll(async () => {
    await api?.stop();
    await rtsp?.stop();
    await silent?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  describe('happy', () => {
    it('answers a JPEG of the current frame, scaled to at most 1280 px wide', async () => {
      const id = await camera('gate', rtsp.urlFor('cam').replace('rtsp://', `rtsp://viewer:${SECRET}@`));
      const r = await api.call('/GetCameraSnapshot', { camera_id: id });
      expect(r.code, r.msg).toBe(0);
      expect(Object.keys(r).sort()).toEqual(['code', 'data', 'msg']);
      const jpeg = Buffer.from(r.data, 'base64');
      const meta = await sharp(jpeg).metadata();
      expect(meta).toMatchObject({ format: 'jpeg', width: 1280, height: 720 });
      // the picture is the video's (grey background, people in it), not a blank frame
      const stats = await sharp(jpeg).stats();
      expect(stats.channels[0].stdev).toBeGreaterThan(10);
      await until(() => ffmpegWith(`${rtsp.port}/cam`).length === 0, 'ffmpeg to exit');
    });

    it('requests for one camera at the same time share one snapshot (not refused as busy)', async () => {
      const id = await camera('shared', rtsp.urlFor('cam'));
      const answers = await Promise.all([1, 2, 3].map(() => api.call('/GetCameraSnapshot', { camera_id: id })));
      expect(answers.map((a) => a.code)).toEqual([0, 0, 0]);
      expect(new Set(answers.map((a) => a.data)).size).toBe(1);
    });
  });

  describe('error', () => {
    it('an unknown camera, a missing or mistyped camera_id', async () => {
      expect(await api.call('/GetCameraSnapshot', { camera_id: 999_999 })).toEqual({ code: E.CAMERA_NOT_FOUND.code, msg: 'camera_id: no camera 999999' });
      expect(await api.call('/GetCameraSnapshot', {})).toEqual({ code: E.INVALID_FIELD.code, msg: 'camera_id: is required' });
      expect((await api.call('/GetCameraSnapshot', { camera_id: '1' })).code).toBe(E.INVALID_FIELD.code);
    });

    it('nothing listens at the address: CAMERA_UNREACHABLE', async () => {
      const id = await camera('closed', `rtsp://u:${SECRET}@127.0.0.1:${await closedPort()}/live`);
      const r = await api.call('/GetCameraSnapshot', { camera_id: id });
      expect(r.code).toBe(E.CAMERA_UNREACHABLE.code);
      expect(r.msg).toMatch(/^camera_id: camera \d+: /);
      expect(r.msg).not.toContain(SECRET);
    });

    it('no stream at that path of a real RTSP server: STREAM_UNREADABLE', async () => {
      const id = await camera('wrong path', rtsp.urlFor('no-such-stream'));
      const r = await api.call('/GetCameraSnapshot', { camera_id: id });
      expect(r.code).toBe(E.STREAM_UNREADABLE.code);
    });

    it('a camera that accepts and never answers: SNAPSHOT_TIMEOUT after SNAPSHOT_TIMEOUT_MS, and ffmpeg is gone', async () => {
      const id = await camera('silent', `rtsp://u:${SECRET}@127.0.0.1:${silent.port}/hang`);
      const started = Date.now();
      const r = await api.call('/GetCameraSnapshot', { camera_id: id });
      expect(r).toEqual({ code: E.SNAPSHOT_TIMEOUT.code, msg: `camera_id: camera ${id} gave no picture within 8000 ms` });
      expect(Date.now() - started).toBeGreaterThanOrEqual(7900);
      expect(silent.connections()).toBeGreaterThan(0);
      await until(() => ffmpegWith(`${silent.port}/hang`).length === 0, 'the killed ffmpeg to be gone', 5000);
    });
  });

  describe('security', () => {
    it('needs a session', async () => {
      expect((await api.call('/GetCameraSnapshot', { camera_id: 1 }, { session: null })).code).toBe(E.SESSION_MISSING.code);
    });

    it('cloud metadata and unspecified addresses are refused whatever the ranges, without the password in the answer', async () => {
      for (const host of ['169.254.169.254', '0.0.0.0', '[::]']) {
        const id = await storedCamera(`meta ${host}`, `rtsp://admin:${SECRET}@${host}:554/x`);
        const r = await api.call('/GetCameraSnapshot', { camera_id: id });
        expect(r.code, host).toBe(E.ADDRESS_NOT_ALLOWED.code);
        expect(r.msg).not.toContain(SECRET);
      }
    });

    it('too many snapshots at once: SNAPSHOT_BUSY at once for the ones beyond the bound', async () => {
      // SNAPSHOT_CONCURRENCY=1: one runs, one waits, the third is refused at once
      const hang = await silentServer();
      try {
        const ids = [];
        for (const path of ['a', 'b', 'c']) ids.push(await camera(`hang ${path}`, `rtsp://127.0.0.1:${hang.port}/${path}`));
        const calls = ids.map((camera_id) => api.call('/GetCameraSnapshot', { camera_id }));
        await until(() => hang.connections() > 0, 'the first snapshot to connect');
        expect((await calls[2]).code).toBe(E.SNAPSHOT_BUSY.code);
      } finally {
        await hang.close(); // the one running fails at once, the waiting one finds nothing listening
      }
    });

    it('addresses outside CAMERA_ALLOWED_RANGES (127.0.0.0/8 here) are refused before any connection', async () => {
      const before = silent.connections();
      for (const host of ['[::1]', '10.0.0.1', '192.168.1.10', '[::ffff:a00:1]']) {
        const id = await storedCamera(`outside ${host}`, `rtsp://u:${SECRET}@${host}:${silent.port}/x`);
        const r = await api.call('/GetCameraSnapshot', { camera_id: id });
        expect(r.code, host).toBe(E.ADDRESS_NOT_ALLOWED.code);
        expect(r.msg).not.toContain(SECRET);
      }
      expect(silent.connections()).toBe(before);
    });
  });
});
