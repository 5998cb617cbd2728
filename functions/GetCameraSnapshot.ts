/**
 * POST /GetCameraSnapshot: camera_id → data (base64 JPEG of a current frame, at most 1280 px wide).
 * The camera's host must be in CAMERA_ALLOWED_RANGES (ADDRESS_NOT_ALLOWED); no frame within
 * SNAPSHOT_TIMEOUT_MS → SNAPSHOT_TIMEOUT; a stream that cannot be read → STREAM_UNREADABLE,
 * CAMERA_UNREACHABLE or CAMERA_AUTH_FAILED; too many at once → SNAPSHOT_BUSY.
 */
import { z } from 'zod';
import { defineFunction } from './lib/define.ts';
import { id } from './lib/fields.ts';
import { out } from './lib/outputs.ts';

export const input = z.object({ camera_id: id });
export type Input = z.infer<typeof input>;

export const output = out({ data: z.base64().describe('a JPEG of a current frame, at most 1280 px wide, base64') });
export type Output = z.input<typeof output>;

export const app = defineFunction({
  uri: '/GetCameraSnapshot',
  role: 'operator',
  summary: 'A JPEG of what a camera shows now (for the console), base64.',
  input,
  output,
  errors: ['CAMERA_NOT_FOUND', 'INVALID_RTSP', 'ADDRESS_NOT_ALLOWED', 'CAMERA_UNREACHABLE', 'CAMERA_AUTH_FAILED', 'STREAM_UNREADABLE', 'SNAPSHOT_TIMEOUT', 'SNAPSHOT_BUSY'],
  example: { input: { camera_id: 3 }, output: { data: '/9j/4AAQSkZJRgABAQAAAQABAAA=' } },
  handler: (i, { services }) => services.snapshots.take(i.camera_id),
});
