/** POST /DeleteLibrary: with its persons, embeddings and the pictures only they used; LIBRARY_IN_USE while a task uses it. */
import { z } from 'zod';
import { defineFunction } from './lib/define.ts';
import { id } from './lib/fields.ts';

export const input = z.object({ lib_id: id });
export type Input = z.infer<typeof input>;

export const app = defineFunction({
  uri: '/DeleteLibrary',
  role: 'operator',
  summary: 'Delete a library with its persons, their embeddings and the pictures only they used.',
  input,
  errors: ['LIBRARY_NOT_FOUND', 'LIBRARY_IN_USE'],
  example: { input: { lib_id: 1 } },
  handler: (i, { services }) => services.libraries.remove(i.lib_id),
});
