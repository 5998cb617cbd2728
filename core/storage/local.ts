import { mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises';
import { dirname, resolve, sep } from 'node:path';
import { randomUUID } from 'node:crypto';
import { AppError } from '../errors.ts';
import { normalizeKey, withDeadline } from './keys.ts';
import { CHECK_TIMEOUT_MS, type ObjectStore } from './types.ts';

const NOT_FOUND = new Set(['ENOENT', 'ENOTDIR', 'EISDIR']);

/**
 * Objects as files under one directory (the embedded default). Writes go to a temp file beside the
 * target and are renamed over it, so a reader never sees half a picture. The content type is not
 * kept: the pictures table records it.
 */
export class LocalObjectStore implements ObjectStore {
  private readonly root: string;

  constructor(dir: string) {
    this.root = resolve(dir);
  }

  /** The file of a key; refuses anything that would resolve outside the root. */
  private pathOf(key: string): string {
    const path = resolve(this.root, normalizeKey(key));
    if (!path.startsWith(this.root + sep)) throw new AppError('INVALID_PIC_URL', 'object key leaves the store');
    return path;
  }

  async put(key: string, body: Buffer): Promise<void> {
    const path = this.pathOf(key);
    // Temp names start with '.', which no valid key segment does, so they never collide with objects.
    const tmp = `${dirname(path)}${sep}.tmp-${randomUUID()}`;
    try {
      await mkdir(dirname(path), { recursive: true });
      const fh = await open(tmp, 'wx');
      try {
        await fh.writeFile(body);
        await fh.datasync();
      } finally {
        await fh.close();
      }
      await rename(tmp, path);
    } catch (e) {
      await rm(tmp, { force: true }).catch(() => {});
      throw unavailable(e, `cannot write ${key}`);
    }
  }

  async get(key: string): Promise<Buffer> {
    const path = this.pathOf(key);
    try {
      return await readFile(path);
    } catch (e) {
      if (NOT_FOUND.has((e as NodeJS.ErrnoException).code ?? '')) throw new AppError('PICTURE_NOT_FOUND');
      throw unavailable(e, `cannot read ${key}`);
    }
  }

  async delete(key: string): Promise<void> {
    const path = this.pathOf(key);
    try {
      await rm(path, { force: true });
    } catch (e) {
      throw unavailable(e, `cannot delete ${key}`);
    }
  }

  async check(): Promise<void> {
    await withDeadline(CHECK_TIMEOUT_MS, 'check', async () => {
      try {
        await mkdir(this.root, { recursive: true });
        const probe = `${this.root}${sep}.probe-${randomUUID()}`;
        await (await open(probe, 'wx')).close();
        await rm(probe, { force: true });
        if (!(await stat(this.root)).isDirectory()) throw new Error('not a directory');
      } catch (e) {
        throw unavailable(e, 'check failed: the object store is not a writable directory');
      }
    });
  }

  describe(): string {
    return `file://${this.root}`;
  }
}

/** STORAGE_UNAVAILABLE with the system's error code; the message (which names our paths) stays in the cause, for the log. */
function unavailable(e: unknown, msg: string): AppError {
  if (e instanceof AppError) return e;
  return new AppError('STORAGE_UNAVAILABLE', `${msg} (${(e as NodeJS.ErrnoException).code ?? 'error'})`, { cause: e });
}
