/** Capture records, written by the recognition pipeline; the API queries and deletes them. */
import { and, count, desc, eq, getTableColumns, gte, ilike, inArray, lt, lte, or, sql, type Placeholder } from 'drizzle-orm';
import type { Orm } from '../client.ts';
import { captureRecords, pictures } from '../schema.ts';
import { insertAlarm, type AlarmRow } from './alarms.ts';
import { recomputeAttendanceDay, touchAttendanceDay, type DayBounds } from './attendance.ts';
import type { CountCache } from './count-cache.ts';
import { appendEvents, type NewEvent } from './events.ts';
import { byShape, containsPattern, type FilterSpec, type FilterSpecs, type Page } from './util.ts';

export type RecordRow = typeof captureRecords.$inferSelect;

/** What else a record's write brings, in its transaction (see insertOnce). */
export type RecordOutputs = {
  /** the capture's local date (TIME_ZONE): a matched record updates attendance_days for it */
  day?: string;
  /** raise an alarm of this type (1 blacklisted person, 2 stranger) with the record */
  alarmType?: 1 | 2;
  /** the events to log, from the rows written */
  events?: (written: { record: RecordRow; alarm?: AlarmRow }) => NewEvent[];
};
export type RecordFilter = {
  taskId?: number; cameraId?: number; libId?: number; personName?: string; cardNo?: string; classify?: number;
  similarity?: number; start?: Date; end?: Date;
};

/** A listed record: every column but the ones no list shows (each column of each row is decoded). */
const { messageId: _m, quality: _q, box: _b, ...listColumns } = getTableColumns(captureRecords);

const recordFilters: FilterSpecs<RecordFilter> = {
  taskId: { cond: (p) => eq(captureRecords.taskId, p) },
  cameraId: { cond: (p) => eq(captureRecords.cameraId, p) },
  libId: { cond: (p) => eq(captureRecords.libId, p) },
  personName: { when: (v) => !!v, cond: (p) => ilike(captureRecords.personName, p), value: containsPattern },
  cardNo: { when: (v) => !!v, cond: (p) => eq(captureRecords.cardNo, p) },
  classify: { cond: (p) => eq(captureRecords.classify, p) },
  // real column: the parameter is typed real too, so 0.8 >= 0.8 holds
  similarity: { cond: (p) => gte(captureRecords.similarity, p) },
  // placeholders skip the column's own encoding: the instant as ISO text, read as timestamptz
  start: { when: (v) => !!v, cond: (p) => gte(captureRecords.captureTime, p), value: (d) => d.toISOString() },
  end: { when: (v) => !!v, cond: (p) => lte(captureRecords.captureTime, p), value: (d) => d.toISOString() },
};

