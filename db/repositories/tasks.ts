/** Tasks with their camera lists (1 entrance, 2 exit) and libraries, kept in link tables. */
import { and, asc, count, desc, eq, inArray, sql, type SQL } from 'drizzle-orm';
import type { Orm } from '../client.ts';
import { cameras, libraries, persons, taskCameras, taskLibraries, tasks } from '../schema.ts';
import { AppError } from '../../core/errors.ts';
import { contains, offsetOf, onMissingReference, type Page, type Tx } from './util.ts';

/** A camera or library deleted between the service's check and the insert. */
const gone = {
  task_cameras_camera_id_cameras_id_fk: () => new AppError('CAMERA_NOT_FOUND', 'camera_list: a camera was deleted meanwhile'),
  task_libraries_lib_id_libraries_id_fk: () => new AppError('LIBRARY_NOT_FOUND', 'lib_list: a library was deleted meanwhile'),
};

export type TaskRow = typeof tasks.$inferSelect;
export type TaskFields = {
  name: string; type: number; intervalMs: number; threshold: number; plan: string; remark: string;
  /** default 0 (the columns' defaults) */
  alarmStranger?: number; lateGrace?: number; earlyGrace?: number;
};
export type TaskLinks = { cameraList1?: number[]; cameraList2?: number[]; libList?: number[] };

async function writeLinks(tx: Tx, taskId: number, links: TaskLinks): Promise<void> {
  for (const [list, ids] of [[1, links.cameraList1], [2, links.cameraList2]] as const) {
    if (!ids) continue;
    await tx.delete(taskCameras).where(and(eq(taskCameras.taskId, taskId), eq(taskCameras.list, list)));
    if (ids.length) await tx.insert(taskCameras).values(ids.map((cameraId, position) => ({ taskId, cameraId, list, position })));
  }
  if (links.libList) {
    await tx.delete(taskLibraries).where(eq(taskLibraries.taskId, taskId));
    if (links.libList.length) await tx.insert(taskLibraries).values(links.libList.map((libId, position) => ({ taskId, libId, position })));
  }
}

