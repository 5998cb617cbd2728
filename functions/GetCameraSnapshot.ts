/**
 * POST /GetCameraSnapshot: camera_id → data (base64 JPEG of a current frame, at most 1280 px wide).
 * The camera's host must be in CAMERA_ALLOWED_RANGES (ADDRESS_NOT_ALLOWED); no frame within
 * SNAPSHOT_TIMEOUT_MS → SNAPSHOT_TIMEOUT; a stream that cannot be read → STREAM_UNREADABLE,
 * CAMERA_UNREACHABLE or CAMERA_AUTH_FAILED; too many at once → SNAPSHOT_BUSY.
 */
import { z } from 'zod';
import { defineFunction } from './lib/define.ts';
import { id } from './lib/fields.ts';

export const input = z.object({ camera_id: id });
export type Input = z.infer<typeof input>;

export const app = defineFunction({
  uri: '/GetCameraSnapshot',
  role: 'operator',
  input,
  output: z.object({ data: z.string() }),
  handler: (i, { services }) => services.snapshots.take(i.camera_id),
});
