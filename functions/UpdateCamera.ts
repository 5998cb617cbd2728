/** POST /UpdateCamera: camera_id; name?, rtsp?, type?, remark?. */
import { z } from 'zod';
import { defineFunction } from './lib/define.ts';
import { cameraType, id, name, remark, rtsp } from './lib/fields.ts';

export const input = z.object({ camera_id: id, name: name().optional(), rtsp: rtsp.optional(), type: cameraType.optional(), remark: remark.optional() });
export type Input = z.infer<typeof input>;

export const app = defineFunction({
  uri: '/UpdateCamera',
  role: 'operator',
  input,
  handler: (i, { services }) => services.cameras.update(i),
});
