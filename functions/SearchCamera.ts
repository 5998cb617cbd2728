/**
 * POST /SearchCamera: ONVIF WS-Discovery for ONVIF_DISCOVERY_MS → info: {total_count, items: [{ip, manufacturer}]}.
 * `ip` is "host" or "host:port" (device service not on port 80): exactly what /QueryCameraRtsp takes.
 */
import { z } from 'zod';
import { defineFunction } from './lib/define.ts';

export const input = z.object({});
export type Input = z.infer<typeof input>;

export const app = defineFunction({
  uri: '/SearchCamera',
  role: 'operator',
  input,
  handler: async (_i, { services }) => ({ info: await services.onvif.search() }),
});
