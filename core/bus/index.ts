/** The bus's public surface: subjects, message schemas, the Bus contract and its two implementations. */
export * from './subjects.ts';
export * from './messages.ts';
export * from './types.ts';
export { createMemoryBus } from './memory.ts';
export { connectNatsBus, type NatsBusOptions } from './nats.ts';
export { Outbox, type OutboxOptions } from './outbox.ts';
