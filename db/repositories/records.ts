/** Capture records, written by the recognition pipeline; the API queries and deletes them. */
import { and, asc, cosineDistance, count, desc, eq, getTableColumns, gt, gte, ilike, inArray, lt, lte, or, sql, type Placeholder } from 'drizzle-orm';
import type { Orm } from '../client.ts';
import { captureRecords, pictures, recordAppearances } from '../schema.ts';
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

type Tx = Parameters<Parameters<Orm['transaction']>[0]>[0];
type NewRecord = typeof captureRecords.$inferInsert & { messageId: string; taskId: number; cameraId: number };
type NewPicture = Omit<typeof pictures.$inferInsert, 'createTime' | 'kind'>;

/** One face message for recordFace: the record it would be, and the appearance it belongs to. */
export interface FaceToRecord {
  record: NewRecord;
  /** the capture image's `pictures` row, when it has one */
  picture?: NewPicture;
  /** FaceMessage.appearance (or the message id for nodes that send none) */
  appearance: string;
  /** when the appearance started: the rate limit counts from it */
  appearanceStart: Date;
  embedding: Float32Array;
  /** at most one record per person (a stranger: per look-alike face) per task and camera per this */
  periodMs: number;
  /** cosine at or above which a stranger is one already recorded */
  sameCosine: number;
  /** what a new record brings (attendance, alarm, events), and a stranger's record recognised by a better shot */
  outputs?: RecordOutputs;
}

/** a capture image's `pictures` row (kept when it is there already) */
async function insertCapturePicture(tx: Tx, picture: NewPicture): Promise<void> {
  await tx.insert(pictures).values({ ...picture, kind: 'capture' }).onConflictDoNothing().prepare('pictures_capture').execute();
}

/** a record's attendance day, alarm and events, in the transaction that wrote it */
async function writeOutputs(tx: Tx, record: RecordRow, outputs: RecordOutputs): Promise<void> {
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
}

/**
 * What recordFace did: a new record; a better shot for an existing one (the old capture image is
 * to be collected); merged into a record without change (a redelivery, a shot no better, or a return
 * within the period).
 */
export type FaceRecorded =
  | { outcome: 'created'; id: number }
  | { outcome: 'improved'; id: number; replacedUrl: string }
  | { outcome: 'merged'; id: number }
  | { outcome: 'duplicate' };

/** appearance rows live this long past the period, so a late better shot of one still finds its record */
const APPEARANCE_MARGIN_MS = 3600_000;

