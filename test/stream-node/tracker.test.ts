import { describe, expect, it } from 'vitest';
import { cosine, SAME_PERSON_COSINE } from '../../core/face/similarity.ts';
import { iou, Tracker, type Detection, type TrackerOptions } from '../../stream-node/track/tracker.ts';

const det = (x: number, y: number, quality = 0.5, w = 100, h = 100, payload?: string): Detection<string> => ({ box: { x, y, width: w, height: h }, quality, payload });

/**
 * Synthetic people for the appearance tests: each a random direction in 512-d (two people's cosine
 * ~0 +- 0.05), a face of theirs that direction plus noise (cosine to it ~0.9, as consecutive frames
 * of a real face); likewise a 256-d signature per person, ~0.99 between two of their faces. The
 * directions are seeded by the name, the noise by a fixed seed: every run sees the same numbers.
 */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}
const gauss = (r: () => number) => Math.sqrt(-2 * Math.log(r() + 1e-12)) * Math.cos(2 * Math.PI * r());
const unit = (v: Float32Array) => { const n = Math.sqrt(v.reduce((a, x) => a + x * x, 0)); return v.map((x) => x / n); };
const seedOf = (s: string) => [...s].reduce((h, c) => (h * 31 + c.charCodeAt(0)) >>> 0, 7);
const direction = (name: string, dim: number) => { const r = rng(seedOf(name)); return unit(Float32Array.from({ length: dim }, () => gauss(r))); };
const noise = rng(42);
const noisy = (v: Float32Array, sigma: number) => unit(v.map((x) => x + gauss(noise) * sigma));

/** a detection of `who` (payload: who, what the embed function reads); `sig` borrows another's signature */
const face = (who: string, x: number, y: number, o: { quality?: number; w?: number; sig?: string } = {}): Detection<string> => ({
  box: { x, y, width: o.w ?? 100, height: o.w ?? 100 }, quality: o.quality ?? 0.6, payload: who, signature: noisy(direction(`sig:${o.sig ?? who}`, 256), 0.005),
});
function people() {
  let embeds = 0;
  return {
    embed: async (who: string) => {
      embeds++;
      // 'ann~' is a lookalike of ann: cosine ~0.75 with her, above SAME_PERSON_COSINE
      const own = direction(`emb:${who}`, 512);
      const d = who.endsWith('~') ? unit(direction(`emb:${who.slice(0, -1)}`, 512).map((x, i) => 0.75 * x + 0.66 * own[i])) : own;
      return noisy(d, 0.02);
    },
    get embeds() { return embeds; },
  };
}

/** runs frames (1 per second) through a tracker with appearance; returns who each track followed */
async function follow(frames: Array<Array<Detection<string>>>, opts: TrackerOptions = {}) {
  const p = people();
  const t = new Tracker<string>({ maxIdleMs: 3000, ...opts }, p.embed);
  const carried = new Map<number, string[]>();
  const published: Array<{ track: number; who: string; reason: string; window: number; time: number }> = [];
  for (let i = 0; i < frames.length; i++) {
    const u = await t.update(i * 1000, frames[i]);
    u.assigned.forEach((id, k) => carried.set(id, [...(carried.get(id) ?? []), frames[i][k].payload!]));
    for (const x of u.publish) published.push({ track: x.trackId, who: x.shot.payload!, reason: x.reason, window: x.window, time: i * 1000 });
  }
  for (const x of (await t.flush()).publish) published.push({ track: x.trackId, who: x.shot.payload!, reason: x.reason, window: x.window, time: -1 });
  return { carried, published, tracker: t, people: p };
}
const whoOf = (carried: Map<number, string[]>) => [...carried.values()].map((xs) => [...new Set(xs)]);

