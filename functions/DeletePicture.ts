/** POST /DeletePicture: an uploaded picture no person uses (PICTURE_IN_USE otherwise). */
import { z } from 'zod';
import { defineFunction } from './lib/define.ts';
import { uploadedPicUrl } from './lib/fields.ts';

export const input = z.object({ pic_url: uploadedPicUrl });
export type Input = z.infer<typeof input>;

export const app = defineFunction({
  uri: '/DeletePicture',
  role: 'operator',
  input,
  handler: (i, { services }) => services.pictures.remove(i.pic_url),
});