export function createRecordsRepo(orm: Orm, counts: CountCache) {
  /** an appearance's record, as recordFace weighs it */
  const existing = {
    id: captureRecords.id, classify: captureRecords.classify, personId: captureRecords.personId, quality: captureRecords.quality,
    captureUrl: captureRecords.captureUrl, recordStart: recordAppearances.recordStart,
  };
  type Existing = { id: number; classify: number; personId: number | null; quality: number | null; captureUrl: string; recordStart: Date };
  const recordOf = (tx: Tx) => tx.select(existing).from(recordAppearances).innerJoin(captureRecords, eq(captureRecords.id, recordAppearances.recordId));

  /**
   * A better shot of an appearance replaces the record's image, quality, box and similarity (never
   * its capture time: when the person was first seen). A stranger's record may become a person's
   * when the better shot is recognised (then it brings what a person's record brings: attendance,
   * a blacklist alarm, events); a person's record never changes person.
   */
  async function improve(tx: Tx, r: Existing, f: FaceToRecord): Promise<FaceRecorded> {
    const n = f.record;
    // a stranger's shot has no person id (undefined) and its record none either (null from the
    // database): both are "nobody", so a stranger's better shot improves a stranger's record
    const sameIdentity = (n.personId ?? null) === (r.personId ?? null) || (r.classify === 0 && !!n.personId);
    // a shot without its image (missing from the store) never replaces one with an image
    const worse = (n.quality ?? 0) <= (r.quality ?? 0) || (!n.captureUrl && !!r.captureUrl);
    if (!sameIdentity || worse) return { outcome: 'merged', id: r.id };
    const { messageId: _m, taskId: _t, taskName: _tn, cameraId: _c, cameraName: _cn, cameraList: _l, captureTime: _ct, ...shot } = n;
    const [record] = await tx.update(captureRecords).set(shot).where(eq(captureRecords.id, r.id)).returning().prepare('records_improve').execute();
    if (f.picture) await insertCapturePicture(tx, f.picture);
    if (n.personId && r.personId !== n.personId) {
      await tx.update(recordAppearances).set({ personId: n.personId }).where(eq(recordAppearances.recordId, r.id));
      if (record) await writeOutputs(tx, record, f.outputs ?? {});
    }
    return { outcome: 'improved', id: r.id, replacedUrl: r.captureUrl !== n.captureUrl ? r.captureUrl : '' };
  }


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
     * nothing and answers undefined. (The matcher itself writes through recordFace, which adds the
     * appearance rules; this is the plain write, for seeding records.)
     */
    async insertOnce(
      r: typeof captureRecords.$inferInsert & { messageId: string },
      picture?: Omit<typeof pictures.$inferInsert, 'createTime' | 'kind'>,
      outputs: RecordOutputs = {},
    ): Promise<number | undefined> {
      return orm.transaction(async (tx) => {
        const [record] = await tx.insert(captureRecords).values(r).onConflictDoNothing({ target: captureRecords.messageId }).returning();
        if (!record) return undefined;
        if (picture) await insertCapturePicture(tx, picture);
        await writeOutputs(tx, record, outputs);
        return record.id;
      });
    },
    /**
     * The matcher's write of one face, in one transaction, serialised per task and camera (an
     * advisory lock, so matchers of several API hosts agree):
     * - a message id already recorded writes nothing (a redelivery);
     * - a face of an appearance already recorded improves that record when its shot is better;
     * - a new appearance of someone with a record here whose appearance started less than `periodMs`
     *   before (the same person, or for a stranger the nearest recent face at `sameCosine` or more)
     *   joins that record, improving it when better: one record per person per period;
     * - otherwise a new record, with its picture row, attendance day, alarm and events (as insertOnce).
     *
     * It runs for every face message, so its statements are prepared (postgres.js keeps each per
     * connection, by its text: a few shapes here): an unnamed statement with parameters costs a
     * round trip to describe it before the one that runs it, and a parse every time; on the embedded
     * engine each round trip is a hop to its thread and a fraction of a ms of its CPU.
     */
    async recordFace(f: FaceToRecord): Promise<FaceRecorded> {
      const { taskId, cameraId } = f.record;
      return orm.transaction(async (tx) => {
        await tx.select({ locked: sql`pg_advisory_xact_lock(${taskId}::int, ${cameraId}::int)` }).from(sql`(select) as lock`).prepare('records_lock').execute();
        const [dup] = await tx.select({ id: captureRecords.id }).from(captureRecords).where(eq(captureRecords.messageId, f.record.messageId)).prepare('records_dup').execute();
        if (dup) return { outcome: 'duplicate' } as const;
        const here = and(eq(recordAppearances.taskId, taskId), eq(recordAppearances.cameraId, cameraId));
        const start = f.appearanceStart;
        await tx.delete(recordAppearances).where(and(here, lt(recordAppearances.recordStart,
          sql`least(${start.toISOString()}::timestamptz, now()) - make_interval(secs => ${(f.periodMs + APPEARANCE_MARGIN_MS) / 1000})`)))
          .prepare('appearances_expire').execute();

        const [own] = await recordOf(tx).where(and(here, eq(recordAppearances.appearance, f.appearance))).limit(1).prepare('appearances_own').execute();
        if (own) return improve(tx, own, f);

        const since = new Date(start.getTime() - f.periodMs).toISOString();
        const recent = and(here, gt(recordAppearances.recordStart, sql`${since}::timestamptz`));
        let earlier: Existing | undefined;
        if (f.record.personId) {
          [earlier] = await recordOf(tx).where(and(recent, eq(recordAppearances.personId, f.record.personId))).orderBy(desc(recordAppearances.recordStart)).limit(1)
            .prepare('appearances_person').execute();
        } else {
          // a stranger: the nearest face recorded here within the period, if it is the same person
          const distance = cosineDistance(recordAppearances.embedding, Array.from(f.embedding));
          const [near] = await tx.select({ ...existing, cosine: sql<number>`1 - (${distance})`.mapWith(Number) }).from(recordAppearances)
            .innerJoin(captureRecords, eq(captureRecords.id, recordAppearances.recordId)).where(recent).orderBy(asc(distance)).limit(1)
            .prepare('appearances_stranger').execute();
          if (near && near.cosine >= f.sameCosine) earlier = near;
        }
        const appearanceRow = { taskId, cameraId, appearance: f.appearance, embedding: Array.from(f.embedding) };
        if (earlier) {
          await tx.insert(recordAppearances).values({ ...appearanceRow, recordId: earlier.id, personId: earlier.personId, recordStart: earlier.recordStart })
            .prepare('appearances_insert').execute();
          return improve(tx, earlier, f);
        }
        const [record] = await tx.insert(captureRecords).values(f.record).onConflictDoNothing({ target: captureRecords.messageId }).returning()
          .prepare('records_insert').execute();
        if (!record) return { outcome: 'duplicate' } as const;
        if (f.picture) await insertCapturePicture(tx, f.picture);
        await tx.insert(recordAppearances).values({ ...appearanceRow, recordId: record.id, personId: f.record.personId ?? null, recordStart: start })
          .prepare('appearances_insert').execute();
        await writeOutputs(tx, record, f.outputs ?? {});
        return { outcome: 'created', id: record.id } as const;
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