describe('iou', () => {
  it('is 1 for the same box, 0 for disjoint ones, and symmetric in between', () => {
    const a = { x: 0, y: 0, width: 10, height: 10 };
    expect(iou(a, a)).toBe(1);
    expect(iou(a, { x: 10, y: 0, width: 10, height: 10 })).toBe(0);
    const b = { x: 5, y: 0, width: 10, height: 10 };
    expect(iou(a, b)).toBeCloseTo(50 / 150);
    expect(iou(b, a)).toBeCloseTo(iou(a, b));
  });
});

describe('the synthetic people', () => {
  it('are told apart on the cosine scale the way real faces are', async () => {
    const p = people();
    const [a1, a2, b] = [await p.embed('a'), await p.embed('a'), await p.embed('b')];
    expect(cosine(a1, a2)).toBeGreaterThan(0.8);
    expect(cosine(a1, b)).toBeLessThan(0.2);
    expect(SAME_PERSON_COSINE).toBeGreaterThan(0.2);
  });
});

describe('Tracker: motion', () => {
  it('keeps stable ids for faces that move a little between frames', async () => {
    const t = new Tracker<string>();
    const u0 = await t.update(0, [det(100, 100), det(600, 100)]);
    expect(u0.assigned).toEqual([1, 2]);
    // listed in the other order, both moved 10 px
    const u1 = await t.update(1000, [det(610, 105), det(110, 100)]);
    expect(u1.assigned).toEqual([2, 1]);
    const u2 = await t.update(2000, [det(120, 100), det(620, 110)]);
    expect(u2.assigned).toEqual([1, 2]);
    expect(u2.tracks.map((x) => [x.id, x.hits])).toEqual([[1, 3], [2, 3]]);
  });

  it('gives a track to the detection that overlaps it most; the other starts a new track', async () => {
    const t = new Tracker();
    await t.update(0, [det(100, 100)]);
    const u = await t.update(1000, [det(160, 100), det(105, 100)]);
    expect(u.assigned).toEqual([2, 1]);
  });

  it('at 1 fps, follows a face that moved more than its width (centre distance)', async () => {
    const t = new Tracker();
    await t.update(0, [det(100, 100)]);
    const u = await t.update(1000, [det(220, 110)]); // IoU 0, centre 1.2 box sizes away
    expect(u.assigned).toEqual([1]);
  });

  it('predicts with a constant velocity: a face walking 1.5 box widths per frame stays one track', async () => {
    const t = new Tracker();
    for (let i = 0; i < 8; i++) expect((await t.update(i * 1000, [det(100 + 150 * i, 300)])).assigned).toEqual([1]);
    // without the prediction the fifth step would be as far from the track as from nothing
    expect(t.tracks[0].velocity.x).toBeCloseTo(0.15);
  });

  it('without the distance gate, or when the jump is too far or the size too different, starts a new track', async () => {
    const noFallback = new Tracker({ maxCentroidDistance: 0 });
    await noFallback.update(0, [det(100, 100)]);
    expect((await noFallback.update(1000, [det(220, 110)])).assigned).toEqual([2]);

    const far = new Tracker({ maxCentroidDistance: 1.5 });
    await far.update(0, [det(100, 100)]);
    expect((await far.update(1000, [det(300, 100)])).assigned).toEqual([2]); // 2 box sizes

    const sized = new Tracker();
    await sized.update(0, [det(100, 100)]);
    expect((await sized.update(1000, [det(150, 100, 0.5, 200, 200)])).assigned).toEqual([2]); // 4x the area, IoU 0.25
  });

  it('prefers the overlapping pairing over a nearer-centred jump, one detection per track', async () => {
    const t = new Tracker();
    await t.update(0, [det(0, 0), det(300, 0)]);
    // face 1 moved into IoU range of its old box, face 2 jumped left by 1.3 sizes
    const u = await t.update(1000, [det(40, 0), det(170, 0)]);
    expect(u.assigned).toEqual([1, 2]);
  });

  it('ends a track unseen for more than maxIdleMs; the face coming back is a new track', async () => {
    const t = new Tracker({ maxIdleMs: 2000 });
    await t.update(0, [det(100, 100)]);
    expect((await t.update(1000, [])).ended).toEqual([]);
    expect((await t.update(2000, [])).ended).toEqual([]); // exactly maxIdleMs: still alive
    const u = await t.update(2500, [det(100, 100)]);
    expect(u.ended.map((x) => x.id)).toEqual([1]);
    expect(u.assigned).toEqual([2]);
    expect(t.tracks.map((x) => x.id)).toEqual([2]);
  });

  it('a track missed in a frame or two continues when it is seen again in time', async () => {
    const t = new Tracker({ maxIdleMs: 3000 });
    await t.update(0, [det(100, 100)]);
    await t.update(1000, []);
    await t.update(2000, []);
    expect((await t.update(3000, [det(110, 100)])).assigned).toEqual([1]);
  });

  it('refuses frame times that go backwards', async () => {
    const t = new Tracker();
    await t.update(1000, []);
    await expect(t.update(999, [])).rejects.toThrow(RangeError);
  });
});

