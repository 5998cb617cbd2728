/** POST /DeleteLibrary: with its persons, embeddings and the pictures only they used; LIBRARY_IN_USE while a task uses it. */
import { z } from 'zod';
import { defineFunction } from './lib/define.ts';
import { id } from './lib/fields.ts';

export const input = z.object({ lib_id: id });
export type Input = z.infer<typeof input>;

export const app = defineFunction({
  uri: '/DeleteLibrary',
  role: 'operator',
  input,
  handler: (i, { services }) => services.libraries.remove(i.lib_id),
});
