/** POST /DeletePicture: an uploaded picture no person uses (PICTURE_IN_USE otherwise). */
import { z } from 'zod';
import { defineFunction } from './lib/define.ts';
import { uploadedPicUrl } from './lib/fields.ts';

export const input = z.object({ pic_url: uploadedPicUrl });
export type Input = z.infer<typeof input>;

export const app = defineFunction({
  uri: '/DeletePicture',
  role: 'operator',
  summary: 'Delete an uploaded picture nobody uses.',
  input,
  errors: ['INVALID_PIC_URL', 'PICTURE_NOT_FOUND', 'PICTURE_IN_USE', 'STORAGE_UNAVAILABLE'],
  example: { input: { pic_url: '/pictures/2026/11/23/0f8fad5b-d9cb-469f-a165-70867728950e.jpg' } },
  handler: (i, { services }) => services.pictures.remove(i.pic_url),
});
