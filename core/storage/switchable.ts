import { AppError } from '../errors.ts';
import type { ObjectStore } from './types.ts';

/**
 * A store whose target can be replaced at run time (UpdateSystemConfig "StorageServer"): the new
 * target must pass check() first, otherwise STORAGE_CONFIG_REJECTED and the old one stays in force.
 * Switches are serialised, so two concurrent updates apply in the order they were asked.
 *
 * The first target may be given as an opener: it runs on first use (a function deployed alone that
 * never touches a picture never opens the store, nor loads the S3 SDK); a failed open is tried again
 * on the next use.
 */
export class SwitchableObjectStore implements ObjectStore {
  private queue: Promise<unknown> = Promise.resolve();
  private current: ObjectStore | undefined;
  private opening: Promise<ObjectStore> | undefined;
  private readonly opener: (() => Promise<ObjectStore>) | undefined;

  constructor(initial: ObjectStore | (() => Promise<ObjectStore>)) {
    if (typeof initial === 'function') this.opener = initial;
    else this.current = initial;
  }

  /** The store in force now (undefined before the first use of an opener). */
  get target(): ObjectStore | undefined {
    return this.current;
  }

  /** Opens the first target now (the host does at start, so a bad saved config is logged then). */
  async open(): Promise<ObjectStore> {
    if (this.current) return this.current;
    this.opening ??= this.opener!().then(
      (s) => (this.current = s),
      (e) => { this.opening = undefined; throw e; },
    );
    return this.opening;
  }

  /** Checks `next`, then makes it the target and closes the old one. On failure closes `next`. */
  switchTo(next: ObjectStore): Promise<void> {
    const run = async () => {
      const old = await this.open().catch(() => undefined);
      try {
        await next.check();
      } catch (e) {
        await next.close?.().catch(() => {});
        // the class of failure only: neither the server's answer nor where the current store lives
        const reason = e instanceof AppError && e.kind === 'STORAGE_UNAVAILABLE' ? e.message.replace(/^.*?the object store /, '') : 'did not answer';
        throw new AppError('STORAGE_CONFIG_REJECTED', `the new object store ${reason}; the current store is kept`, { cause: e });
      }
      this.current = next;
      // In-flight calls on the old store hold their own reference; give them time before closing.
      if (old) setTimeout(() => void old.close?.().catch(() => {}), 30_000).unref();
    };
    const result = this.queue.then(run, run);
    this.queue = result.catch(() => {});
    return result;
  }

  async put(key: string, body: Buffer, contentType: string): Promise<void> { return (await this.open()).put(key, body, contentType); }
  async get(key: string): Promise<Buffer> { return (await this.open()).get(key); }
  async delete(key: string): Promise<void> { return (await this.open()).delete(key); }
  async check(): Promise<void> { return (await this.open()).check(); }
  describe(): string { return this.current?.describe() ?? 'object store (not opened yet)'; }
  async close(): Promise<void> { await this.current?.close?.(); }
}
