/**
 * POST /UploadPersonPicture: multipart/form-data, field `file` (JPEG/PNG/BMP/WebP, at most
 * MAX_UPLOAD_BYTES, decoded to check it is a real image) → pic_url. Session: form field `session`,
 * `Authorization: Bearer` or `X-Session`.
 */
import { z } from 'zod';
import { defineFunction } from './lib/define.ts';

const file = z.object({ filename: z.string(), type: z.string(), data: z.instanceof(Buffer) }, 'must be a file part');

export const input = z.object({ file });
export type Input = z.infer<typeof input>;

export const app = defineFunction({
  uri: '/UploadPersonPicture',
  role: 'operator',
  input,
  body: 'multipart',
  handler: (i, { services, userId }) => services.pictures.upload(i.file, userId),
});
