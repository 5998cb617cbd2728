/** The bus's settings: NATS JetStream at NATS_URL, else the in-process bus (embedded default). */
import { z } from 'zod';
import { optionalString } from './parse.ts';

export const BusEnv = z.object({
  /** nats://host:port (comma-separated for a cluster) */
  NATS_URL: optionalString,
});
export type BusEnv = z.infer<typeof BusEnv>;
