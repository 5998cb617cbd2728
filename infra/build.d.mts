// Types of infra/build.mjs (plain JavaScript: the launcher runs it with node, before any TypeScript loader).
export declare function buildDist(): Promise<void>;
/** Builds the console into dist/console when missing or stale (or `force`); true when it built. */
export declare function buildConsole(options?: { force?: boolean }): Promise<boolean>;
