/** Cameras. `online` is measured elsewhere (stream nodes / probes); the API only reads it. */
import { and, asc, count, desc, eq, inArray, isNull, lt, lte, notInArray, or, sql, type Placeholder, type SQL } from 'drizzle-orm';
import type { Orm } from '../client.ts';
import { cameras, taskCameras, tasks } from '../schema.ts';
import { insertAlarm, type AlarmRow } from './alarms.ts';
import { appendEvents, type NewEvent } from './events.ts';
import { contains, FOREIGN_KEY_VIOLATION, offsetOf, pgCode, type Page, type Tx } from './util.ts';

export type CameraRow = typeof cameras.$inferSelect;
export type CameraFields = { name: string; rtsp: string; type: number; remark: string };

/** A camera's measured state changed (`stateChanged`: online/offline) and/or its health alarm was raised. */
export type CameraChange = { cameraId: number; cameraName: string; online: boolean; stateChanged: boolean; time: Date; alarm?: AlarmRow };
/** the events to log for a change, in its transaction */
export type CameraEvents = (change: CameraChange) => NewEvent[];

/** The running task a camera health alarm names: the lowest id among `taskIds` (or any started one) using the camera. */
async function taskOf(tx: Tx, cameraId: number, taskIds?: number[]): Promise<{ id: number; name: string }> {
  const [t] = await tx.select({ id: tasks.id, name: tasks.name }).from(taskCameras).innerJoin(tasks, eq(tasks.id, taskCameras.taskId))
    .where(and(eq(taskCameras.cameraId, cameraId), taskIds ? (taskIds.length ? inArray(tasks.id, taskIds) : sql`false`) : eq(tasks.state, 1)))
    .orderBy(asc(tasks.id)).limit(1);
  return t ?? { id: 0, name: '' };
}

async function healthAlarm(tx: Tx, type: 3 | 4, camera: { id: number; name: string }, time: Date, taskIds?: number[]): Promise<AlarmRow> {
  const task = await taskOf(tx, camera.id, taskIds);
  return insertAlarm(tx, { type, alarmTime: time, taskId: task.id, taskName: task.name, cameraId: camera.id, cameraName: camera.name });
}

/**
 * A task camera's stream state after a report: open (1) for the tasks the node reads the camera for
 * (`taskIds`: an int[] of them), while it is online (`online`: 0/1); only started tasks: a report
 * sent just before StopTask reached the node must not reopen it.
 */
function taskCameraState(q: Orm | Tx, online: SQL | Placeholder, taskIds: SQL | Placeholder): SQL<number> {
  const started = q.select({ id: tasks.id }).from(tasks).where(and(sql`${tasks.id} = ANY(${taskIds})`, eq(tasks.state, 1)));
  return sql<number>`CASE WHEN ${online} = 1 AND ${inArray(taskCameras.taskId, started)} THEN 1 ELSE 0 END`;
}
/** ids as an int[] parameter: one statement for any number of them */
const intArray = (ids: number[]) => `{${ids.map((id) => Math.trunc(id)).join(',')}}`;

/**
 * A report that does not change `online`, in one statement prepared once: last_seen now, and the
 * camera's task states set (only the rows whose state differs are written: PGlite has no
 * autovacuum, and a tick per camera per second would leave a dead row each). Answers the camera's
 * row when `online` was already as reported; no row (and nothing written) when it changes or the
 * camera is gone.
 */
function unchangedReport(orm: Orm) {
  const online = sql`${sql.placeholder('online')}::smallint`;
  const seen = orm.$with('seen').as(orm.update(cameras).set({ lastSeen: sql`now()` })
    .where(and(eq(cameras.id, sql.placeholder('cameraId')), sql`${cameras.online} = ${online}`)).returning({ id: cameras.id }));
  const state = taskCameraState(orm, online, sql`${sql.placeholder('taskIds')}::int[]`);
  const states = orm.$with('states').as(orm.update(taskCameras).set({ state })
    .where(and(inArray(taskCameras.cameraId, orm.select({ id: seen.id }).from(seen)), sql`${taskCameras.state} <> ${state}`))
    .returning({ taskId: taskCameras.taskId }));
  return orm.with(seen, states).select({ id: seen.id }).from(seen).prepare('camera_state_unchanged');
}

