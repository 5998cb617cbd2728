// Types of infra/build.mjs (plain JavaScript: the launcher runs it with node, before any TypeScript loader).
export declare function buildDist(): Promise<void>;
