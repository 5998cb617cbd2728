/** POST /DeletePerson: person_id in lib_id, with its embedding and the picture only it used. */
import { z } from 'zod';
import { defineFunction } from './lib/define.ts';
import { id, longId } from './lib/fields.ts';

export const input = z.object({ lib_id: id, person_id: longId });
export type Input = z.infer<typeof input>;

export const app = defineFunction({
  uri: '/DeletePerson',
  role: 'operator',
  input,
  handler: (i, { services }) => services.persons.remove(i.lib_id, i.person_id),
});
