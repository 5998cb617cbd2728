/**
 * Keeps the event log (db: events) to what it promises: every event for EVENT_RETENTION_HOURS and
 * the newest 10,000 whatever their age (GET /Events resumes), and every event a webhook delivery
 * still waits for. Older ones are deleted in batches every few minutes, by every API instance
 * (deleting twice is harmless).
 */
import type { Logger } from '../core/log.ts';
import type { EventsRepo } from '../db/repositories/events.ts';

/** the newest events kept whatever their age */
export const KEEP_EVENTS = 10_000;

export function createEventRetention(o: { repo: EventsRepo; log: Logger; retentionHours: number; periodMs?: number }) {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  const prune = () => {
    running ??= o.repo.prune(new Date(Date.now() - o.retentionHours * 3600_000), KEEP_EVENTS)
      .then((n) => { if (n) o.log.info({ deleted: n }, 'old events pruned'); })
      .catch((err) => o.log.warn({ err }, 'pruning old events failed; trying again later'))
      .finally(() => { running = undefined; });
    return running;
  };
  return {
    prune,
    start(): void {
      timer ??= setInterval(() => { void prune(); }, o.periodMs ?? 5 * 60_000).unref();
      void prune();
    },
    async stop(): Promise<void> {
      clearInterval(timer);
      timer = undefined;
      await running;
    },
  };
}
