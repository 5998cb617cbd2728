/** The live wall's list (console/src/lib/wall.ts): first read and live captures merged, filters. */
import { describe, expect, it } from 'vitest';
import { mergeCaptures, wallQuery, wallShows, type WallCapture } from '../../console/src/lib/wall.ts';

const rec = (record_id: number, capture_time: string, more: Partial<WallCapture> = {}): WallCapture =>
  ({ record_id, task_id: 1, classify: 1, category: 0, capture_time, ...more });

describe('mergeCaptures', () => {
  it('newest capture first, each record once (the first read and the stream overlap), at most max', () => {
    const first = [rec(3, '2024-05-01 08:00:03'), rec(2, '2024-05-01 08:00:02'), rec(1, '2024-05-01 08:00:01')];
    const live = [rec(3, '2024-05-01 08:00:03', { live: true }), rec(4, '2024-05-01 08:00:04', { live: true })];
    const wall = mergeCaptures(first, live, 3);
    expect(wall.map((r) => r.record_id)).toEqual([4, 3, 2]);
    expect(wall.find((r) => r.record_id === 3)!.live).toBeUndefined(); // kept as first shown
  });
  it('a live capture that arrives before the first read is kept when the read lands', () => {
    const wall = mergeCaptures([rec(9, '2024-05-01 09:00:00', { live: true })], [rec(8, '2024-05-01 08:59:00'), rec(7, '2024-05-01 08:58:00')], 10);
    expect(wall.map((r) => [r.record_id, !!r.live])).toEqual([[9, true], [8, false], [7, false]]);
  });
  it('same second: the newer record first', () => {
    expect(mergeCaptures([rec(5, '2024-05-01 08:00:00')], [rec(6, '2024-05-01 08:00:00')], 5).map((r) => r.record_id)).toEqual([6, 5]);
  });
});

describe('wallShows / wallQuery', () => {
  const black = rec(1, 't', { category: 1 });
  const white = rec(2, 't');
  const stranger = rec(3, 't', { classify: 0, category: 0, task_id: 2 });
  it('filters by result and task', () => {
    expect([black, white, stranger].filter((r) => wallShows(r, { kind: 'all' })).length).toBe(3);
    expect([black, white, stranger].filter((r) => wallShows(r, { kind: 'matched' }))).toEqual([black, white]);
    expect([black, white, stranger].filter((r) => wallShows(r, { kind: 'stranger' }))).toEqual([stranger]);
    expect([black, white, stranger].filter((r) => wallShows(r, { kind: 'black' }))).toEqual([black]);
    expect([black, white, stranger].filter((r) => wallShows(r, { kind: 'all', taskId: 2 }))).toEqual([stranger]);
    // a stranger's category is not a blacklist hit even if a field says 1
    expect(wallShows(rec(4, 't', { classify: 0, category: 1 }), { kind: 'black' })).toBe(false);
  });
  it('asks the server for what it can filter', () => {
    expect(wallQuery('all')).toEqual({});
    expect(wallQuery('stranger')).toEqual({ classify: 0 });
    expect(wallQuery('black')).toEqual({ classify: 1 });
  });
});
