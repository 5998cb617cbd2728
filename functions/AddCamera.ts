/** POST /AddCamera: name, rtsp (rtsp:// URL), type?, remark? → camera_id. */
import { z } from 'zod';
import { defineFunction } from './lib/define.ts';
import { cameraType, name, remark, rtsp } from './lib/fields.ts';
import { idOut, out } from './lib/outputs.ts';

export const input = z.object({ name: name(), rtsp, type: cameraType.optional(), remark: remark.optional() });
export type Input = z.infer<typeof input>;

export const output = out({ camera_id: idOut });
export type Output = z.input<typeof output>;

export const app = defineFunction({
  uri: '/AddCamera',
  role: 'operator',
  summary: 'Add a camera by its RTSP address.',
  input,
  output,
  errors: ['INVALID_RTSP', 'ADDRESS_NOT_ALLOWED'],
  example: { input: { name: 'Gate 1', rtsp: 'rtsp://admin:pass@192.168.1.64:554/Streaming/Channels/101', type: 0, remark: '' }, output: { camera_id: 3 } },
  handler: (i, { services }) => services.cameras.add(i),
});
