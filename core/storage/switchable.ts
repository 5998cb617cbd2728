import { AppError } from '../errors.ts';
import type { ObjectStore } from './types.ts';

/**
 * A store whose target can be replaced at run time (UpdateSystemConfig "StorageServer"): the new
 * target must pass check() first, otherwise STORAGE_CONFIG_REJECTED and the old one stays in force.
 * Switches are serialised, so two concurrent updates apply in the order they were asked.
 */
export class SwitchableObjectStore implements ObjectStore {
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private current: ObjectStore) {}

  /** The store in force now. */
  get target(): ObjectStore {
    return this.current;
  }

  /** Checks `next`, then makes it the target and closes the old one. On failure closes `next`. */
  switchTo(next: ObjectStore): Promise<void> {
    const run = async () => {
      try {
        await next.check();
      } catch (e) {
        await next.close?.().catch(() => {});
        // the class of failure only: neither the server's answer nor where the current store lives
        const reason = e instanceof AppError && e.kind === 'STORAGE_UNAVAILABLE' ? e.message.replace(/^.*?the object store /, '') : 'did not answer';
        throw new AppError('STORAGE_CONFIG_REJECTED', `the new object store ${reason}; the current store is kept`, { cause: e });
      }
      const old = this.current;
      this.current = next;
      // In-flight calls on the old store hold their own reference; give them time before closing.
      setTimeout(() => void old.close?.().catch(() => {}), 30_000).unref();
    };
    const result = this.queue.then(run, run);
    this.queue = result.catch(() => {});
    return result;
  }

  put(key: string, body: Buffer, contentType: string): Promise<void> { return this.current.put(key, body, contentType); }
  get(key: string): Promise<Buffer> { return this.current.get(key); }
  delete(key: string): Promise<void> { return this.current.delete(key); }
  check(): Promise<void> { return this.current.check(); }
  describe(): string { return this.current.describe(); }
  async close(): Promise<void> { await this.current.close?.(); }
}
