/**
 * The webhook dispatcher: POSTs the event log's events to the AlarmWebhook receiver, at least once,
 * in order per camera, from durable state in the database (db/repositories/webhook.ts).
 *
 * - One API instance dispatches at a time: it holds a lease in webhook_state (renewed every round,
 *   released on a graceful stop; after a crash another instance takes over when it lapses).
 * - Each round takes the log's new events of the configured types into webhook_deliveries (so an
 *   event is not lost when the receiver, or this process, is down), then sends each camera's
 *   deliveries oldest first, cameras side by side. A camera's next event waits until the one before
 *   it is delivered or given up: order per camera, at the price of a failing event holding its
 *   camera back (head-of-line blocking) until it succeeds or is given up.
 * - 2xx delivers. Anything else is tried again after 1 s, doubling up to 5 min (WEBHOOK_RETRY_*),
 *   until WEBHOOK_GIVE_UP_MS (24 h) after the event, then dropped (counted). A success makes the
 *   other cameras' waiting deliveries due at once: the receiver is back.
 * - Headers: X-Facewatch-Event-Id (the event id: a delivery sent twice — after a crash between the
 *   answer and its bookkeeping — carries the same id), X-Facewatch-Event (its type),
 *   X-Facewatch-Signature (sha256=<HMAC-SHA256 of the raw body with the secret>),
 *   X-Facewatch-Delivery-Attempt. Body: {"event_id", "type", "data"}, data as in GET /Events.
 */
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import { Channels } from '../core/bus/channels.ts';
import type { Bus, Subscription } from '../core/bus/types.ts';
import type { Logger } from '../core/log.ts';
import { signature, type WebhookSender } from '../core/webhook/index.ts';
import type { Delivery, WebhookRepo } from '../db/repositories/webhook.ts';
import type { WebhookConfig } from '../functions/services/webhook.ts';

export type WebhookDispatcherOptions = {
  repo: WebhookRepo;
  /** the AlarmWebhook config in force (null: none) */
  config: () => Promise<WebhookConfig | null>;
  sender: WebhookSender;
  bus: Bus;
  log: Logger;
  retryBaseMs: number;
  retryMaxMs: number;
  giveUpMs: number;
  /** lease time; another instance takes over this long after a crash (default 30 s) */
  leaseMs?: number;
  /** a round runs at least this often when nothing wakes it (default 1 s) */
  idleMs?: number;
  /** cameras sent to at once (default 8) */
  lanes?: number;
};

const INTAKE_BATCH = 1000;
const PER_LANE = 50;

