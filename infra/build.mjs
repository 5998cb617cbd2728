// Builds the runnable JavaScript the launcher (infra/start.sh) starts: one bundle per entry in dist/,
// npm packages left as imports, code shared between entries and lazily imported adapters split into
// dist/chunks/. Running the build instead of the TypeScript sources keeps the TypeScript loader
// (its hooks thread and compile cache: ~50 MB resident, measured with bench:api) out of the server.
// Takes well under a second, so the launcher builds on every start and dist/ is never stale.
// Another process may be running from dist/ (a host and a stream node on one box, or a restart):
// only files whose bytes changed are replaced, each by an atomic rename, and nothing is deleted, so
// a running process never finds a chunk it loads lazily missing or half-written.
import { build } from 'esbuild';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outdir = join(root, 'dist');

const ENTRIES = ['functions/host.ts', 'stream-node/main.ts', 'core/face/worker.ts'];

export async function buildDist() {
  const result = await build({
    absWorkingDir: root,
    entryPoints: ENTRIES,
    outbase: '.',
    outdir,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    chunkNames: 'chunks/[name]-[hash]',
    sourcemap: 'linked',
    logLevel: 'warning',
    write: false,
  });
  for (const file of result.outputFiles) {
    const old = await readFile(file.path).catch(() => null);
    if (old && Buffer.compare(old, file.contents) === 0) continue;
    await mkdir(dirname(file.path), { recursive: true });
    const tmp = `${file.path}.${process.pid}.tmp`;
    await writeFile(tmp, file.contents);
    await rename(tmp, file.path);
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  buildDist().catch((e) => {
    console.error(`build failed: ${e instanceof Error ? e.message : e}`);
    process.exit(1);
  });
}
