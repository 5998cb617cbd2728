import { describe, expect, it } from 'vitest';
import { iou, Tracker, type Detection } from '../../stream-node/track/tracker.ts';

const det = (x: number, y: number, quality = 0.5, w = 100, h = 100, payload?: string): Detection<string> => ({ box: { x, y, width: w, height: h }, quality, payload });

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

describe('Tracker: identity', () => {
  it('keeps stable ids for faces that move a little between frames', () => {
    const t = new Tracker<string>();
    const u0 = t.update(0, [det(100, 100), det(600, 100)]);
    expect(u0.assigned).toEqual([1, 2]);
    // listed in the other order, both moved 10 px
    const u1 = t.update(1000, [det(610, 105), det(110, 100)]);
    expect(u1.assigned).toEqual([2, 1]);
    const u2 = t.update(2000, [det(120, 100), det(620, 110)]);
    expect(u2.assigned).toEqual([1, 2]);
    expect(u2.tracks.map((x) => [x.id, x.hits])).toEqual([[1, 3], [2, 3]]);
  });

  it('gives a track to the detection that overlaps it most; the other starts a new track', () => {
    const t = new Tracker();
    t.update(0, [det(100, 100)]);
    const u = t.update(1000, [det(160, 100), det(105, 100)]);
    expect(u.assigned).toEqual([2, 1]);
  });

  it('at 1 fps, follows a face that moved more than its width (centre distance fallback)', () => {
    const t = new Tracker();
    t.update(0, [det(100, 100)]);
    const u = t.update(1000, [det(220, 110)]); // IoU 0, centre 1.2 box sizes away
    expect(u.assigned).toEqual([1]);
  });

  it('without the fallback, or when the jump is too far or the size too different, starts a new track', () => {
    const noFallback = new Tracker({ maxCentroidDistance: 0 });
    noFallback.update(0, [det(100, 100)]);
    expect(noFallback.update(1000, [det(220, 110)]).assigned).toEqual([2]);

    const far = new Tracker({ maxCentroidDistance: 1.5 });
    far.update(0, [det(100, 100)]);
    expect(far.update(1000, [det(300, 100)]).assigned).toEqual([2]); // 2 box sizes

    const sized = new Tracker();
    sized.update(0, [det(100, 100)]);
    expect(sized.update(1000, [det(150, 100, 0.5, 200, 200)]).assigned).toEqual([2]); // 4x the area, IoU 0.25
  });

  it('prefers the overlapping pairing over a nearer-centred jump, one detection per track', () => {
    const t = new Tracker();
    t.update(0, [det(0, 0), det(300, 0)]);
    // face 1 moved into IoU range of its old box, face 2 jumped left by 1.3 sizes
    const u = t.update(1000, [det(40, 0), det(170, 0)]);
    expect(u.assigned).toEqual([1, 2]);
  });

  it('ends a track unseen for more than maxIdleMs; the face coming back is a new track', () => {
    const t = new Tracker({ maxIdleMs: 2000 });
    t.update(0, [det(100, 100)]);
    expect(t.update(1000, []).ended).toEqual([]);
    expect(t.update(2000, []).ended).toEqual([]); // exactly maxIdleMs: still alive
    const u = t.update(2500, [det(100, 100)]);
    expect(u.ended.map((x) => x.id)).toEqual([1]);
    expect(u.assigned).toEqual([2]);
    expect(t.tracks.map((x) => x.id)).toEqual([2]);
  });

  it('a track missed in a frame or two continues when it is seen again in time', () => {
    const t = new Tracker({ maxIdleMs: 3000 });
    t.update(0, [det(100, 100)]);
    t.update(1000, []);
    t.update(2000, []);
    expect(t.update(3000, [det(110, 100)]).assigned).toEqual([1]);
  });

  it('refuses frame times that go backwards', () => {
    const t = new Tracker();
    t.update(1000, []);
    expect(() => t.update(999, [])).toThrow(RangeError);
  });
});

