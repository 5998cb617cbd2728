/** POST /QueryCameraList: page_no, page_size, name? (substring), type? → items with both `online` and `state`. */
import { z } from 'zod';
import { defineFunction } from './lib/define.ts';
import { cameraType, page, text } from './lib/fields.ts';

export const input = z.object({ ...page, name: text(128).optional(), type: cameraType.optional() });
export type Input = z.infer<typeof input>;

export const app = defineFunction({
  uri: '/QueryCameraList',
  role: 'viewer',
  input,
  handler: (i, { services }) => services.cameras.list(i),
});
