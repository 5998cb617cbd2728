/** The bus's public surface: subjects, message schemas, the Bus contract and its two implementations. */
import type { connectNatsBus as connectNats, NatsBusOptions } from './nats.ts';

export * from './subjects.ts';
export * from './messages.ts';
export * from './channels.ts';
export * from './types.ts';
export { createMemoryBus } from './memory.ts';
export { lazyBus, type LazyBus } from './lazy.ts';
export type { NatsBusOptions } from './nats.ts';
export { Outbox, type OutboxEntry, type OutboxMessage, type OutboxOptions, type OutboxStats } from './outbox.ts';

/** NATS loads with the first connection: the embedded default (in-process bus) never pays its ~14 MB. */
export async function connectNatsBus(opts: NatsBusOptions): ReturnType<typeof connectNats> {
  return (await import('./nats.ts')).connectNatsBus(opts);
}
