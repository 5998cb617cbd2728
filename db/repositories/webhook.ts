/**
 * The webhook's durable state, in the database for both backends (why: docs/api.md "Webhook"):
 * `webhook_state` (one row: the dispatcher's lease, how far the event log has been taken in, figures)
 * and `webhook_deliveries` (events waiting, with their attempts and next attempt time).
 */
import { and, asc, count, eq, inArray, isNotNull, isNull, lt, min, or, sql } from 'drizzle-orm';
import type { Orm } from '../client.ts';
import { eventSeq, events, webhookDeliveries, webhookState } from '../schema.ts';
import type { EventType } from './events.ts';
import { rowsOf } from './util.ts';

export type Delivery = {
  eventId: number; cameraId: number; attempts: number; nextAttempt: Date; eventTime: Date;
  /** undefined when the event is no longer in the log */
  type?: EventType; data?: string;
};

export function createWebhookRepo(orm: Orm) {
  const state = eq(webhookState.id, 1);
  // the dispatcher's every round (each second, idle or not) starts with these: prepared once
  const owner = sql.placeholder('owner');
  const leaseQuery = orm.update(webhookState).set({ owner: sql`${owner}`, leaseUntil: sql`now() + make_interval(secs => ${sql.placeholder('ttlS')})` })
    .where(and(state, or(eq(webhookState.owner, owner), isNull(webhookState.leaseUntil), lt(webhookState.leaseUntil, sql`now()`))))
    .returning({ owner: webhookState.owner }).prepare('webhook_lease');
  const forgetQuery = orm.update(webhookState).set({ intakeCursor: null }).where(and(state, isNotNull(webhookState.intakeCursor)))
    .prepare('webhook_forget_position');
  return {
    /** takes or renews the dispatcher's lease for `owner`; false while another instance holds it */
    async lease(owner: string, ttlMs: number): Promise<boolean> {
      const rows = await leaseQuery.execute({ owner, ttlS: ttlMs / 1000 });
      return rows.length > 0;
    },
    async release(owner: string): Promise<void> {
      await orm.update(webhookState).set({ owner: null, leaseUntil: null }).where(and(state, eq(webhookState.owner, owner)));
    },

    /**
     * Takes the next `batch` events of the log into the deliveries (those of `types`; the others are
     * passed over). With `types` null (no webhook, or disabled) nothing is taken and the position is
     * forgotten: when enabled again, delivery starts with the events from then on. How many events
     * remain to be looked at.
     */
    async intake(types: readonly EventType[] | null, batch: number): Promise<number> {
      // disabled: one statement, no transaction (a round runs every second, webhook or not)
      if (types === null) {
        await forgetQuery.execute();
        return 0;
      }
      return orm.transaction(async (tx) => {
        const [st] = await tx.select({ cursor: webhookState.intakeCursor }).from(webhookState).where(state).for('update');
        if (!st) return 0;
        const [{ last }] = await tx.select({ last: eventSeq.last }).from(eventSeq).where(eq(eventSeq.id, 1));
        if (st.cursor === null) {
          await tx.update(webhookState).set({ intakeCursor: last }).where(state);
          return 0;
        }
        const upto = Math.min(st.cursor + batch, Number(last));
        if (upto <= st.cursor) return 0;
        if (types.length) {
          await tx.execute(sql`insert into ${webhookDeliveries} (event_id, camera_id, next_attempt, event_time)
            select ${events.id}, ${events.cameraId}, now(), ${events.createTime} from ${events}
            where ${events.id} > ${st.cursor} and ${events.id} <= ${upto} and ${inArray(events.type, [...types])}
            on conflict do nothing`);
        }
        await tx.update(webhookState).set({ intakeCursor: upto }).where(state);
        return Number(last) - upto;
      });
    },

    /**
     * The first `perLane` deliveries of every camera (its lane), oldest first, with their events.
     * The camera ids are found by a loose index scan (one probe per camera), not by reading the
     * whole backlog.
     */
    async heads(perLane: number): Promise<Delivery[]> {
      const d = webhookDeliveries;
      const res = await orm.execute(sql`
        with recursive lanes as (
          (select ${d.cameraId} as camera_id from ${d} order by ${d.cameraId} limit 1)
          union all
          select (select x.camera_id from ${d} x where x.camera_id > lanes.camera_id order by x.camera_id limit 1)
          from lanes where lanes.camera_id is not null
        )
        select h.event_id, h.camera_id, h.attempts, h.next_attempt, h.event_time, e.type, e.data
        from lanes cross join lateral (
          select y.event_id, y.camera_id, y.attempts, y.next_attempt, y.event_time from ${d} y
          where y.camera_id = lanes.camera_id order by y.event_id limit ${perLane}
        ) h left join ${events} e on e.id = h.event_id
        where lanes.camera_id is not null
        order by h.camera_id, h.event_id`);
      return rowsOf<Record<string, unknown>>(res).map((r) => ({
        eventId: Number(r.event_id), cameraId: Number(r.camera_id), attempts: Number(r.attempts),
        nextAttempt: new Date(r.next_attempt as string), eventTime: new Date(r.event_time as string),
        type: (r.type ?? undefined) as EventType | undefined, data: (r.data ?? undefined) as string | undefined,
      }));
    },

    /** delivered (2xx): gone from the queue, counted */
    async delivered(eventIds: number[]): Promise<void> {
      if (!eventIds.length) return;
      await orm.transaction(async (tx) => {
        const rows = await tx.delete(webhookDeliveries).where(inArray(webhookDeliveries.eventId, eventIds)).returning({ id: webhookDeliveries.eventId });
        await tx.update(webhookState).set({ delivered: sql`${webhookState.delivered} + ${rows.length}`, lastSuccess: sql`now()` }).where(state);
      });
    },
    /** an attempt failed: the next one at `next` */
    async failed(eventId: number, attempts: number, next: Date, error: string): Promise<void> {
      await orm.transaction(async (tx) => {
        await tx.update(webhookDeliveries).set({ attempts, nextAttempt: next }).where(eq(webhookDeliveries.eventId, eventId));
        await tx.update(webhookState).set({ lastError: error, lastErrorTime: sql`now()` }).where(state);
      });
    },
    /** given up (too old, or its event is gone): out of the queue, counted as dropped */
    async drop(eventIds: number[], error: string): Promise<void> {
      if (!eventIds.length) return;
      await orm.transaction(async (tx) => {
        const rows = await tx.delete(webhookDeliveries).where(inArray(webhookDeliveries.eventId, eventIds)).returning({ id: webhookDeliveries.eventId });
        await tx.update(webhookState).set({ dropped: sql`${webhookState.dropped} + ${rows.length}`, lastError: error, lastErrorTime: sql`now()` }).where(state);
      });
    },

    async status() {
      const [st] = await orm.select().from(webhookState).where(state);
      const [q] = await orm.select({ n: count(), oldest: min(webhookDeliveries.eventTime) }).from(webhookDeliveries);
      return { ...st, pending: Number(q.n), oldestPending: q.oldest ? new Date(q.oldest as unknown as string) : null };
    },
    /** how many deliveries wait (the backlog gauge) */
    async pending(): Promise<number> {
      const [q] = await orm.select({ n: count() }).from(webhookDeliveries);
      return Number(q.n);
    },
    /** oldest first, for tests and tools */
    async list(limit: number) {
      return orm.select().from(webhookDeliveries).orderBy(asc(webhookDeliveries.eventId)).limit(limit);
    },
  };
}
export type WebhookRepo = ReturnType<typeof createWebhookRepo>;
