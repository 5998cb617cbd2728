/**
 * vitest global setup: the console (console/, served by the host at `/`) is built into dist/console
 * when missing or stale, once per test run, so the browser tests load what the sources say. An
 * up-to-date build costs a hash of its inputs (infra/build.mjs buildConsole).
 */
import { buildConsole } from '../../infra/build.mjs';

export default async function setup(): Promise<void> {
  await buildConsole();
}
