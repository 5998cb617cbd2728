/**
 * attendance_days: per task, person and local date the first entrance capture, the last exit capture
 * and the last capture on any camera, kept by every matched record written (touchAttendanceDay, in
 * the record's transaction) or deleted (recomputeAttendanceDay). Reports read at most persons x
 * days of these rows instead of aggregating the records: an aggregate over a month of 1M records
 * took 2-3.5 s on the embedded engine (measured while building this), the reports ~100 times less.
 *
 * Dates are local dates in TIME_ZONE. `ensureZone` rebuilds the rows from the records when the zone
 * they were made in is not the host's (a first start after this migration, or TIME_ZONE changed).
 */
import { and, asc, eq, gte, isNotNull, lt, sql } from 'drizzle-orm';
import type { Orm } from '../client.ts';
import { attendanceDays, attendanceMeta, captureRecords } from '../schema.ts';
import type { Tx } from './util.ts';

export type DayBounds = { day: string; start: Date; end: Date };
export type Capture = { taskId: number; personId: number; time: Date; list: number; cameraName: string };

/** In `tx`: widens the day's row with one matched capture. */
export async function touchAttendanceDay(tx: Tx, day: string, c: Capture): Promise<void> {
  const isIn = c.list === 1;
  const d = attendanceDays;
  const ex = (col: string) => sql.raw(`excluded.${col}`);
  await tx.insert(d).values({
    taskId: c.taskId, day, personId: c.personId,
    firstIn: isIn ? c.time : null, inCameraName: isIn ? c.cameraName : '',
    lastOut: isIn ? null : c.time, outCameraName: isIn ? '' : c.cameraName,
    lastAny: c.time, anyCameraName: c.cameraName,
  }).onConflictDoUpdate({
    target: [d.taskId, d.day, d.personId],
    set: {
      firstIn: sql`case when ${ex('first_in')} < coalesce(${d.firstIn}, 'infinity') then ${ex('first_in')} else ${d.firstIn} end`,
      inCameraName: sql`case when ${ex('first_in')} < coalesce(${d.firstIn}, 'infinity') then ${ex('in_camera_name')} else ${d.inCameraName} end`,
      lastOut: sql`case when ${ex('last_out')} > coalesce(${d.lastOut}, '-infinity') then ${ex('last_out')} else ${d.lastOut} end`,
      outCameraName: sql`case when ${ex('last_out')} > coalesce(${d.lastOut}, '-infinity') then ${ex('out_camera_name')} else ${d.outCameraName} end`,
      lastAny: sql`greatest(${d.lastAny}, ${ex('last_any')})`,
      anyCameraName: sql`case when ${ex('last_any')} > ${d.lastAny} then ${ex('any_camera_name')} else ${d.anyCameraName} end`,
    },
  });
}

/** In `tx`: the day's row again from the records left (after one was deleted), or no row. */
export async function recomputeAttendanceDay(tx: Tx, taskId: number, personId: number, b: DayBounds): Promise<void> {
  const r = captureRecords;
  const rows = await tx.select({ time: r.captureTime, list: r.cameraList, cameraName: r.cameraName, id: r.id }).from(r).where(and(
    eq(r.personId, personId), eq(r.taskId, taskId), eq(r.classify, 1), gte(r.captureTime, b.start), lt(r.captureTime, b.end),
  )).orderBy(asc(r.captureTime), asc(r.id));
  await tx.delete(attendanceDays).where(and(eq(attendanceDays.taskId, taskId), eq(attendanceDays.day, b.day), eq(attendanceDays.personId, personId)));
  for (const row of rows) await touchAttendanceDay(tx, b.day, { taskId, personId, time: row.time, list: row.list, cameraName: row.cameraName });
}

export function createAttendanceRepo(orm: Orm) {
  return {
    /**
     * Makes attendance_days hold local dates of `zone`: when they were made in another zone (or
     * never), rebuilds them from every matched record, under a lock that makes writers of new
     * records wait (so none is missed or counted twice). True when it rebuilt.
     */
    async ensureZone(zone: string): Promise<boolean> {
      const [meta] = await orm.select().from(attendanceMeta).where(eq(attendanceMeta.id, 1));
      if (meta?.zone === zone) return false;
      await orm.transaction(async (tx) => {
        await tx.execute(sql`lock table ${attendanceDays} in exclusive mode`);
        await tx.delete(attendanceDays);
        const r = captureRecords;
        // the camera of the first entrance, the last exit and the last capture: the first element of
        // an array ordered that way (ties by id, as recomputeAttendanceDay)
        await tx.execute(sql`insert into ${attendanceDays}
          (task_id, day, person_id, first_in, in_camera_name, last_out, out_camera_name, last_any, any_camera_name)
          select ${r.taskId}, (${r.captureTime} at time zone ${zone})::date, ${r.personId},
            min(${r.captureTime}) filter (where ${r.cameraList} = 1),
            coalesce((array_agg(${r.cameraName} order by ${r.captureTime}, ${r.id}) filter (where ${r.cameraList} = 1))[1], ''),
            max(${r.captureTime}) filter (where ${r.cameraList} = 2),
            coalesce((array_agg(${r.cameraName} order by ${r.captureTime} desc, ${r.id}) filter (where ${r.cameraList} = 2))[1], ''),
            max(${r.captureTime}),
            (array_agg(${r.cameraName} order by ${r.captureTime} desc, ${r.id}))[1]
          from ${r} where ${r.classify} = 1 and ${isNotNull(r.personId)}
          group by 1, 2, 3`);
        await tx.insert(attendanceMeta).values({ id: 1, zone }).onConflictDoUpdate({ target: attendanceMeta.id, set: { zone } });
      });
      return true;
    },
  };
}
export type AttendanceRepo = ReturnType<typeof createAttendanceRepo>;
