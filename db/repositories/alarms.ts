/**
 * Alarms. Raised inside the transaction of what raised them (records.insertOnce, the cameras'
 * state changes) through `insertAlarm`; listed, acknowledged and deleted here. Their fields are
 * copies, like a record's.
 */
import { and, count, desc, eq, getTableColumns, gte, inArray, lte, sql } from 'drizzle-orm';
import type { Orm } from '../client.ts';
import { alarms } from '../schema.ts';
import type { CountCache } from './count-cache.ts';
import { byShape, type FilterSpecs, type Page, type Tx } from './util.ts';

export type AlarmRow = typeof alarms.$inferSelect;
export type NewAlarm = Omit<typeof alarms.$inferInsert, 'id' | 'state' | 'ackUserId' | 'ackUser' | 'ackTime' | 'ackRemark' | 'createTime'>;
export type AlarmFilter = { type?: number; taskId?: number; cameraId?: number; state?: number; start?: Date; end?: Date };

/** in `tx`: the new alarm's row */
export async function insertAlarm(tx: Tx, a: NewAlarm): Promise<AlarmRow> {
  const [row] = await tx.insert(alarms).values(a).returning().prepare('alarms_insert').execute(); // prepared: with records (records.recordFace)
  return row;
}

/** a listed alarm: every column but the acknowledging user's id (its name is copied beside it) */
const { ackUserId: _ackUserId, ...listColumns } = getTableColumns(alarms);

const alarmFilters: FilterSpecs<AlarmFilter> = {
  type: { cond: (p) => eq(alarms.type, p) },
  taskId: { cond: (p) => eq(alarms.taskId, p) },
  cameraId: { cond: (p) => eq(alarms.cameraId, p) },
  state: { cond: (p) => eq(alarms.state, p) },
  // as for records: the instant as ISO text, read as timestamptz
  start: { when: (v) => !!v, cond: (p) => gte(alarms.alarmTime, p), value: (d) => d.toISOString() },
  end: { when: (v) => !!v, cond: (p) => lte(alarms.alarmTime, p), value: (d) => d.toISOString() },
};

export function createAlarmsRepo(orm: Orm, counts: CountCache) {
  const listQueries = byShape(alarmFilters, (where, shape) => ({
    page: orm.select({ ...listColumns, version: counts.versionColumn('alarms') }).from(alarms).where(where)
      .orderBy(desc(alarms.alarmTime), desc(alarms.id)).limit(sql.placeholder('limit')).offset(sql.placeholder('offset'))
      .prepare(`alarms_page_${shape}`),
    count: orm.select({ n: count() }).from(alarms).where(where).prepare(`alarms_count_${shape}`),
  }));

  return {
    async list(f: AlarmFilter, page: Page) {
      const { q, values } = listQueries(f);
      return counts.page('alarms', f, q, values, page);
    },
    /** of `ids`, those that exist */
    async existing(ids: number[]): Promise<number[]> {
      if (!ids.length) return [];
      const rows = await orm.select({ id: alarms.id }).from(alarms).where(inArray(alarms.id, ids));
      return rows.map((r) => r.id);
    },
    /**
     * Acknowledges the new ones of `ids` by `user`; already acknowledged alarms keep who and when
     * (idempotent). How many changed.
     */
    async ack(ids: number[], user: { id: number; name: string }, remark: string): Promise<number> {
      if (!ids.length) return 0;
      const rows = await orm.update(alarms).set({ state: 1, ackUserId: user.id, ackUser: user.name, ackTime: sql`now()`, ackRemark: remark })
        .where(and(inArray(alarms.id, ids), eq(alarms.state, 0))).returning({ id: alarms.id });
      return rows.length;
    },
    /** the deleted alarm's pictures (to collect), or undefined when there was no such alarm */
    async delete(id: number): Promise<{ picUrl: string; captureUrl: string } | undefined> {
      const [row] = await orm.delete(alarms).where(eq(alarms.id, id)).returning({ picUrl: alarms.picUrl, captureUrl: alarms.captureUrl });
      return row;
    },
  };
}
export type AlarmsRepo = ReturnType<typeof createAlarmsRepo>;
