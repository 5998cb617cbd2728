import type { ChildProcess } from 'node:child_process';

/**
 * Stops a child process and waits for it: `signal` (SIGTERM by default), then SIGKILL if it has
 * not exited within `graceMs`. A child that already exited, or never started, is left alone.
 */
export async function stopChild(child: ChildProcess, opts: { signal?: NodeJS.Signals; graceMs?: number } = {}): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill(opts.signal ?? 'SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), opts.graceMs ?? 5000);
  await exited;
  clearTimeout(timer);
}
