/** POST /QueryLibraryList: page_no, page_size, type?, name? (substring) → info {page_no, page_size, total_count, items}. */
import { z } from 'zod';
import { defineFunction } from './lib/define.ts';
import { int, page, text } from './lib/fields.ts';

export const input = z.object({ ...page, type: int(0, 1_000_000).optional(), name: text(128).optional() });
export type Input = z.infer<typeof input>;

export const app = defineFunction({
  uri: '/QueryLibraryList',
  role: 'viewer',
  input,
  handler: (i, { services }) => services.libraries.list(i),
});
