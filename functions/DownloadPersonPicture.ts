/** POST /DownloadPersonPicture: pic_url (a /pictures/ or /captures/ reference) → data (base64). */
import { z } from 'zod';
import { defineFunction } from './lib/define.ts';
import { picUrl } from './lib/fields.ts';

export const input = z.object({ pic_url: picUrl });
export type Input = z.infer<typeof input>;

export const app = defineFunction({
  uri: '/DownloadPersonPicture',
  role: 'viewer',
  input,
  handler: (i, { services }) => services.pictures.download(i.pic_url),
});
