/**
 * npm run bench:scenes: the queue scene of issue 9 on real parts, in numbers.
 *
 * The embedded host (its stream node, ffmpeg, the ONNX face engine, the matcher, PGlite) reads
 * CAMERAS cameras of gst-rtsp-server, each looping the queue clip (test/e2e/scenes.ts: 1280x720 25 fps,
 * a key frame a second; alice, a stranger, carol, another stranger, EACH_S seconds each at the same
 * spot, hard cuts), one task per camera at interval 1000 ms and threshold 0.8, for LOOPS passes of
 * the clip. RECORD_PERIOD_MS is set to the time between two passes of a person, so every step-up of every pass is
 * due a record (the returns rule would otherwise merge the next pass's into the first).
 *
 * Prints: records expected (step-ups in the window) vs written (missing, extra, wrong identity), the
 * latency from stepping up (the face's first frame on the wire, per the RTSP server) to the record's
 * capture time (the frame it was taken from) and to the record written, p50/p99, StartTask to each
 * camera's first record (camera connection included), and the stream node's embeddings per analysed
 * frame.
 *
 * Env: CAMERAS (4), LOOPS (3), EACH_S (5).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRtspServer } from '../../infra/services/rtsp.ts';
import { makeFixtures } from '../functions/fixtures.ts';
import { until } from '../stream-node/helpers.ts';
import { startApi } from '../support/api.ts';
import { appearsAt, queueScene, type Who } from '../e2e/scenes.ts';

const env = process.env;
const CAMERAS = Number(env.CAMERAS ?? 4);
const LOOPS = Number(env.LOOPS ?? 3);
const EACH_S = Number(env.EACH_S ?? 5);

const pct = (xs: number[], p: number) => {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};
const ms = (xs: number[]) => `${pct(xs, 50).toFixed(0)}/${pct(xs, 99).toFixed(0)} ms (n=${xs.length})`;

async function main() {
  const dir = await mkdtemp(join(tmpdir(), 'facewatch-bench-scenes-'));
  console.log(`bench:scenes  ${new Date().toISOString()}  load average ${loadavg().map((x) => x.toFixed(2)).join(' ')} (2 cores, shared)`);
  const fx = await makeFixtures();
  const scene = await queueScene(dir, fx, EACH_S);
  const loopMs = scene.seconds * 1000;
  console.log(`queue scene: 1280x720 25 fps GOP 1 s, ${scene.shows.map((s) => s.who).join(', ')} for ${EACH_S} s each (${scene.seconds} s a pass); ${CAMERAS} cameras x ${LOOPS} passes; interval 1000 ms`);
  const rtsp = await startRtspServer({ streams: Array.from({ length: CAMERAS }, (_, i) => ({ path: `q${i + 1}`, source: scene.clip })) });
  // each person comes back a pass later: a new record then, whatever the first frame's delay
  const api = await startApi('embedded', { RECORD_PERIOD_MS: String(loopMs - EACH_S * 1000), DESIRED_STATE_PERIOD_MS: '1000' });
  try {
    await api.login();
    const lib = (await api.call('/AddLibrary', { name: 'staff' })).lib_id;
    const personOf = new Map<number, Who>();
    for (const who of ['alice', 'carol'] as const) personOf.set((await api.call('/AddPerson', { lib_id: lib, name: who, pic_url: (await api.upload(fx[who])).pic_url })).person_id, who);
    const cams: Array<{ path: string; camera: number; task: number; startedAt: number }> = [];
    for (let i = 1; i <= CAMERAS; i++) {
      const camera = (await api.call('/AddCamera', { name: `q${i}`, rtsp: rtsp.urlFor(`q${i}`) })).camera_id;
      const task = (await api.call('/AddTask', { name: `q${i}`, camera_list1: String(camera), lib_list: String(lib), interval: 1000, threshold: 0.8 })).task_id;
      cams.push({ path: `q${i}`, camera, task, startedAt: 0 });
    }
    for (const c of cams) {
      c.startedAt = Date.now();
      await api.call('/StartTask', { task_id: c.task });
    }
    await until(() => cams.every((c) => rtsp.plays(c.path).length > 0), 'every stream to play', 60_000);
    const end = Math.max(...cams.map((c) => rtsp.plays(c.path)[0])) + LOOPS * loopMs;
    await until(() => Date.now() > end + 5000, 'the passes', LOOPS * loopMs + 90_000);

    const node = api.host.node!;
    const stats = cams.map((c) => node.pipeline(c.camera)?.stats);
    let expected = 0, written = 0, missing = 0, extra = 0, wrong = 0;
    const capture: number[] = [], record: number[] = [], first: number[] = [], connect: number[] = [];
    const missed: string[] = [];
    for (const c of cams) {
      const play = rtsp.plays(c.path)[0];
      const until_ = play + LOOPS * loopMs;
      const steps = scene.shows.flatMap((s) => appearsAt(scene, s.who, play, until_).map((at) => ({ at, who: s.who }))).sort((a, b) => a.at - b.at);
      const { rows } = await api.host.resources.repos.records.list({ taskId: c.task }, { pageNo: 1, pageSize: 10_000 });
      const recs = rows.map((r) => ({ at: r.captureTime.getTime(), written: r.createTime.getTime(), who: r.personId ? personOf.get(r.personId) : undefined }))
        .filter((r) => r.at >= play && r.at < until_).sort((a, b) => a.at - b.at);
      expected += steps.length;
      written += recs.length;
      if (recs.length) first.push(Math.min(...recs.map((r) => r.written)) - c.startedAt);
      connect.push(play - c.startedAt);
      // each step-up's record: the first captured after it and before the next step-up
      steps.forEach((s, i) => {
        const next = steps[i + 1]?.at ?? until_;
        const mine = recs.filter((r) => r.at >= s.at && r.at < next);
        if (!mine.length) { missing++; missed.push(`${c.path} ${s.who} at ${((s.at - play) / 1000).toFixed(0)} s`); return; }
        extra += mine.length - 1;
        const enrolled = s.who === 'alice' || s.who === 'carol';
        if ((enrolled ? mine[0].who !== s.who : mine[0].who !== undefined)) wrong++;
        capture.push(mine[0].at - s.at);
        record.push(mine[0].written - s.at);
      });
    }
    const frames = stats.reduce((a, s) => a + (s?.analysed ?? 0), 0);
    const embeds = stats.reduce((a, s) => a + (s?.embeds ?? 0), 0);
    const embedMs = stats.reduce((a, s) => a + (s?.embedMs ?? 0), 0);
    console.log(`records: expected ${expected}, written ${written} (missing ${missing}, extra ${extra}, wrong identity ${wrong})`);
    console.log(`stepping up -> capture time (the frame recorded): p50/p99 ${ms(capture)}`);
    console.log(`stepping up -> record written:                   p50/p99 ${ms(record)}`);
    console.log(`StartTask -> first record written (camera connection included), per camera: p50/p99 ${ms(first)}; of which StartTask -> stream playing ${ms(connect)}`);
    if (missed.length) console.log(`missing: ${missed.join('; ')}`);
    console.log(`stream node: ${frames} frames analysed, ${(embeds / Math.max(1, frames)).toFixed(2)} embeddings per frame, ${(embedMs / Math.max(1, frames)).toFixed(1)} ms of embedding per frame (wall, queueing in the engine included)`);
    console.log(`load average at the end ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  } finally {
    await api.stop();
    await rtsp.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

main().then(() => process.exit(0), (e) => { console.error(e); process.exit(1); });