describe('Tracker: appearance (a track never carries two people)', () => {
  it('same spot, different people (a queue with hard cuts): one track each, each published at once', async () => {
    const frames = [
      ...Array.from({ length: 5 }, () => [face('ann', 500, 300)]),
      ...Array.from({ length: 5 }, () => [face('bo', 505, 300)]),
      ...Array.from({ length: 5 }, () => [face('cy', 500, 302)]),
    ];
    const { carried, published } = await follow(frames);
    expect(whoOf(carried)).toEqual([['ann'], ['bo'], ['cy']]);
    const firsts = published.filter((x) => x.reason === 'first');
    expect(firsts.map((x) => [x.who, x.time])).toEqual([['ann', 0], ['bo', 5000], ['cy', 10_000]]);
    expect(published.every((x) => whoOf(carried)[x.track - 1][0] === x.who)).toBe(true);
  });

  it('motion alone (no embeddings) would have carried all three in one track: the test can fail', async () => {
    const t = new Tracker<string>();
    const ids = new Set<number>();
    for (let i = 0; i < 15; i++) for (const id of (await t.update(i * 1000, [face(['ann', 'bo', 'cy'][Math.floor(i / 5)], 500, 300)])).assigned) ids.add(id);
    expect([...ids]).toEqual([1]);
  });

  it('someone else whose signature looks the same is caught by the periodic check, and their shot is never published as the first one\'s', async () => {
    const sameSig = (who: string) => face(who, 500, 300, { sig: 'shared' });
    const frames = [...Array.from({ length: 4 }, () => [sameSig('ann')]), ...Array.from({ length: 12 }, () => [{ ...sameSig('bo'), quality: 0.7 }])];
    const { carried, published } = await follow(frames, { verifyEveryMs: 5000 });
    const tracks = whoOf(carried);
    // bo rode ann's track until the check (at most verifyEveryMs), then got a track of his own
    expect(tracks.at(-1)).toEqual(['bo']);
    const bo = published.find((x) => x.who === 'bo' && x.reason === 'first');
    expect(bo!.time).toBeLessThanOrEqual(5000);
    const annTrack = [...carried.keys()][0];
    expect(published.filter((x) => x.track === annTrack).map((x) => x.who)).toEqual(['ann']);
  });

  it('a face walking 1.5 box widths per frame at 1 fps is one track, embedded a few times, not every frame', async () => {
    const frames = Array.from({ length: 8 }, (_, i) => [face('ann', 50 + 150 * i, 300)]);
    const { carried, published, people: p } = await follow(frames);
    expect(whoOf(carried)).toEqual([['ann']]);
    expect([...carried.values()][0]).toHaveLength(8);
    expect(published.filter((x) => x.reason === 'first')).toHaveLength(1);
    // born (1), the first jump before a velocity is known (1); then the prediction overlaps
    expect(p.embeds).toBeLessThanOrEqual(3);
  });

  it('two people crossing keep their tracks (no swap)', async () => {
    // ann walks right, bo walks left on nearly the same line; they pass each other at frame 4
    const frames = Array.from({ length: 9 }, (_, i) => [face('ann', 100 + 100 * i, 300), face('bo', 900 - 100 * i, 310)]);
    const { carried } = await follow(frames);
    expect(whoOf(carried)).toEqual([['ann'], ['bo']]);
    expect([...carried.values()].map((xs) => xs.length)).toEqual([9, 9]);
  });

  it('two people crossing where motion alone swaps them: appearance keeps them apart', async () => {
    // they walk towards each other, then each turns back at the meeting point: a constant-velocity
    // prediction expects them to pass, so motion alone swaps the tracks
    const xs = [100, 250, 400, 480, 400, 250, 100];
    const frames = xs.map((x) => [face('ann', x, 300), face('bo', 960 - x, 300)]);
    const { carried } = await follow(frames);
    expect(whoOf(carried)).toEqual([['ann'], ['bo']]);

    const motionOnly = new Tracker<string>();
    const byId = new Map<number, Set<string>>();
    for (let i = 0; i < frames.length; i++) {
      (await motionOnly.update(i * 1000, frames[i])).assigned.forEach((id, k) => byId.set(id, (byId.get(id) ?? new Set()).add(frames[i][k].payload!)));
    }
    expect([...byId.values()].some((s) => s.size > 1)).toBe(true);
  });

  it('within reach of both tracks, appearance decides over motion, even between lookalikes no veto stops', async () => {
    // ann and her lookalike (cosine ~0.75: both pairings pass the same-person cut) stand 90 px apart,
    // then trade places between two frames: by position each would take the other's track
    const frames = [0, 1, 2].map(() => [face('ann', 400, 300), face('ann~', 490, 300)]);
    frames.push([face('ann', 490, 300), face('ann~', 400, 300)], [face('ann', 490, 300), face('ann~', 400, 300)]);
    const { carried } = await follow(frames);
    expect(whoOf(carried)).toEqual([['ann'], ['ann~']]);
  });

  it('neighbours in a group never swap, also when the clip loops and everyone jumps back (issue 11, item 4)', async () => {
    // three people side by side, 1.6 box widths apart, sliding right 40 px/s for 8 s; then the clip
    // loops: everyone is back 320 px to the left, where the left neighbour was a few seconds ago
    const names = ['carol', 'bob', 'dan'];
    const frames: Array<Array<Detection<string>>> = [];
    for (let loop = 0; loop < 3; loop++) {
      for (let s = 0; s < 8; s++) frames.push(names.map((n, k) => face(n, 100 + 160 * k + 40 * s + (s % 2) * 3, 300 + (k % 2) * 4)));
    }
    const { carried, published } = await follow(frames, { publishPeriodMs: 5000 });
    for (const who of whoOf(carried)) expect(who).toHaveLength(1);
    // one track each for the whole time: the jump back is found by appearance
    expect(whoOf(carried).map((x) => x[0]).sort()).toEqual(['bob', 'carol', 'dan']);
    // and every published shot is of its track's person, period after period
    const trackWho = new Map([...carried].map(([id, xs]) => [id, xs[0]]));
    expect(published.length).toBeGreaterThan(6);
    for (const p of published) expect(p.who).toBe(trackWho.get(p.track));
  });

  it('a face gone 5 s comes back as a new track (appearance), one gone under maxIdleMs continues its own', async () => {
    const ann = (x = 500) => [face('ann', x, 300)];
    // 0-2 s in view, 3-7 s gone (5 s), 8-9 s back
    const frames = [ann(), ann(), ann(), [], [], [], [], [], ann(), ann()];
    const { carried, published } = await follow(frames);
    expect(whoOf(carried)).toEqual([['ann'], ['ann']]);
    expect(published.filter((x) => x.reason === 'first').map((x) => [x.track, x.time])).toEqual([[1, 0], [2, 8000]]);

    // gone 2 s (under maxIdleMs 3 s), back at another spot: the same track (found by appearance), no new first publish
    const short = [ann(), ann(), [], [], ann(900)];
    const r = await follow(short);
    expect(whoOf(r.carried)).toEqual([['ann']]);
    expect(r.published.filter((x) => x.reason === 'first')).toHaveLength(1);
  });

  it('embeds a face that stays put about once per verifyEveryMs, not once per frame', async () => {
    const frames = Array.from({ length: 60 }, (_, i) => [face('ann', 500 + (i % 3), 300, { quality: 0.5 + (i % 7) / 100 })]);
    const { people: p, published } = await follow(frames, { verifyEveryMs: 10_000, publishPeriodMs: 60_000 });
    // born (1) + a check every 10 s (5) + the window's better shot at the end (1)
    expect(p.embeds).toBeLessThanOrEqual(8);
    expect(published.map((x) => x.reason)).toEqual(['first', 'better']);
  });

  it('faces under appearanceMinQuality are followed by motion and never embedded', async () => {
    const frames = Array.from({ length: 5 }, () => [face('ann', 500, 300, { quality: 0.1 })]);
    const { people: p, carried } = await follow(frames, { minQuality: 0.3 });
    expect(p.embeds).toBe(0);
    expect(whoOf(carried)).toEqual([['ann']]);
  });
});

