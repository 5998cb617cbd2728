/** POST /UpdateSystemConfig: name, config (a JSON object as a string), remark?. StorageServer is applied (checked first). */
import { z } from 'zod';
import { defineFunction } from './lib/define.ts';
import { checked, configName, remark, text } from './lib/fields.ts';
import { parseConfigObject, STORAGE_SERVER, storageConfigOf } from './services/systemConfig.ts';

export const input = checked(
  z.object({ name: configName, config: checked(text(65536), (c) => { parseConfigObject(c); }), remark: remark.optional() }),
  // StorageServer's fields (ip, port, bucket, keys, tls ...): INVALID_CONFIG "config.<key>: why"
  // (AlarmWebhook's fields are checked by the service: a masked secret sent back needs the stored one)
  (i) => { if (i.name === STORAGE_SERVER) storageConfigOf(parseConfigObject(i.config)); },
  ['config'],
);
export type Input = z.infer<typeof input>;

export const app = defineFunction({
  uri: '/UpdateSystemConfig',
  role: 'admin',
  summary: 'Store a named config (a JSON object as a string); StorageServer is applied once the new store answers, AlarmWebhook once checked.',
  input,
  errors: ['INVALID_CONFIG', 'ADDRESS_NOT_ALLOWED', 'STORAGE_CONFIG_REJECTED'],
  example: { input: { name: 'StorageServer', config: '{"ip":"10.0.0.5","port":9000,"bucket":"facewatch","access_key":"minio","secret_key":"minio123"}', remark: '' } },
  handler: (i, { services }) => services.systemConfig.update(i),
});
