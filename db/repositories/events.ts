/**
 * The event log (captures, alarms, camera state changes) behind GET /Events and the webhook. Events
 * are appended inside the transaction that made them, as its last statements: the id range comes
 * from the `event_seq` row, whose lock is held until commit, so ids are dense and committed in
 * order. A reader that has read up to id n has therefore missed nothing below n — what makes
 * Last-Event-ID resumable on any API host.
 */
import { and, asc, eq, gt, lt, lte, notExists, sql } from 'drizzle-orm';
import type { Orm } from '../client.ts';
import { eventSeq, events, webhookDeliveries } from '../schema.ts';
import type { Tx } from './util.ts';

export type EventType = 'capture' | 'alarm' | 'camera';
export const EVENT_TYPES: readonly EventType[] = ['capture', 'alarm', 'camera'];
export type NewEvent = { type: EventType; cameraId: number; data: object };
export type EventRow = { id: number; type: EventType; cameraId: number; data: string; createTime: Date };

/** Appends `list` in `tx` (call it last: the counter row stays locked until commit); their ids. */
export async function appendEvents(tx: Tx, list: NewEvent[]): Promise<number[]> {
  if (!list.length) return [];
  // prepared: the matcher and the camera-state writer append with every record and change (records.recordFace)
  const [{ last }] = await tx.update(eventSeq).set({ last: sql`${eventSeq.last} + ${list.length}` }).where(eq(eventSeq.id, 1))
    .returning({ last: eventSeq.last }).prepare('events_seq').execute();
  const first = Number(last) - list.length + 1;
  const ids = list.map((_, i) => first + i);
  await tx.insert(events).values(list.map((e, i) => ({ id: ids[i], type: e.type, cameraId: e.cameraId, data: JSON.stringify(e.data) })))
    .prepare('events_insert').execute();
  return ids;
}

export function createEventsRepo(orm: Orm) {
  const columns = { id: events.id, type: events.type, cameraId: events.cameraId, data: events.data, createTime: events.createTime };
  const afterQuery = orm.select(columns).from(events).where(gt(events.id, sql.placeholder('after')))
    .orderBy(asc(events.id)).limit(sql.placeholder('limit')).prepare('events_after');
  return {
    /** the events after id `after`, oldest first */
    async after(after: number, limit: number): Promise<EventRow[]> {
      return (await afterQuery.execute({ after, limit })) as EventRow[];
    },
    /** the last id handed out (0: none yet) */
    async lastId(): Promise<number> {
      const [row] = await orm.select({ last: eventSeq.last }).from(eventSeq).where(eq(eventSeq.id, 1));
      return Number(row?.last ?? 0);
    },
    /** the oldest id still kept (undefined: the log is empty) */
    async oldestId(): Promise<number | undefined> {
      const [row] = await orm.select({ id: events.id }).from(events).orderBy(asc(events.id)).limit(1);
      return row?.id;
    },
    /**
     * Deletes events older than `before` that are not among the newest `keep` and that no webhook
     * delivery waits for, in batches; how many went.
     */
    async prune(before: Date, keep: number, batch = 10_000): Promise<number> {
      let total = 0;
      for (;;) {
        const last = await this.lastId();
        const old = orm.select({ id: events.id }).from(events).where(and(
          lt(events.createTime, before), lte(events.id, last - keep),
          notExists(orm.select({ one: sql`1` }).from(webhookDeliveries).where(eq(webhookDeliveries.eventId, events.id))),
        )).orderBy(asc(events.id)).limit(batch);
        const rows = await orm.delete(events).where(sql`${events.id} in (${old})`).returning({ id: events.id });
        total += rows.length;
        if (rows.length < batch) return total;
      }
    },
  };
}
export type EventsRepo = ReturnType<typeof createEventsRepo>;
