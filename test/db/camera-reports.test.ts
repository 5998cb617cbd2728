/**
 * cameras.reportState, the camera-state worker's write: a report that changes nothing (a node's
 * lease tick, almost all of them) takes one statement, a change the full transaction; both leave the
 * same state behind.
 */
import { describe, expect, it } from 'vitest';
import { eq, sql } from 'drizzle-orm';
import { alarms, cameras, taskCameras, tasks } from '../../db/schema.ts';
import type { CameraChange } from '../../db/repositories/cameras.ts';
import { memoryDatabase } from './helpers.ts';

const t = memoryDatabase();

async function seed() {
  const cam = await t.repos.cameras.insert({ name: 'gate', rtsp: 'rtsp://10.0.0.9/gate', type: 0, remark: '' });
  const task = async (state: number) => (await t.db.orm.insert(tasks).values({ name: `t${state}`, intervalMs: 1000, threshold: 0.8, state }).returning({ id: tasks.id }))[0].id;
  const [a, b, stopped] = [await task(1), await task(1), await task(0)];
  await t.db.orm.insert(taskCameras).values([a, b, stopped].map((taskId, i) => ({ taskId, cameraId: cam, list: 1, position: i })));
  return { cam, a, b, stopped };
}
const states = async (cam: number) => Object.fromEntries((await t.db.orm.select({ t: taskCameras.taskId, s: taskCameras.state }).from(taskCameras)
  .where(eq(taskCameras.cameraId, cam))).map((r) => [r.t, r.s]));
const camera = async (cam: number) => (await t.db.orm.select().from(cameras).where(eq(cameras.id, cam)))[0];
/** each task camera row's version: a row written again has another */
const versions = async (cam: number) => (await t.db.orm.select({ t: taskCameras.taskId, v: sql<string>`xmin::text` }).from(taskCameras)
  .where(eq(taskCameras.cameraId, cam))).map((r) => `${r.t}:${r.v}`).sort();

describe('cameras.reportState', () => {
  it('a report that changes nothing refreshes last_seen and the task states, logs nothing and raises nothing', async () => {
    const { cam, a, b, stopped } = await seed();
    const changes: CameraChange[] = [];
    const events = (c: CameraChange) => { changes.push(c); return []; };
    expect(await t.repos.cameras.reportState(cam, true, [a], events)).toBe(true);
    expect(changes).toHaveLength(1);
    expect(await states(cam)).toEqual({ [a]: 1, [b]: 0, [stopped]: 0 });
    const first = await camera(cam);

    await new Promise((r) => setTimeout(r, 20));
    // the node now reads it for b too (and for the stopped task, which stays closed)
    expect(await t.repos.cameras.reportState(cam, true, [a, b, stopped], events)).toBe(false);
    expect(changes).toHaveLength(1);
    expect(await states(cam)).toEqual({ [a]: 1, [b]: 1, [stopped]: 0 });
    const second = await camera(cam);
    expect(second.lastSeen!.getTime()).toBeGreaterThan(first.lastSeen!.getTime());
    expect(second.onlineChanged).toEqual(first.onlineChanged);

    // the same report again: no task camera row is written
    const before = await versions(cam);
    expect(await t.repos.cameras.reportState(cam, true, [a, b, stopped], events)).toBe(false);
    expect(await versions(cam)).toEqual(before);

    // no task read any more: all closed
    expect(await t.repos.cameras.reportState(cam, true, [], events)).toBe(false);
    expect(await states(cam)).toEqual({ [a]: 0, [b]: 0, [stopped]: 0 });
    expect(changes).toHaveLength(1);
  });

  it('a change takes the transaction: offline closes the tasks, online again with an open offline alarm raises "back"', async () => {
    const { cam, a, b } = await seed();
    const changes: CameraChange[] = [];
    const events = (c: CameraChange) => { changes.push(c); return []; };
    await t.repos.cameras.reportState(cam, true, [a, b], events);
    expect(await t.repos.cameras.reportState(cam, false, [a, b], events)).toBe(true);
    expect((await camera(cam)).online).toBe(0);
    expect(await states(cam)).toMatchObject({ [a]: 0, [b]: 0 });
    // still offline: no change, nothing opens
    expect(await t.repos.cameras.reportState(cam, false, [a, b], events)).toBe(false);
    expect(await states(cam)).toMatchObject({ [a]: 0, [b]: 0 });

    await t.db.orm.update(cameras).set({ healthAlarm: 1 }).where(eq(cameras.id, cam)); // task control raised "offline"
    expect(await t.repos.cameras.reportState(cam, true, [b], events)).toBe(true);
    expect(changes.map((c) => [c.online, c.alarm?.type])).toEqual([[true, undefined], [false, undefined], [true, 4]]);
    expect(await camera(cam)).toMatchObject({ online: 1, healthAlarm: 0 });
    expect(await states(cam)).toMatchObject({ [a]: 0, [b]: 1 });
    expect(await t.db.orm.select({ type: alarms.type }).from(alarms).where(eq(alarms.cameraId, cam))).toEqual([{ type: 4 }]);
  });

  it('a camera that is gone is no change', async () => {
    expect(await t.repos.cameras.reportState(999_999, true, [])).toBe(false);
    expect(await t.repos.cameras.reportState(999_999, false, [])).toBe(false);
  });
});
