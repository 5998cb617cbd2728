// Types of db/pglite-open.mjs (plain JavaScript: the PGlite worker runs without a TypeScript loader).
import type { PGlite } from '@electric-sql/pglite';
export declare function openPglite(dataDir: string | null | undefined, settings: string[]): Promise<PGlite>;
