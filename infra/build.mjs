// Builds what the launcher (infra/start.sh) runs. The server: one bundle per entry in dist/,
// npm packages left as imports, code shared between entries and lazily imported adapters split into
// dist/chunks/. Running the build instead of the TypeScript sources keeps the TypeScript loader
// (its hooks thread and compile cache: ~50 MB resident, measured with bench:api) out of the server.
// Takes well under a second, so the launcher builds on every start and dist/ is never stale.
// Another process may be running from dist/ (a host and a stream node on one box, or a restart):
// only files whose bytes changed are replaced, each by an atomic rename, and nothing is deleted, so
// a running process never finds a chunk it loads lazily missing or half-written.
// The operator console (console/, Vite): built into dist/console only when its inputs changed (see
// buildConsole), so a start with nothing changed costs a hash of ~60 small files.
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

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

const consoleOut = join(root, 'dist', 'console');
const stampFile = join(consoleOut, '.build-stamp.json');
/** Inputs of every build besides the modules it bundled: the page, the config, the locked versions. */
const FIXED_INPUTS = ['console/index.html', 'console/vite.config.ts', 'package-lock.json'];

async function hashInputs(files) {
  const h = createHash('sha256');
  for (const f of files) {
    h.update(f).update('\0');
    h.update(await readFile(join(root, f)));
    h.update('\0');
  }
  return h.digest('hex');
}

/**
 * Builds the console into dist/console when it is missing or stale: the stamp lists the files the
 * last build bundled (from the repository, not node_modules: those change only with
 * package-lock.json) and their hash, so any edit, added import or deleted file triggers a build and
 * nothing else does. A running host may be serving dist/console: new assets (hashed names) are added
 * before index.html is replaced by a rename, and only assets of builds older than the previous one
 * are removed. Assets are also stored gzipped (served when the browser accepts gzip).
 * Returns whether it built.
 */
export async function buildConsole({ force = false } = {}) {
  const stamp = JSON.parse(await readFile(stampFile, 'utf8').catch(() => 'null'));
  if (!force && stamp) {
    const current = await hashInputs(stamp.inputs).catch(() => null);
    if (current === stamp.hash) return false;
  }
  const { build: viteBuild } = await import('vite');
  await mkdir(join(root, 'dist'), { recursive: true });
  const tmp = await mkdtemp(join(root, 'dist', '.console-'));
  try {
    const result = await viteBuild({
      configFile: join(root, 'console', 'vite.config.ts'),
      logLevel: 'warn',
      build: { outDir: tmp, emptyOutDir: true },
    });
    const modules = new Set();
    for (const out of [result].flat()) {
      for (const item of out.output ?? []) {
        for (const id of item.moduleIds ?? []) {
          const rel = relative(root, id.split('?')[0]);
          if (!rel.startsWith('..') && !rel.split(sep).includes('node_modules') && !id.startsWith('\0')) modules.add(rel.split(sep).join('/'));
        }
      }
    }
    const inputs = [...new Set([...FIXED_INPUTS, ...[...modules].sort()])];
    const hash = await hashInputs(inputs);
    const files = (await readdir(join(tmp, 'assets'))).sort();
    await mkdir(join(consoleOut, 'assets'), { recursive: true });
    for (const f of files) {
      const data = await readFile(join(tmp, 'assets', f));
      await writeFile(join(tmp, 'assets', `${f}.gz`), gzipSync(data, { level: 9 }));
      await rename(join(tmp, 'assets', `${f}.gz`), join(consoleOut, 'assets', `${f}.gz`));
      await rename(join(tmp, 'assets', f), join(consoleOut, 'assets', f));
    }
    await rename(join(tmp, 'index.html'), join(consoleOut, 'index.html'));
    const keep = new Set([...files, ...(stamp?.files ?? [])].flatMap((f) => [f, `${f}.gz`]));
    for (const f of await readdir(join(consoleOut, 'assets'))) if (!keep.has(f)) await rm(join(consoleOut, 'assets', f), { force: true });
    const stampTmp = `${stampFile}.${process.pid}.tmp`;
    await writeFile(stampTmp, JSON.stringify({ hash, inputs, files }, null, 1));
    await rename(stampTmp, stampFile);
    return true;
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  Promise.all([buildDist(), buildConsole({ force: process.argv.includes('--force') })]).catch((e) => {
    console.error(`build failed: ${e instanceof Error ? e.message : e}`);
    process.exit(1);
  });
}
