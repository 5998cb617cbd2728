/** POST /DeleteCamera: refused while a task uses the camera (CAMERA_IN_USE). */
import { z } from 'zod';
import { defineFunction } from './lib/define.ts';
import { id } from './lib/fields.ts';

export const input = z.object({ camera_id: id });
export type Input = z.infer<typeof input>;

export const app = defineFunction({
  uri: '/DeleteCamera',
  role: 'operator',
  summary: 'Delete a camera no task uses.',
  input,
  errors: ['CAMERA_NOT_FOUND', 'CAMERA_IN_USE'],
  example: { input: { camera_id: 3 } },
  handler: (i, { services }) => services.cameras.remove(i.camera_id),
});