export function createRecordsRepo(orm: Orm, counts: CountCache) {
  const listQueries = byShape(recordFilters, (where, shape) => ({
    page: orm.select({ ...listColumns, version: counts.versionColumn('capture_records') }).from(captureRecords).where(where)
      .orderBy(desc(captureRecords.captureTime), desc(captureRecords.id)).limit(sql.placeholder('limit')).offset(sql.placeholder('offset'))
      .prepare(`records_page_${shape}`),
    count: orm.select({ n: count() }).from(captureRecords).where(where).prepare(`records_count_${shape}`),
  }));

  return {
    async insert(r: typeof captureRecords.$inferInsert): Promise<number> {
      const [row] = await orm.insert(captureRecords).values(r).returning({ id: captureRecords.id });
      return row.id;
    },
    /**
     * The matcher's write: the record of one face message, its capture image's `pictures` row, its
     * attendance day, its alarm and its events, in one transaction: no record without its alarm and
     * no alarm without its record. Idempotent on `messageId` (unique): a redelivered message writes
     * nothing and answers undefined.
     */
    async insertOnce(
      r: typeof captureRecords.$inferInsert & { messageId: string },
      picture?: Omit<typeof pictures.$inferInsert, 'createTime' | 'kind'>,
      outputs: RecordOutputs = {},
    ): Promise<number | undefined> {
      return orm.transaction(async (tx) => {
        const [record] = await tx.insert(captureRecords).values(r).onConflictDoNothing({ target: captureRecords.messageId }).returning();
        if (!record) return undefined;
        if (picture) await tx.insert(pictures).values({ ...picture, kind: 'capture' }).onConflictDoNothing();
        if (outputs.day && record.classify === 1 && record.personId) {
          await touchAttendanceDay(tx, outputs.day, {
            taskId: record.taskId, personId: record.personId, time: record.captureTime, list: record.cameraList, cameraName: record.cameraName,
          });
        }
        const alarm = outputs.alarmType ? await insertAlarm(tx, {
          type: outputs.alarmType, alarmTime: record.captureTime, taskId: record.taskId, taskName: record.taskName, cameraId: record.cameraId,
          cameraName: record.cameraName, recordId: record.id, personId: record.personId ?? 0, personName: record.personName, libId: record.libId ?? 0,
          libName: record.libName, category: record.category, similarity: record.similarity, picUrl: record.picUrl, captureUrl: record.captureUrl,
        }) : undefined;
        if (outputs.events) await appendEvents(tx, outputs.events({ record, alarm }));
        return record.id;
      });
    },
    async countByMessageIds(ids: string[]): Promise<number> {
      if (!ids.length) return 0;
      const [{ n }] = await orm.select({ n: count() }).from(captureRecords).where(inArray(captureRecords.messageId, ids));
      return Number(n);
    },
    /**
     * The deleted record's pictures, or undefined when there was none. A matched record's attendance
     * day (`dayOf` its capture time) is computed again from the records left, in the same transaction.
     */
    async delete(id: number, dayOf?: (t: Date) => DayBounds): Promise<{ captureUrl: string; picUrl: string } | undefined> {
      return orm.transaction(async (tx) => {
        const [row] = await tx.delete(captureRecords).where(eq(captureRecords.id, id)).returning({
          captureUrl: captureRecords.captureUrl, picUrl: captureRecords.picUrl, taskId: captureRecords.taskId, personId: captureRecords.personId,
          classify: captureRecords.classify, captureTime: captureRecords.captureTime,
        });
        if (!row) return undefined;
        if (dayOf && row.classify === 1 && row.personId) await recomputeAttendanceDay(tx, row.taskId, row.personId, dayOf(row.captureTime));
        return { captureUrl: row.captureUrl, picUrl: row.picUrl };
      });
    },
    async list(f: RecordFilter, page: Page) {
      const { q, values } = listQueries(f);
      return counts.page('capture_records', f, q, values, page);
    },
    /** how many records match (exports check it before reading) */
    async count(f: RecordFilter): Promise<number> {
      const { q, values } = listQueries(f);
      return counts.total('capture_records', f, undefined, async () => Number((await q.count.execute(values))[0].n));
    },
    /**
     * The records after `after` in list order (newest capture first), `limit` of them: exports read a
     * large result in keyset batches, never by OFFSET.
     */
    async listAfter(f: RecordFilter, after: { time: Date; id: number } | undefined, limit: number) {
      // the list's own conditions, over bound parameters instead of placeholders
      const conds = Object.entries(recordFilters).flatMap(([k, spec]) => {
        const v = (f as Record<string, unknown>)[k];
        const s = spec as FilterSpec<unknown>;
        if (!(s.when ? s.when(v) : v !== undefined)) return [];
        return [s.cond(sql.param(s.value ? s.value(v as never) : v) as unknown as Placeholder)!];
      });
      if (after) conds.push(or(lt(captureRecords.captureTime, after.time), and(eq(captureRecords.captureTime, after.time), lt(captureRecords.id, after.id)))!);
      return orm.select(listColumns).from(captureRecords).where(and(...conds))
        .orderBy(desc(captureRecords.captureTime), desc(captureRecords.id)).limit(limit);
    },
  };
}
export type RecordsRepo = ReturnType<typeof createRecordsRepo>;
