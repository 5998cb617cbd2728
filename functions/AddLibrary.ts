/** POST /AddLibrary: name, type (default 0), remark → lib_id. */
import { z } from 'zod';
import { defineFunction } from './lib/define.ts';
import { int, name, remark } from './lib/fields.ts';
import { idOut, out } from './lib/outputs.ts';

export const input = z.object({ name: name(), type: int(0, 1_000_000).optional(), remark: remark.optional() });
export type Input = z.infer<typeof input>;

export const output = out({ lib_id: idOut });
export type Output = z.input<typeof output>;

export const app = defineFunction({
  uri: '/AddLibrary',
  role: 'operator',
  summary: 'Create a person library.',
  input,
  output,
  errors: [],
  example: { input: { name: 'Staff', type: 0, remark: '' }, output: { lib_id: 1 } },
  handler: (i, { services }) => services.libraries.add(i),
});