export function createTasksRepo(orm: Orm) {
  /**
   * What the matcher copies into each record, in one prepared statement: it runs for every face
   * message, and on the embedded engine each statement is a round trip to its thread (three of them
   * here were a tenth of the matcher's database work on bench:stream). Library ids as text: the
   * driver reads no array columns (db/client.ts, fetch_types).
   */
  const matchContextQuery = orm.select({
    name: tasks.name, threshold: tasks.threshold, alarmStranger: tasks.alarmStranger,
    // qualified by hand: drizzle leaves the columns of a one-table query unqualified
    libIds: sql<string>`(select string_agg(tl.lib_id::text, ',') from ${taskLibraries} tl where tl.task_id = ${sql.placeholder('taskId')}
      and exists (select 1 from ${persons} p where p.lib_id = tl.lib_id))`,
    cameraName: sql<string | null>`(select c.name from ${cameras} c where c.id = ${sql.placeholder('cameraId')})`,
  }).from(tasks).where(eq(tasks.id, sql.placeholder('taskId'))).prepare('tasks_match_context');
  return {
    async insert(t: TaskFields, links: Required<TaskLinks>): Promise<number> {
      return onMissingReference(() => orm.transaction(async (tx) => {
        const [row] = await tx.insert(tasks).values(t).returning({ id: tasks.id });
        await writeLinks(tx, row.id, links);
        return row.id;
      }), gone);
    },
    async find(id: number): Promise<TaskRow | undefined> {
      const [row] = await orm.select().from(tasks).where(eq(tasks.id, id));
      return row;
    },
    async update(id: number, patch: Partial<TaskFields>, links: TaskLinks): Promise<boolean> {
      return onMissingReference(() => orm.transaction(async (tx) => {
        const [row] = await tx.select({ id: tasks.id }).from(tasks).where(eq(tasks.id, id)).for('update');
        if (!row) return false;
        if (Object.keys(patch).length) await tx.update(tasks).set(patch).where(eq(tasks.id, id));
        await writeLinks(tx, id, links);
        return true;
      }), gone);
    },
    async cameraLists(id: number): Promise<{ list1: number[]; list2: number[] }> {
      const rows = await orm.select({ list: taskCameras.list, cameraId: taskCameras.cameraId }).from(taskCameras).where(eq(taskCameras.taskId, id));
      return { list1: rows.filter((r) => r.list === 1).map((r) => r.cameraId), list2: rows.filter((r) => r.list === 2).map((r) => r.cameraId) };
    },
    /** 'running' refuses: stop it first */
    async delete(id: number): Promise<'ok' | 'running' | 'not-found'> {
      return orm.transaction(async (tx) => {
        const [row] = await tx.select({ state: tasks.state }).from(tasks).where(eq(tasks.id, id)).for('update');
        if (!row) return 'not-found' as const;
        if (row.state === 1) return 'running' as const;
        await tx.delete(tasks).where(eq(tasks.id, id));
        return 'ok' as const;
      });
    },
    /** desired state (StartTask / StopTask): 0 stopped, 1 running */
    async setState(id: number, state: 0 | 1): Promise<boolean> {
      return orm.transaction(async (tx) => {
        const rows = await tx.update(tasks).set({ state }).where(eq(tasks.id, id)).returning({ id: tasks.id });
        // a stopped task has no open stream, whatever a node reported last
        if (rows.length && state === 0) await tx.update(taskCameras).set({ state: 0 }).where(eq(taskCameras.taskId, id));
        return rows.length > 0;
      });
    },
    /** The started tasks (state 1) with what a stream node needs: interval, plan, cameras' rtsp and list. */
    async started() {
      const rows = await orm.select({ id: tasks.id, intervalMs: tasks.intervalMs, plan: tasks.plan }).from(tasks).where(eq(tasks.state, 1)).orderBy(asc(tasks.id));
      const ids = rows.map((r) => r.id);
      const cams = ids.length ? await orm.select({ taskId: taskCameras.taskId, cameraId: taskCameras.cameraId, list: taskCameras.list, rtsp: cameras.rtsp })
        .from(taskCameras).innerJoin(cameras, eq(cameras.id, taskCameras.cameraId))
        .where(inArray(taskCameras.taskId, ids)).orderBy(asc(taskCameras.list), asc(taskCameras.position)) : [];
      return rows.map((t) => ({ ...t, cameras: cams.filter((c) => c.taskId === t.id) }));
    },
    /** What a report needs of a task: its type, plan, graces, and whether it has an exit list. */
    async reportContext(taskId: number) {
      const [task] = await orm.select({
        id: tasks.id, name: tasks.name, type: tasks.type, plan: tasks.plan, lateGrace: tasks.lateGrace, earlyGrace: tasks.earlyGrace,
      }).from(tasks).where(eq(tasks.id, taskId));
      if (!task) return undefined;
      const [exit] = await orm.select({ one: sql`1` }).from(taskCameras).where(and(eq(taskCameras.taskId, taskId), eq(taskCameras.list, 2))).limit(1);
      return { ...task, hasExitList: !!exit };
    },
    /**
     * What the matcher copies into a record: the task's name and threshold, the camera's name, and
     * the task's libraries to search: those that hold a person (an empty one can match no one, and
     * with none the nearest-person search, a transaction of its own, is not run at all).
     */
    async matchContext(taskId: number, cameraId: number) {
      const [task] = await matchContextQuery.execute({ taskId, cameraId });
      if (!task) return undefined;
      return {
        taskName: task.name, threshold: task.threshold, alarmStranger: task.alarmStranger === 1,
        libIds: task.libIds ? task.libIds.split(',').map(Number) : [], cameraName: task.cameraName ?? '',
      };
    },
    async list(f: { name?: string; type?: number; state?: number }, page: Page) {
      const conds: SQL[] = [];
      if (f.name) conds.push(contains(tasks.name, f.name));
      if (f.type !== undefined) conds.push(eq(tasks.type, f.type));
      if (f.state !== undefined) conds.push(eq(tasks.state, f.state));
      const where = and(...conds);
      const [{ n }] = await orm.select({ n: count() }).from(tasks).where(where);
      const rows = await orm.select().from(tasks).where(where)
        .orderBy(desc(tasks.createTime), desc(tasks.id)).limit(page.pageSize).offset(offsetOf(page));
      const ids = rows.map((r) => r.id);
      const cams = ids.length ? await orm.select({
        taskId: taskCameras.taskId, list: taskCameras.list, cameraId: taskCameras.cameraId, name: cameras.name, state: taskCameras.state,
      }).from(taskCameras).innerJoin(cameras, eq(cameras.id, taskCameras.cameraId))
        .where(inArray(taskCameras.taskId, ids)).orderBy(asc(taskCameras.position)) : [];
      const libs = ids.length ? await orm.select({ taskId: taskLibraries.taskId, libId: taskLibraries.libId, name: libraries.name })
        .from(taskLibraries).innerJoin(libraries, eq(libraries.id, taskLibraries.libId))
        .where(inArray(taskLibraries.taskId, ids)).orderBy(asc(taskLibraries.position)) : [];
      return {
        total: Number(n),
        rows: rows.map((t) => ({
          ...t,
          cameraList1: cams.filter((c) => c.taskId === t.id && c.list === 1),
          cameraList2: cams.filter((c) => c.taskId === t.id && c.list === 2),
          libList: libs.filter((l) => l.taskId === t.id),
        })),
      };
    },
  };
}
export type TasksRepo = ReturnType<typeof createTasksRepo>;
