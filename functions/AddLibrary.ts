/** POST /AddLibrary: name, type (default 0), remark → lib_id. */
import { z } from 'zod';
import { defineFunction } from './lib/define.ts';
import { int, name, remark } from './lib/fields.ts';

export const input = z.object({ name: name(), type: int(0, 1_000_000).optional(), remark: remark.optional() });
export type Input = z.infer<typeof input>;

export const app = defineFunction({
  uri: '/AddLibrary',
  role: 'operator',
  input,
  handler: (i, { services }) => services.libraries.add(i),
});
