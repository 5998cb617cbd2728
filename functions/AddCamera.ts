/** POST /AddCamera: name, rtsp (rtsp:// URL), type?, remark? → camera_id. */
import { z } from 'zod';
import { defineFunction } from './lib/define.ts';
import { cameraType, name, remark, rtsp } from './lib/fields.ts';

export const input = z.object({ name: name(), rtsp, type: cameraType.optional(), remark: remark.optional() });
export type Input = z.infer<typeof input>;

export const app = defineFunction({
  uri: '/AddCamera',
  role: 'operator',
  input,
  handler: (i, { services }) => services.cameras.add(i),
});
