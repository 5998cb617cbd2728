/** POST /QueryLibraryList: page_no, page_size, type?, name? (substring) → info {page_no, page_size, total_count, items}. */
import { z } from 'zod';
import { defineFunction } from './lib/define.ts';
import { int, page, text } from './lib/fields.ts';
import { idOut, out, paged, timeOut } from './lib/outputs.ts';

export const input = z.object({ ...page, type: int(0, 1_000_000).optional(), name: text(128).optional() });
export type Input = z.infer<typeof input>;

/** one library of the answer */
export const library = out({ lib_id: idOut, name: z.string(), type: z.number().int(), person_count: z.number().int().nonnegative(), remark: z.string(), create_time: timeOut });

export const output = paged(library);
export type Output = z.input<typeof output>;

export const app = defineFunction({
  uri: '/QueryLibraryList',
  role: 'viewer',
  summary: 'Libraries, newest first, paged.',
  input,
  output,
  errors: [],
  example: {
    input: { page_no: 1, page_size: 20, name: '' },
    output: { info: { page_no: 1, page_size: 20, total_count: 1, items: [{
      lib_id: 1, name: 'Staff', type: 0, person_count: 42, remark: '', create_time: '2026-11-23 09:30:00',
    }] } },
  },
  handler: (i, { services }) => services.libraries.list(i),
});
