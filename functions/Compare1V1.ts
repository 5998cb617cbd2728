/** POST /Compare1V1: first_pic, second_pic (pic_urls, one face each) → similarity in [0, 1] (the task threshold scale). */
import { z } from 'zod';
import { defineFunction } from './lib/define.ts';
import { picUrl } from './lib/fields.ts';

export const input = z.object({ first_pic: picUrl, second_pic: picUrl });
export type Input = z.infer<typeof input>;

export const app = defineFunction({
  uri: '/Compare1V1',
  role: 'viewer',
  input,
  handler: (i, { services }) => services.persons.compare(i.first_pic, i.second_pic),
});
