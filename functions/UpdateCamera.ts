/** POST /UpdateCamera: camera_id; name?, rtsp?, type?, remark?. */
import { z } from 'zod';
import { defineFunction } from './lib/define.ts';
import { cameraType, id, name, remark, rtsp } from './lib/fields.ts';

export const input = z.object({ camera_id: id, name: name().optional(), rtsp: rtsp.optional(), type: cameraType.optional(), remark: remark.optional() });
export type Input = z.infer<typeof input>;

export const app = defineFunction({
  uri: '/UpdateCamera',
  role: 'operator',
  summary: "Change a camera's fields; a new rtsp reaches running tasks at once.",
  input,
  errors: ['INVALID_RTSP', 'ADDRESS_NOT_ALLOWED', 'CAMERA_NOT_FOUND'],
  example: { input: { camera_id: 3, name: 'Gate 1 (north)' } },
  handler: (i, { services }) => services.cameras.update(i),
});
