/**
 * Start a service by hand, print how to reach it, stop on Ctrl-C:
 *   npx tsx infra/services/cli.ts pglite [dataDir]    # Postgres wire protocol; use ONE connection
 *   npx tsx infra/services/cli.ts s3                  # S3 protocol (s3rver), bucket "facewatch"
 */
import { startPgliteServer, startS3Server } from './index.ts';

const [what, arg] = process.argv.slice(2);
let stop: () => Promise<void>;
if (what === 'pglite') {
  const s = await startPgliteServer({ dataDir: arg });
  stop = s.stop;
  process.stdout.write(`DATABASE_URL=${s.url}\nDATABASE_MAX_CONNECTIONS=1\n`);
} else if (what === 's3') {
  const s = await startS3Server();
  stop = s.stop;
  process.stdout.write(`S3_ENDPOINT=${s.endpoint}\nS3_BUCKET=${s.bucket}\nS3_ACCESS_KEY_ID=${s.accessKeyId}\n`
    + `S3_SECRET_ACCESS_KEY=${s.secretAccessKey}\nS3_FORCE_PATH_STYLE=true\n`);
} else {
  process.stderr.write('usage: tsx infra/services/cli.ts pglite [dataDir] | s3\n');
  process.exit(2);
}
process.stderr.write('running; Ctrl-C stops it\n');
const shutdown = () => void stop().then(() => process.exit(0));
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
