/** POST /DeletePerson: person_id in lib_id, with its embedding and the picture only it used. */
import { z } from 'zod';
import { defineFunction } from './lib/define.ts';
import { id, longId } from './lib/fields.ts';

export const input = z.object({ lib_id: id, person_id: longId });
export type Input = z.infer<typeof input>;

export const app = defineFunction({
  uri: '/DeletePerson',
  role: 'operator',
  summary: 'Delete a person (with its embedding and the picture only it used).',
  input,
  errors: ['LIBRARY_NOT_FOUND', 'PERSON_NOT_FOUND'],
  example: { input: { lib_id: 1, person_id: 1001 } },
  handler: (i, { services }) => services.persons.remove(i.lib_id, i.person_id),
});
