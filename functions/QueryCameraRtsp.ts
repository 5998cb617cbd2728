/**
 * POST /QueryCameraRtsp: ip ("host", "host:port", "[v6]:port"), user?, password? (the camera's own,
 * plain: the WS-Security digest needs it), with_credentials? (true/1: put user:password in the URI)
 * → info: {rtsp}. Only addresses in CAMERA_ALLOWED_RANGES are contacted (ADDRESS_NOT_ALLOWED otherwise),
 * at most QUERY_RTSP_PER_MINUTE calls per user that reach a device (RATE_LIMITED; refused addresses do not count): each call makes the server connect
 * where its caller says.
 */
import { z } from 'zod';
import { defineFunction } from './lib/define.ts';
import { text } from './lib/fields.ts';
import { out } from './lib/outputs.ts';

const flag = z.union([z.boolean(), z.literal(0), z.literal(1)], 'must be true, false, 1 or 0').transform((v) => v === true || v === 1);

export const input = z
  .object({
    ip: text(300).refine((s) => s.trim().length > 0, 'must not be empty'),
    user: text(128).optional(),
    password: text(256).optional(),
    with_credentials: flag.optional(),
  })
  .refine((i) => !!i.user || !i.password, { path: ['user'], message: 'is required when password is given' });
export type Input = z.infer<typeof input>;

export const output = out({ info: out({ rtsp: z.string() }) });
export type Output = z.input<typeof output>;

export const app = defineFunction({
  uri: '/QueryCameraRtsp',
  role: 'operator',
  summary: "A camera's stream URI, asked over ONVIF (GetProfiles + GetStreamUri).",
  input,
  output,
  errors: ['INVALID_FIELD', 'RATE_LIMITED', 'ADDRESS_NOT_ALLOWED', 'CAMERA_UNREACHABLE', 'CAMERA_TIMEOUT', 'NOT_ONVIF', 'CAMERA_AUTH_FAILED', 'NO_MEDIA_PROFILE'],
  example: { input: { ip: '192.168.1.64', user: 'admin', password: 'pass' }, output: { info: { rtsp: 'rtsp://192.168.1.64:554/Streaming/Channels/101' } } },
  handler: async (i, { services, userId }) => {
    const query = { ip: i.ip, user: i.user || undefined, password: i.password, withCredentials: i.with_credentials };
    return { info: await services.onvif.queryRtsp({ ...query, beforeContact: () => services.rtspQueries.take(userId) }) };
  },
});