export function createWebhookDispatcher(o: WebhookDispatcherOptions) {
  const { repo, log } = o;
  const owner = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  const leaseMs = o.leaseMs ?? 30_000;
  const idleMs = o.idleMs ?? 1000;
  const lanes = o.lanes ?? 8;
  let running = false;
  let loop: Promise<void> | undefined;
  let sub: Subscription | undefined;
  let wakeUp: (() => void) | undefined;
  let woken = false;
  /** when a delivery last succeeded in this process: deliveries that failed before it are due again */
  let receiverUpAt = 0;
  /**
   * what the last round found: new events wake a round only while the webhook is enabled. Disabled,
   * a round has nothing to take (the intake forgets its position once), and every face's capture
   * event cost a round's lease, config and intake statements; enabling it is noticed by the next
   * round, at most idleMs later, which takes the position from then on as before.
   */
  let enabled = false;

  const backoff = (attempts: number) => Math.min(o.retryBaseMs * 2 ** Math.max(0, attempts - 1), o.retryMaxMs);
  const wake = () => { woken = true; wakeUp?.(); };

  function sleep(ms: number): Promise<void> {
    if (woken) { woken = false; return Promise.resolve(); }
    return new Promise((resolve) => {
      const t = setTimeout(done, ms);
      function done() { clearTimeout(t); wakeUp = undefined; woken = false; resolve(); }
      wakeUp = done;
    });
  }

  /** one camera's deliveries, oldest first, until one fails or is not due; when the lane is due next */
  async function sendLane(cfg: WebhookConfig, list: Delivery[]): Promise<number> {
    const done: number[] = [];
    try {
      for (const d of list) {
        if (!running) return Infinity;
        const now = Date.now();
        if (d.type === undefined || d.data === undefined) {
          await repo.drop([d.eventId], `event ${d.eventId} is no longer in the log (EVENT_RETENTION_HOURS)`);
          continue;
        }
        if (now - d.eventTime.getTime() > o.giveUpMs) {
          await repo.drop([d.eventId], `event ${d.eventId} given up ${Math.round(o.giveUpMs / 60_000)} min after it happened`);
          continue;
        }
        const lastTry = d.nextAttempt.getTime() - backoff(d.attempts);
        if (d.nextAttempt.getTime() > now && !(d.attempts > 0 && receiverUpAt > lastTry)) return d.nextAttempt.getTime();
        const body = `{"event_id":${d.eventId},"type":${JSON.stringify(d.type)},"data":${d.data}}`;
        const r = await o.sender.post(cfg.url, body, {
          'x-facewatch-event-id': String(d.eventId), 'x-facewatch-event': d.type, 'x-facewatch-signature': signature(cfg.secret, body),
          'x-facewatch-delivery-attempt': String(d.attempts + 1),
        });
        if (r.ok) {
          receiverUpAt = Date.now();
          done.push(d.eventId);
          continue;
        }
        const attempts = d.attempts + 1;
        const next = new Date(Date.now() + backoff(attempts));
        log.warn({ event: d.eventId, camera: d.cameraId, attempts, error: r.error, retryAt: next.toISOString() }, 'webhook delivery failed');
        await repo.failed(d.eventId, attempts, next, `event ${d.eventId}: ${r.error}`);
        return next.getTime();
      }
      return list.length >= PER_LANE ? 0 : Infinity; // more behind this batch: go on at once
    } finally {
      await repo.delivered(done);
    }
  }

  /** one round: lease, intake, send; how long to wait before the next */
  async function round(): Promise<number> {
    if (!(await repo.lease(owner, leaseMs))) return Math.min(leaseMs / 3, 5000);
    const cfg = await o.config();
    enabled = !!cfg?.enabled;
    const types = cfg?.enabled ? cfg.events : null;
    for (let i = 0; i < 10 && (await repo.intake(types, INTAKE_BATCH)) > 0; i++);
    if (!cfg?.enabled) return idleMs;
    const heads = await repo.heads(PER_LANE);
    const byCamera = new Map<number, Delivery[]>();
    for (const d of heads) byCamera.set(d.cameraId, [...(byCamera.get(d.cameraId) ?? []), d]);
    const queue = [...byCamera.values()];
    let nextDue = Infinity;
    await Promise.all(Array.from({ length: Math.min(lanes, queue.length) }, async () => {
      for (let list = queue.shift(); list; list = queue.shift()) nextDue = Math.min(nextDue, await sendLane(cfg, list));
    }));
    return Math.max(0, Math.min(idleMs, nextDue - Date.now()));
  }

  return {
    owner,
    wake,
    /** deliveries waiting (the webhook backlog gauge for metrics) */
    backlog: () => repo.pending(),
    start(): void {
      if (running) return;
      running = true;
      sub = Channels.eventsAppended.listen(o.bus, () => { if (enabled) wake(); }, { log });
      loop = (async () => {
        while (running) {
          let wait = idleMs;
          try {
            wait = await round();
          } catch (err) {
            log.warn({ err }, 'webhook dispatcher round failed; trying again');
          }
          if (running) await sleep(wait);
        }
      })();
      log.info({ owner }, 'webhook dispatcher started');
    },
    async stop(): Promise<void> {
      if (!running) return;
      running = false;
      wake();
      await sub?.stop();
      await loop;
      // hand over at once: the next instance (or this one restarted) need not wait for the lease
      await repo.release(owner).catch((err) => log.warn({ err }, 'could not release the webhook lease'));
      o.sender.close();
    },
  };
}
export type WebhookDispatcher = ReturnType<typeof createWebhookDispatcher>;
