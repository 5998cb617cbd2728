/**
 * POST /UploadPersonPicture: multipart/form-data, field `file` (JPEG/PNG/BMP/WebP, at most
 * MAX_UPLOAD_BYTES, decoded to check it is a real image) → pic_url. Session: `Authorization: Bearer`,
 * `X-Session` or the form's first field `session` (checked before the rest of the form is read).
 */
import { z } from 'zod';
import { defineFunction } from './lib/define.ts';
import { out } from './lib/outputs.ts';

const file = z.object({ filename: z.string(), type: z.string(), data: z.instanceof(Buffer) }, 'must be a file part');

export const input = z.object({ file });
export type Input = z.infer<typeof input>;

export const output = out({ pic_url: z.string().meta({ example: '/pictures/2026/11/23/0f8fad5b-d9cb-469f-a165-70867728950e.jpg' }) });
export type Output = z.input<typeof output>;

export const app = defineFunction({
  uri: '/UploadPersonPicture',
  role: 'operator',
  summary: 'Upload a JPEG/PNG/BMP/WebP picture (multipart field `file`); gives its pic_url.',
  input,
  output,
  errors: ['NOT_AN_IMAGE', 'IMAGE_TOO_LARGE', 'UPLOAD_QUOTA_EXCEEDED', 'STORAGE_UNAVAILABLE'],
  example: { input: { file: '(the image file)' }, output: { pic_url: '/pictures/2026/11/23/0f8fad5b-d9cb-469f-a165-70867728950e.jpg' } },
  description: 'The session goes in a header or as the **first** form field (`SESSION_MISSING` otherwise: the rest of the form is not read). At most MAX_FORM_PARTS parts; each account keeps at most UPLOAD_QUOTA_BYTES of uploads.',
  body: 'multipart',
  handler: (i, { services, userId }) => services.pictures.upload(i.file, userId),
});
