/** POST /DownloadPersonPicture: pic_url (a /pictures/ or /captures/ reference) → data (base64). */
import { z } from 'zod';
import { defineFunction } from './lib/define.ts';
import { picUrl } from './lib/fields.ts';
import { out } from './lib/outputs.ts';

export const input = z.object({ pic_url: picUrl });
export type Input = z.infer<typeof input>;

export const output = out({ data: z.base64().describe('the image bytes, base64') });
export type Output = z.input<typeof output>;

export const app = defineFunction({
  uri: '/DownloadPersonPicture',
  role: 'viewer',
  summary: 'A picture (an upload or a capture image) as base64.',
  input,
  output,
  errors: ['INVALID_PIC_URL', 'PICTURE_NOT_FOUND', 'STORAGE_UNAVAILABLE'],
  example: { input: { pic_url: '/pictures/2026/11/23/0f8fad5b-d9cb-469f-a165-70867728950e.jpg' }, output: { data: '/9j/4AAQSkZJRgABAQAAAQABAAA=' } },
  handler: (i, { services }) => services.pictures.download(i.pic_url),
});
