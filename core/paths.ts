/**
 * Where the repository's own files are (models/, db/migrations, db/pglite-worker.mjs, the built
 * face worker). Found by walking up from this module to package.json, so the answer is the same
 * whether this code runs from source (core/paths.ts under tsx) or from the build in dist/, where
 * every module's import.meta.url points into a bundle or a shared chunk.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function findRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`no package.json above ${from}`);
  }
}

export const ROOT = findRoot(dirname(fileURLToPath(import.meta.url)));

/** True when running the build (dist/*.js) rather than the TypeScript sources. */
export const BUILT = !import.meta.url.endsWith('.ts');

/** A file of the repository, by its path from the root. */
export const repoPath = (...parts: string[]): string => join(ROOT, ...parts);