describe('Tracker: best shot and publishing', () => {
  it('keeps the best-quality shot with its payload and time', () => {
    const t = new Tracker<string>();
    t.update(0, [det(100, 100, 0.4, 100, 100, 'f0')]);
    t.update(1000, [det(105, 100, 0.9, 100, 100, 'f1')]);
    t.update(2000, [det(110, 100, 0.6, 100, 100, 'f2')]);
    expect(t.tracks[0].best).toMatchObject({ time: 1000, quality: 0.9, payload: 'f1', box: { x: 105 } });
  });

  it('publishes a new track at once, then at most once per period with the best shot since', () => {
    const t = new Tracker<string>({ publishPeriodMs: 3000, maxIdleMs: 5000 });
    const p = (time: number, q: number, tag: string) => t.update(time, [det(100 + time / 100, 100, q, 100, 100, tag)]).publish;
    expect(p(0, 0.3, 'a')).toEqual([expect.objectContaining({ trackId: 1, index: 0, reason: 'first', shot: expect.objectContaining({ payload: 'a' }) })]);
    expect(p(1000, 0.8, 'b')).toEqual([]);
    expect(p(2000, 0.6, 'c')).toEqual([]);
    const third = p(3000, 0.5, 'd');
    expect(third).toHaveLength(1);
    expect(third[0]).toMatchObject({ index: 1, reason: 'period', shot: { payload: 'b', quality: 0.8, time: 1000 } });
    expect(p(4000, 0.4, 'e')).toEqual([]);
    expect(p(5000, 0.4, 'f')).toEqual([]);
    expect(p(6000, 0.45, 'g')).toEqual([expect.objectContaining({ index: 2, shot: expect.objectContaining({ payload: 'g' }) })]);
  });

  it('a face in front of the camera for a minute at 1 fps gives one message per period, not sixty', () => {
    const t = new Tracker({ publishPeriodMs: 30_000 });
    let n = 0;
    for (let s = 0; s < 60; s++) n += t.update(s * 1000, [det(100 + (s % 3), 100, 0.5 + (s % 7) / 20)]).publish.length;
    n += t.flush().publish.length;
    expect(n).toBeGreaterThanOrEqual(2);
    expect(n).toBeLessThanOrEqual(3);
  });

  it('when a track ends, publishes its unpublished best only if it beats the published one by minQualityGain', () => {
    const mk = () => new Tracker<string>({ publishPeriodMs: 60_000, maxIdleMs: 1500, minQualityGain: 0.1 });
    const better = mk();
    better.update(0, [det(100, 100, 0.5, 100, 100, 'first')]);
    better.update(1000, [det(100, 100, 0.7, 100, 100, 'better')]);
    const u = better.update(3000, []);
    expect(u.ended.map((x) => x.id)).toEqual([1]);
    expect(u.publish).toEqual([expect.objectContaining({ trackId: 1, index: 1, reason: 'end', shot: expect.objectContaining({ payload: 'better' }) })]);

    const notBetter = mk();
    notBetter.update(0, [det(100, 100, 0.5)]);
    notBetter.update(1000, [det(100, 100, 0.55)]);
    const v = notBetter.update(3000, []);
    expect(v.ended).toHaveLength(1);
    expect(v.publish).toEqual([]);
  });

  it('settleMs delays the first publish to let a better shot come', () => {
    const t = new Tracker<string>({ settleMs: 1500 });
    expect(t.update(0, [det(100, 100, 0.3, 100, 100, 'a')]).publish).toEqual([]);
    expect(t.update(1000, [det(100, 100, 0.9, 100, 100, 'b')]).publish).toEqual([]);
    const u = t.update(2000, [det(100, 100, 0.5, 100, 100, 'c')]);
    expect(u.publish).toEqual([expect.objectContaining({ reason: 'first', shot: expect.objectContaining({ payload: 'b' }) })]);
  });

  it('a track that ends before settleMs is still published once, with its best shot', () => {
    const t = new Tracker<string>({ settleMs: 5000, maxIdleMs: 1000 });
    t.update(0, [det(100, 100, 0.6, 100, 100, 'a')]);
    t.update(500, [det(100, 100, 0.4, 100, 100, 'b')]);
    expect(t.update(2000, []).publish).toEqual([expect.objectContaining({ index: 0, reason: 'first', shot: expect.objectContaining({ payload: 'a' }) })]);
  });

  it('never publishes shots below minQuality, and publishes as soon as a good one comes', () => {
    const t = new Tracker({ minQuality: 0.5, maxIdleMs: 1000 });
    expect(t.update(0, [det(100, 100, 0.2)]).publish).toEqual([]);
    expect(t.update(500, [det(100, 100, 0.3)]).publish).toEqual([]);
    expect(t.update(1000, [det(100, 100, 0.6)]).publish).toEqual([expect.objectContaining({ trackId: 1, index: 0 })]);
    const low = new Tracker({ minQuality: 0.5, maxIdleMs: 1000 });
    low.update(0, [det(100, 100, 0.2)]);
    expect(low.update(5000, []).publish).toEqual([]);
  });

  it('flush ends every track and publishes what the end rule says', () => {
    const t = new Tracker<string>({ settleMs: 10_000 });
    t.update(0, [det(100, 100, 0.5, 100, 100, 'a'), det(600, 100, 0.7, 100, 100, 'b')]);
    const f = t.flush();
    expect(f.ended.map((x) => x.id)).toEqual([1, 2]);
    expect(f.publish.map((p) => [p.trackId, p.shot.payload])).toEqual([[1, 'a'], [2, 'b']]);
    expect(t.tracks).toEqual([]);
  });
});
