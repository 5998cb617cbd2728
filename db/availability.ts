/**
 * Answers "database unavailable" within a bounded time instead of hanging while Postgres is away.
 *
 * postgres.js alone queues a query until a connection opens, and waits longer and longer between
 * connection attempts (its backoff grows to 20 s), so during an outage calls first fail fast and
 * then hang until the database is back; a server that stops answering without closing its sockets
 * (a paused VM, a dropped route) hangs them for the TCP timeout. Here every query of the pool runs
 * through a gate:
 *   - a query that fails with a connection error, or one still waiting after `stallMs`, starts a
 *     probe: `select 1` on a fresh connection, within `probeTimeoutMs`;
 *   - a probe that fails marks the database down: the queries waiting are answered DB_UNAVAILABLE
 *     (and cancelled), new ones are answered DB_UNAVAILABLE at once, and the probe repeats every
 *     `retryMs` (allowed 5 s each: nobody waits on it) until it succeeds, which opens the gate again;
 *   - a probe that succeeds changes nothing: a slow query on a live database keeps running.
 * The embedded engine (PGlite) is in this process and needs none of this; nor is a stalled query
 * probed when the pool has one connection (a single-session server refuses the probe's second
 * session, so the probe would fail while the database is merely busy).
 */
import type { Sql } from 'postgres';
import { AppError, isConnectionError } from '../core/errors.ts';

export interface GateOptions {
  /** opens one connection, runs `select 1`, closes it; rejects when that fails */
  probe: () => Promise<void>;
  /** a query waiting this long starts a probe; 0: only connection errors do */
  stallMs: number;
  /** a probe that takes longer has failed */
  probeTimeoutMs: number;
  /** the same while the database is down: nobody waits on it, so a busy database gets longer to
   *  prove it is back (default 5 s) */
  recoveryProbeTimeoutMs?: number;
  /** while down, probe this often */
  retryMs: number;
  onChange?: (up: boolean, reason: string) => void;
}

interface Waiting { since: number; reject: (e: unknown) => void; cancel?: () => void }

export class DatabaseGate {
  private downReason: string | undefined;
  private readonly waiting = new Set<Waiting>();
  private probing: Promise<void> | undefined;
  private watchdog: NodeJS.Timeout | undefined;
  private retry: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(private readonly o: GateOptions) {}

  get up(): boolean { return this.downReason === undefined; }

  /** runs `start` (a query, a transaction) unless the database is known to be down */
  run<T>(start: () => PromiseLike<T>, cancel?: () => void): Promise<T> {
    if (this.downReason !== undefined) return Promise.reject(new AppError('DB_UNAVAILABLE'));
    return new Promise<T>((resolve, reject) => {
      const w: Waiting = { since: Date.now(), reject, cancel };
      this.waiting.add(w);
      this.arm();
      Promise.resolve().then(start).then(resolve, (e: unknown) => {
        if (isConnectionError(e)) this.check(e);
        reject(e);
      }).finally(() => this.waiting.delete(w));
    });
  }

  close(): void {
    this.closed = true;
    clearInterval(this.watchdog);
    clearTimeout(this.retry);
  }

  private arm() {
    if (this.watchdog || !this.o.stallMs) return;
    this.watchdog = setInterval(() => {
      if (!this.waiting.size) { clearInterval(this.watchdog); this.watchdog = undefined; return; }
      const oldest = Math.min(...[...this.waiting].map((w) => w.since));
      if (Date.now() - oldest >= this.o.stallMs) this.check(new Error(`a query has waited ${Date.now() - oldest} ms`));
    }, Math.max(50, Math.floor(this.o.stallMs / 4)));
    this.watchdog.unref();
  }

  /** probes once (calls made meanwhile share it); down when it fails */
  private check(cause: unknown) {
    if (this.closed || this.probing || this.downReason !== undefined) return;
    this.probing = this.probe().then((ok) => {
      if (!ok) this.markDown(cause);
    }).finally(() => { this.probing = undefined; });
  }

  private async probe(timeoutMs = this.o.probeTimeoutMs): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        this.o.probe(),
        new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error('probe timed out')), timeoutMs); }),
      ]);
      return true;
    } catch {
      return false;
    } finally {
      clearTimeout(timer);
    }
  }

  private markDown(cause: unknown) {
    this.downReason = cause instanceof Error ? cause.message : String(cause);
    this.o.onChange?.(false, this.downReason);
    for (const w of this.waiting) {
      w.reject(new AppError('DB_UNAVAILABLE', undefined, { cause }));
      try { w.cancel?.(); } catch { /* the query's connection is gone anyway */ }
    }
    this.waiting.clear();
    const again = () => {
      if (this.closed) return;
      void this.probe(this.o.recoveryProbeTimeoutMs ?? 5000).then((ok) => {
        if (ok) {
          const reason = this.downReason!;
          this.downReason = undefined;
          this.o.onChange?.(true, reason);
        } else {
          this.retry = setTimeout(again, this.o.retryMs);
          this.retry.unref();
        }
      });
    };
    this.retry = setTimeout(again, this.o.retryMs);
    this.retry.unref();
  }
}

/**
 * The pool as drizzle sees it, every query and transaction through the gate. drizzle uses only
 * `unsafe(...)` (awaited, or `.values()` then awaited), `begin` and `savepoint`; the rest passes through.
 */
export function gatedSql(sql: Sql, gate: DatabaseGate): Sql {
  return new Proxy(sql, {
    get(target, prop, receiver) {
      if (prop === 'unsafe') {
        return (...args: Parameters<Sql['unsafe']>) => gatedQuery(target.unsafe(...args) as unknown as Pending, gate);
      }
      if (prop === 'begin' || prop === 'savepoint') {
        return (...args: unknown[]) => {
          const fn = args.pop() as (tx: Sql) => unknown;
          const open = (target as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>)[prop];
          return gate.run(() => open.call(target, ...args, (tx: Sql) => fn(gatedSql(tx, gate))));
        };
      }
      return Reflect.get(target, prop, receiver);
    },
  });
}

/** what drizzle uses of a postgres.js query */
type Pending = PromiseLike<unknown> & { values(): PromiseLike<unknown>; cancel(): unknown };

function gatedQuery(q: Pending, gate: DatabaseGate): Pending {
  let query = q;
  const wrapper: Pending & { catch: Promise<unknown>['catch'] } = {
    values() { query = query.values() as Pending; return wrapper; },
    cancel() { return query.cancel(); },
    // postgres.js sends a query when it is first awaited
    then(onFulfilled, onRejected) {
      return gate.run(() => query, () => { void Promise.resolve(query.cancel()).catch(() => {}); }).then(onFulfilled, onRejected);
    },
    catch(onRejected) { return wrapper.then(undefined, onRejected) as Promise<never>; },
  };
  return wrapper;
}
