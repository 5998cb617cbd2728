/**
 * A bus that connects on first use. A function deployed alone gets one, so a cold start of a URI
 * that never sends or hears a bus message (e.g. /Login) opens no NATS connection; the API host and
 * its workers call connect() at start. A failed connection is tried again on the next use.
 * Fire-and-forget emits made before the connection is up are sent once it is, in order.
 */
import type { Logger } from '../log.ts';
import type { Bus, Subscription } from './types.ts';

export type LazyBus = Bus & { connect(): Promise<Bus>; readonly connected: boolean };

export function lazyBus(open: () => Promise<Bus>, log?: Logger): LazyBus {
  let bus: Bus | undefined;
  let opening: Promise<Bus> | undefined;
  let closed = false;
  const connect = (): Promise<Bus> => {
    if (bus) return Promise.resolve(bus);
    opening ??= open().then(
      (b) => (bus = b),
      (e) => { opening = undefined; throw e; },
    );
    return opening;
  };
  return {
    connect,
    get connected() { return !!bus; },
    ensureStream: async (spec) => (await connect()).ensureStream(spec),
    publish: async (subject, data, opts) => (await connect()).publish(subject, data, opts),
    consume: async (opts, handler) => (await connect()).consume(opts, handler),
    leases: async (spec) => (await connect()).leases(spec),
    check: async () => (await connect()).check(),
    pending: async (spec, durable) => (await connect()).pending(spec, durable),
    emit(subject, data) {
      if (bus) return bus.emit(subject, data);
      connect().then((b) => b.emit(subject, data), (err) => log?.warn({ err, subject }, 'bus: not connected; message not sent'));
    },
    subscribe(subject, handler, opts) {
      if (bus) return bus.subscribe(subject, handler, opts);
      let inner: Subscription | undefined;
      let stopped = false;
      connect().then((b) => { if (!stopped) inner = b.subscribe(subject, handler, opts); }, (err) => log?.error({ err, subject }, 'bus: not connected; not listening'));
      return { stop: async () => { stopped = true; await inner?.stop(); } };
    },
    async close() {
      if (closed) return;
      closed = true;
      const b = bus ?? (await opening?.catch(() => undefined));
      await b?.close();
    },
  };
}
