/** POST /Compare1V1: first_pic, second_pic (pic_urls, one face each) → similarity in [0, 1] (the task threshold scale). */
import { z } from 'zod';
import { defineFunction } from './lib/define.ts';
import { picUrl } from './lib/fields.ts';
import { out } from './lib/outputs.ts';

export const input = z.object({ first_pic: picUrl, second_pic: picUrl });
export type Input = z.infer<typeof input>;

export const output = out({ similarity: z.number().min(0).max(1) });
export type Output = z.input<typeof output>;

export const app = defineFunction({
  uri: '/Compare1V1',
  role: 'viewer',
  summary: 'Similarity in [0, 1] of the faces of two pictures (the scale of task thresholds).',
  input,
  output,
  errors: ['INVALID_PIC_URL', 'PICTURE_NOT_FOUND', 'NOT_AN_IMAGE', 'IMAGE_TOO_LARGE', 'NO_FACE', 'MULTIPLE_FACES', 'FACE_ENGINE_FAILED', 'STORAGE_UNAVAILABLE'],
  example: { input: { first_pic: '/pictures/2026/11/23/0f8fad5b-d9cb-469f-a165-70867728950e.jpg', second_pic: '/pictures/2026/11/23/7c9e6679-7425-40de-944b-e07fc1f90ae7.jpg' }, output: { similarity: 0.9132 } },
  handler: (i, { services }) => services.persons.compare(i.first_pic, i.second_pic),
});