describe('Tracker: best shot and publishing windows', () => {
  it('keeps the best-quality shot with its payload and time', async () => {
    const t = new Tracker<string>();
    await t.update(0, [det(100, 100, 0.4, 100, 100, 'f0')]);
    await t.update(1000, [det(105, 100, 0.9, 100, 100, 'f1')]);
    await t.update(2000, [det(110, 100, 0.6, 100, 100, 'f2')]);
    expect(t.tracks[0].best).toMatchObject({ time: 1000, quality: 0.9, payload: 'f1', box: { x: 105 } });
  });

  it('publishes a window\'s first good shot at once, its better shot when it closes, then one per later window', async () => {
    const t = new Tracker<string>({ publishPeriodMs: 3000, maxIdleMs: 5000 });
    const p = async (time: number, q: number, tag: string) => (await t.update(time, [det(100 + time / 100, 100, q, 100, 100, tag)])).publish;
    expect(await p(0, 0.3, 'a')).toEqual([expect.objectContaining({ trackId: 1, index: 0, reason: 'first', window: 0, windowStart: 0, shot: expect.objectContaining({ payload: 'a' }) })]);
    expect(await p(1000, 0.8, 'b')).toEqual([]);
    expect(await p(2000, 0.6, 'c')).toEqual([]);
    // window 0 closes: its better shot improves its record; window 1 opens
    expect(await p(3000, 0.5, 'd')).toEqual([expect.objectContaining({ index: 1, reason: 'better', window: 0, windowStart: 0, shot: expect.objectContaining({ payload: 'b', quality: 0.8, time: 1000 }) })]);
    expect(await p(4000, 0.45, 'e')).toEqual([]);
    expect(await p(5000, 0.4, 'f')).toEqual([]);
    // window 1 closes: its best shot (d, 0.5) is the record of the face's second period
    expect(await p(6000, 0.45, 'g')).toEqual([expect.objectContaining({ index: 2, reason: 'period', window: 1, windowStart: 3000, shot: expect.objectContaining({ payload: 'd' }) })]);
    // the track ends in window 2: its best so far (g) is published
    expect((await t.flush()).publish).toEqual([expect.objectContaining({ index: 3, reason: 'period', window: 2, windowStart: 6000, shot: expect.objectContaining({ payload: 'g' }) })]);
  });

  it('a face in front of the camera for a minute at 1 fps gives a message per period, not sixty', async () => {
    const t = new Tracker({ publishPeriodMs: 30_000 });
    let n = 0;
    for (let s = 0; s < 60; s++) n += (await t.update(s * 1000, [det(100 + (s % 3), 100, 0.5 + (s % 7) / 20)])).publish.length;
    n += (await t.flush()).publish.length;
    expect(n).toBeGreaterThanOrEqual(2);
    expect(n).toBeLessThanOrEqual(3);
  });

  it('when a track ends, publishes its window\'s better shot only if it beats the published one by minQualityGain', async () => {
    const mk = () => new Tracker<string>({ publishPeriodMs: 60_000, maxIdleMs: 1500, minQualityGain: 0.1 });
    const better = mk();
    await better.update(0, [det(100, 100, 0.5, 100, 100, 'first')]);
    await better.update(1000, [det(100, 100, 0.7, 100, 100, 'better')]);
    const u = await better.update(3000, []);
    expect(u.ended.map((x) => x.id)).toEqual([1]);
    expect(u.publish).toEqual([expect.objectContaining({ trackId: 1, index: 1, reason: 'better', window: 0, shot: expect.objectContaining({ payload: 'better' }) })]);

    const notBetter = mk();
    await notBetter.update(0, [det(100, 100, 0.5)]);
    await notBetter.update(1000, [det(100, 100, 0.55)]);
    const v = await notBetter.update(3000, []);
    expect(v.ended).toHaveLength(1);
    expect(v.publish).toEqual([]);
  });

  it('settleMs delays the first publish to let a better shot come', async () => {
    const t = new Tracker<string>({ settleMs: 1500 });
    expect((await t.update(0, [det(100, 100, 0.3, 100, 100, 'a')])).publish).toEqual([]);
    expect((await t.update(1000, [det(100, 100, 0.9, 100, 100, 'b')])).publish).toEqual([]);
    const u = await t.update(2000, [det(100, 100, 0.5, 100, 100, 'c')]);
    expect(u.publish).toEqual([expect.objectContaining({ reason: 'first', windowStart: 1000, shot: expect.objectContaining({ payload: 'b' }) })]);
  });

  it('a track that ends before settleMs is still published once, with its best shot', async () => {
    const t = new Tracker<string>({ settleMs: 5000, maxIdleMs: 1000 });
    await t.update(0, [det(100, 100, 0.6, 100, 100, 'a')]);
    await t.update(500, [det(100, 100, 0.4, 100, 100, 'b')]);
    expect((await t.update(2000, [])).publish).toEqual([expect.objectContaining({ index: 0, reason: 'first', shot: expect.objectContaining({ payload: 'a' }) })]);
  });

  it('never publishes shots below minQuality, and publishes as soon as a good one comes', async () => {
    const t = new Tracker({ minQuality: 0.5, maxIdleMs: 1000 });
    expect((await t.update(0, [det(100, 100, 0.2)])).publish).toEqual([]);
    expect((await t.update(500, [det(100, 100, 0.3)])).publish).toEqual([]);
    expect((await t.update(1000, [det(100, 100, 0.6)])).publish).toEqual([expect.objectContaining({ trackId: 1, index: 0, windowStart: 1000 })]);
    const low = new Tracker({ minQuality: 0.5, maxIdleMs: 1000 });
    await low.update(0, [det(100, 100, 0.2)]);
    expect((await low.update(5000, [])).publish).toEqual([]);
  });

  it('flush ends every track and publishes what the end rule says', async () => {
    const t = new Tracker<string>({ settleMs: 10_000 });
    await t.update(0, [det(100, 100, 0.5, 100, 100, 'a'), det(600, 100, 0.7, 100, 100, 'b')]);
    const f = await t.flush();
    expect(f.ended.map((x) => x.id)).toEqual([1, 2]);
    expect(f.publish.map((p) => [p.trackId, p.shot.payload])).toEqual([[1, 'a'], [2, 'b']]);
    expect(t.tracks).toEqual([]);
  });

  it('a published shot carries its embedding, computed once', async () => {
    const p = people();
    const t = new Tracker<string>({}, p.embed);
    const u = await t.update(0, [face('ann', 100, 100)]);
    expect(u.publish[0].shot.embedding).toBeInstanceOf(Float32Array);
    expect(u.embedded).toBe(1);
    expect(p.embeds).toBe(1);
  });
});
