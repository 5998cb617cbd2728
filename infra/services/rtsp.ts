/**
 * A real RTSP server on loopback for tests and benches: GStreamer's gst-rtsp-server driven by
 * rtsp-server.py (Debian: gir1.2-gst-rtsp-server-1.0, python3-gi, gstreamer1.0-plugins-good), each
 * path looping an H.264 clip made by makeTestVideo() forever. stop() ends it, start() (after a stop)
 * and restart() bring it back on the same port: a camera that drops and comes back.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { stopChild } from './child.ts';

const script = fileURLToPath(new URL('./rtsp-server.py', import.meta.url));
/** python3-gi is installed for Debian's interpreter, not for any other python3 on PATH */
const python = '/usr/bin/python3';

export interface RtspStream {
  /** mount path, e.g. "cam1" */
  path: string;
  /** H.264 Annex-B file with access unit delimiters (see infra/services/video.ts) */
  source: string;
  /** the clip's access unit each client's stream starts at (a key frame: a multiple of the GOP);
   * 0 by default. Cameras looping one clip from different key frames are not in step. */
  startFrame?: number;
}

export interface RtspServer {
  port: number;
  /** rtsp://127.0.0.1:<port>/<path> */
  urlFor(path: string): string;
  /** pid of the server process (for CPU/RSS figures in benches) */
  pid(): number | undefined;
  /** epoch ms at which each client's stream of `path` started playing (its first frame), oldest first */
  plays(path: string): number[];
  /** starts it again after stop(), on the same port */
  start(): Promise<void>;
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export async function startRtspServer(opts: { streams: RtspStream[]; fps?: number; port?: number }): Promise<RtspServer> {
  let child: ChildProcess | undefined;
  let port = opts.port ?? 0;
  const plays = new Map<string, number[]>();
  const launch = async () => {
    const r = await spawnServer(port, opts.streams, opts.fps ?? 25, (path, at) => plays.set(path, [...(plays.get(path) ?? []), at]));
    child = r.child;
    port = r.port;
  };
  const stop = async () => { if (child) await stopChild(child); child = undefined; };
  await launch();
  return {
    get port() { return port; },
    urlFor: (path) => `rtsp://127.0.0.1:${port}/${path.replace(/^\/+/, '')}`,
    pid: () => child?.pid,
    plays: (path) => plays.get(path.replace(/^\/+/, '')) ?? [],
    start: async () => { if (!child) await launch(); },
    restart: async () => { await stop(); await launch(); },
    stop,
  };
}

function spawnServer(port: number, streams: RtspStream[], fps: number, onPlay: (path: string, at: number) => void): Promise<{ child: ChildProcess; port: number }> {
  const args = [script, String(port), ...streams.map((s) => `${s.path.replace(/^\/+/, '')}${s.startFrame ? `@${s.startFrame}` : ''}=${s.source}`)];
  const child = spawn(python, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, RTSP_FPS: String(fps) } });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => { stderr = (stderr + d.toString()).slice(-4000); });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { void stopChild(child, { signal: 'SIGKILL' }); reject(new Error(`rtsp-server.py did not start within 15 s\n${stderr}`)); }, 15_000);
    let out = '';
    const onData = (d: Buffer) => {
      out += d.toString();
      const m = /READY (\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        child.stdout!.off('data', onData);
        let rest = out.slice(m.index + m[0].length);
        child.stdout!.on('data', (d: Buffer) => {
          rest += d.toString();
          const lines = rest.split('\n');
          rest = lines.pop()!;
          for (const l of lines) {
            const p = /^PLAY (\S+) (\d+)$/.exec(l.trim());
            if (p) onPlay(p[1], Number(p[2]));
          }
        });
        resolve({ child, port: Number(m[1]) });
      }
    };
    child.stdout!.on('data', onData);
    child.once('error', (e) => { clearTimeout(timer); reject(e); });
    child.once('exit', (code, signal) => { clearTimeout(timer); reject(new Error(`rtsp-server.py exited (${code ?? signal})\n${stderr}`)); });
  });
}
