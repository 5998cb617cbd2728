/**
 * At most `concurrency` tasks at a time, the rest waiting in order; with `maxWaiting`, a task that
 * would wait beyond it is refused at once (the caller's error). Used where work is expensive and
 * bursts are normal: camera snapshots on the host, picture downloads in the console.
 */
export interface Limiter {
  run<T>(task: () => Promise<T>): Promise<T>;
  readonly running: number;
  readonly waiting: number;
}

export function createLimiter(concurrency: number, opts: { maxWaiting?: number; full?: () => Error } = {}): Limiter {
  let running = 0;
  const queue: (() => void)[] = [];
  return {
    get running() { return running; },
    get waiting() { return queue.length; },
    async run(task) {
      if (running >= concurrency) {
        if (queue.length >= (opts.maxWaiting ?? Infinity)) throw opts.full?.() ?? new Error('limiter is full');
        await new Promise<void>((resolve) => queue.push(resolve));
      }
      running++;
      try {
        return await task();
      } finally {
        running--;
        queue.shift()?.();
      }
    },
  };
}
