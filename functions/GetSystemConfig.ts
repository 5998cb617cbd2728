/** POST /GetSystemConfig: name → info {name, config (JSON string, secrets masked)}. */
import { z } from 'zod';
import { defineFunction } from './lib/define.ts';
import { configName } from './lib/fields.ts';
import { out } from './lib/outputs.ts';

export const input = z.object({ name: configName });
export type Input = z.infer<typeof input>;

export const output = out({ info: out({ name: z.string(), config: z.string().describe('a JSON object, as a string; secrets read "******"') }) });
export type Output = z.input<typeof output>;

export const app = defineFunction({
  uri: '/GetSystemConfig',
  role: 'admin',
  summary: 'A named config, secrets masked.',
  input,
  output,
  errors: ['CONFIG_NOT_FOUND'],
  example: { input: { name: 'StorageServer' }, output: { info: { name: 'StorageServer', config: '{"ip":"10.0.0.5","port":9000,"bucket":"facewatch","access_key":"minio","secret_key":"******"}' } } },
  handler: (i, { services }) => services.systemConfig.get(i.name),
});
