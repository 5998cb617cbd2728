/** Cameras. `online` is measured elsewhere (stream nodes / probes); the API only reads it. */
import { and, count, desc, eq, inArray, isNull, lt, notInArray, or, sql, type SQL } from 'drizzle-orm';
import type { Orm } from '../client.ts';
import { cameras, taskCameras, tasks } from '../schema.ts';
import { contains, FOREIGN_KEY_VIOLATION, offsetOf, pgCode, type Page } from './util.ts';

export type CameraRow = typeof cameras.$inferSelect;
export type CameraFields = { name: string; rtsp: string; type: number; remark: string };

export function createCamerasRepo(orm: Orm) {
  return {
    async insert(c: CameraFields): Promise<number> {
      const [row] = await orm.insert(cameras).values(c).returning({ id: cameras.id });
      return row.id;
    },
    async find(id: number): Promise<CameraRow | undefined> {
      const [row] = await orm.select().from(cameras).where(eq(cameras.id, id));
      return row;
    },
    async existing(ids: number[]): Promise<number[]> {
      if (!ids.length) return [];
      const rows = await orm.select({ id: cameras.id }).from(cameras).where(inArray(cameras.id, ids));
      return rows.map((r) => r.id);
    },
    async update(id: number, patch: Partial<CameraFields>): Promise<boolean> {
      if (!Object.keys(patch).length) return !!(await this.find(id));
      const rows = await orm.update(cameras).set(patch).where(eq(cameras.id, id)).returning({ id: cameras.id });
      return rows.length > 0;
    },
    /** 'in-use' when a task lists it (also when a task grabs it concurrently: the foreign key says so) */
    async delete(id: number): Promise<'ok' | 'in-use' | 'not-found'> {
      const [used] = await orm.select({ one: sql`1` }).from(taskCameras).where(eq(taskCameras.cameraId, id)).limit(1);
      if (used) return 'in-use';
      try {
        const rows = await orm.delete(cameras).where(eq(cameras.id, id)).returning({ id: cameras.id });
        return rows.length ? 'ok' : 'not-found';
      } catch (e) {
        if (pgCode(e) === FOREIGN_KEY_VIOLATION) return 'in-use';
        throw e;
      }
    },
    /**
     * A stream node's report on a camera: `online` for the camera, and for each task using it whether
     * its stream is open in that task (only the tasks the node reads it for, and only while online).
     */
    async reportState(cameraId: number, online: boolean, taskIds: number[]): Promise<void> {
      await orm.transaction(async (tx) => {
        await tx.update(cameras).set({ online: online ? 1 : 0, lastSeen: sql`now()` }).where(eq(cameras.id, cameraId));
        // only started tasks: a report sent just before StopTask reached the node must not reopen it
        const started = tx.select({ id: tasks.id }).from(tasks).where(and(inArray(tasks.id, taskIds), eq(tasks.state, 1)));
        const open = online && taskIds.length ? inArray(taskCameras.taskId, started) : sql`false`;
        await tx.update(taskCameras).set({ state: sql`CASE WHEN ${open} THEN 1 ELSE 0 END` }).where(eq(taskCameras.cameraId, cameraId));
      });
    },
    /**
     * What no node reports on any more is not open: cameras unreported since `staleBefore` go offline,
     * and a task camera is closed when its camera is offline or its task is not among `activeTaskIds`.
     */
    async expireStates(staleBefore: Date, activeTaskIds: number[]): Promise<void> {
      await orm.transaction(async (tx) => {
        await tx.update(cameras).set({ online: 0 })
          .where(and(eq(cameras.online, 1), or(isNull(cameras.lastSeen), lt(cameras.lastSeen, staleBefore))));
        const offline = tx.select({ id: cameras.id }).from(cameras).where(eq(cameras.online, 0));
        await tx.update(taskCameras).set({ state: 0 }).where(and(
          eq(taskCameras.state, 1),
          or(inArray(taskCameras.cameraId, offline), activeTaskIds.length ? notInArray(taskCameras.taskId, activeTaskIds) : sql`true`),
        ));
      });
    },
    /** cameras online now, and all cameras (for /metrics) */
    async countOnline(): Promise<{ online: number; total: number }> {
      const [r] = await orm.select({ online: sql<number>`count(*) filter (where ${cameras.online} = 1)::int`, total: sql<number>`count(*)::int` }).from(cameras);
      return { online: Number(r.online), total: Number(r.total) };
    },

    async list(f: { name?: string; type?: number }, page: Page) {
      const conds: SQL[] = [];
      if (f.type !== undefined) conds.push(eq(cameras.type, f.type));
      if (f.name) conds.push(contains(cameras.name, f.name));
      const where = and(...conds);
      const [{ n }] = await orm.select({ n: count() }).from(cameras).where(where);
      const rows = await orm.select().from(cameras).where(where)
        .orderBy(desc(cameras.createTime), desc(cameras.id)).limit(page.pageSize).offset(offsetOf(page));
      return { total: Number(n), rows };
    },
  };
}
export type CamerasRepo = ReturnType<typeof createCamerasRepo>;
