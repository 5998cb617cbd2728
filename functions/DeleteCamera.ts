/** POST /DeleteCamera: refused while a task uses the camera (CAMERA_IN_USE). */
import { z } from 'zod';
import { defineFunction } from './lib/define.ts';
import { id } from './lib/fields.ts';

export const input = z.object({ camera_id: id });
export type Input = z.infer<typeof input>;

export const app = defineFunction({
  uri: '/DeleteCamera',
  role: 'operator',
  input,
  handler: (i, { services }) => services.cameras.remove(i.camera_id),
});
