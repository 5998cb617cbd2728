/**
 * POST /SearchCamera: ONVIF WS-Discovery for ONVIF_DISCOVERY_MS → info: {total_count, items: [{ip, manufacturer}]}.
 * `ip` is "host" or "host:port" (device service not on port 80): exactly what /QueryCameraRtsp takes.
 */
import { z } from 'zod';
import { defineFunction } from './lib/define.ts';
import { out } from './lib/outputs.ts';

export const input = z.object({});
export type Input = z.infer<typeof input>;

export const output = out({ info: out({ total_count: z.number().int().nonnegative(), items: z.array(out({ ip: z.string().describe('"host" or "host:port": what /QueryCameraRtsp takes'), manufacturer: z.string() })) }) });
export type Output = z.input<typeof output>;

export const app = defineFunction({
  uri: '/SearchCamera',
  role: 'operator',
  summary: 'ONVIF WS-Discovery of the cameras on the local network.',
  input,
  output,
  errors: ['DISCOVERY_FAILED'],
  example: { input: {}, output: { info: { total_count: 1, items: [{ ip: '192.168.1.64', manufacturer: 'HIKVISION' }] } } },
  handler: async (_i, { services }) => ({ info: await services.onvif.search() }),
});