export function createCamerasRepo(orm: Orm) {
  const unchanged = unchangedReport(orm);
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
     * A change of `online` is logged (`events`); coming back online while an offline alarm is open
     * raises "back" (type 4). True when `online` changed.
     */
    async reportState(cameraId: number, online: boolean, taskIds: number[], events?: CameraEvents): Promise<boolean> {
      // Almost every report is a lease tick that changes nothing: nodes send one per camera every
      // tick. That case is one prepared statement, not a transaction of four (on the embedded
      // engine each statement is a round trip to its thread and about a third of a ms of its CPU;
      // bench:stream's 20 cameras spent most of the API host's CPU here). It matches only while
      // `online` is what the report says, so a change (and its event, its "back" alarm) always
      // takes the transaction below, which sees the row as the other writers left it.
      const [seen] = await unchanged.execute({ cameraId, online: online ? 1 : 0, taskIds: intArray(taskIds) });
      if (seen) return false;
      return orm.transaction(async (tx) => {
        // the row lock orders concurrent reports on one camera: one of them sees the change
        const [prev] = await tx.select({ online: cameras.online, healthAlarm: cameras.healthAlarm, name: cameras.name }).from(cameras)
          .where(eq(cameras.id, cameraId)).for('update');
        if (!prev) return false;
        const changed = prev.online !== (online ? 1 : 0);
        const back = changed && online && prev.healthAlarm === 1;
        const [{ now }] = await tx.update(cameras).set({
          online: online ? 1 : 0, lastSeen: sql`now()`,
          ...(changed ? { onlineChanged: sql`now()` } : {}), ...(back ? { healthAlarm: 0 } : {}),
        }).where(eq(cameras.id, cameraId)).returning({ now: sql<Date>`now()`.mapWith((v) => new Date(v)) });
        await tx.update(taskCameras).set({ state: taskCameraState(tx, sql`${online ? 1 : 0}::smallint`, sql`${intArray(taskIds)}::int[]`) })
          .where(eq(taskCameras.cameraId, cameraId));
        if (!changed) return false;
        const alarm = back ? await healthAlarm(tx, 4, { id: cameraId, name: prev.name }, now) : undefined;
        if (events) await appendEvents(tx, events({ cameraId, cameraName: prev.name, online, stateChanged: true, time: now, alarm }));
        return true;
      });
    },
    /**
     * What no node reports on any more is not open: cameras unreported since `staleBefore` go offline
     * (logged as changes), and a task camera is closed when its camera is offline or its task is not
     * among `activeTaskIds`. How many cameras went offline.
     */
    async expireStates(staleBefore: Date, activeTaskIds: number[], events?: CameraEvents): Promise<number> {
      return orm.transaction(async (tx) => {
        const gone = await tx.update(cameras).set({ online: 0, onlineChanged: sql`now()` })
          .where(and(eq(cameras.online, 1), or(isNull(cameras.lastSeen), lt(cameras.lastSeen, staleBefore))))
          .returning({ id: cameras.id, name: cameras.name, now: sql<Date>`now()`.mapWith((v) => new Date(v)) });
        const offline = tx.select({ id: cameras.id }).from(cameras).where(eq(cameras.online, 0));
        await tx.update(taskCameras).set({ state: 0 }).where(and(
          eq(taskCameras.state, 1),
          or(inArray(taskCameras.cameraId, offline), activeTaskIds.length ? notInArray(taskCameras.taskId, activeTaskIds) : sql`true`),
        ));
        if (events && gone.length) {
          await appendEvents(tx, gone.flatMap((c) => events({ cameraId: c.id, cameraName: c.name, online: false, stateChanged: true, time: c.now })));
        }
        return gone.length;
      });
    },
    /**
     * Camera health alarms (type 3): a camera of an active task (`activeTaskIds`: started and within
     * their plan) that went offline at or before `offlineSince` and has no open offline alarm gets
     * one, once (the conditional update decides, whichever API instance runs it). How many.
     */
    async raiseOfflineAlarms(offlineSince: Date, activeTaskIds: number[], events?: CameraEvents): Promise<number> {
      if (!activeTaskIds.length) return 0;
      return orm.transaction(async (tx) => {
        const used = tx.select({ id: taskCameras.cameraId }).from(taskCameras).where(inArray(taskCameras.taskId, activeTaskIds));
        const raised = await tx.update(cameras).set({ healthAlarm: 1 })
          .where(and(eq(cameras.online, 0), eq(cameras.healthAlarm, 0), lte(cameras.onlineChanged, offlineSince), inArray(cameras.id, used)))
          .returning({ id: cameras.id, name: cameras.name, since: cameras.onlineChanged });
        const out: NewEvent[] = [];
        for (const c of raised) {
          const alarm = await healthAlarm(tx, 3, c, c.since!, activeTaskIds);
          if (events) out.push(...events({ cameraId: c.id, cameraName: c.name, online: false, stateChanged: false, time: c.since!, alarm }));
        }
        await appendEvents(tx, out);
        return raised.length;
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
