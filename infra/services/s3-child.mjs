// Child process of startS3Server(): s3rver (an S3-protocol server written for tests) on 127.0.0.1,
// a random port (or S3_PORT), objects kept in S3_DIR. Tells its parent its address over IPC once
// listening. The folder is removed when the parent goes away (S3_REMOVE_ON_PARENT_EXIT), not on a
// SIGTERM: the parent's restart() starts another server on the same folder.
import { rmSync } from 'node:fs';
import S3rver from 's3rver';
import { announceAndServe } from './child-lifecycle.mjs';

const dir = process.env.S3_DIR;
const bucket = process.env.S3_BUCKET || 'facewatch';
const port = Number(process.env.S3_PORT || 0);
if (!dir) throw new Error('S3_DIR is required');

const server = new S3rver({
  address: '127.0.0.1',
  port,
  directory: dir,
  silent: true,
  configureBuckets: [{ name: bucket }],
});
// s3rver knows one built-in key pair; it checks the key id (not SigV4 signatures)
const { port: actualPort } = await server.run();
const info = { endpoint: `http://127.0.0.1:${actualPort}`, bucket, accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
announceAndServe(info, async (why) => {
  try {
    await server.close();
  } finally {
    if (why === 'parent-gone' && process.env.S3_REMOVE_ON_PARENT_EXIT) rmSync(dir, { recursive: true, force: true });
  }
});
