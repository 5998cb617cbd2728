/**
 * Pictures in the object store. A pic_url is an upload or a capture image (the shapes are in
 * core/storage/picture-urls.ts); anything else is INVALID_PIC_URL at the edge (the picUrl field,
 * functions/lib/fields.ts), before it can reach the store, and only objects with a row in `pictures`
 * are served.
 */
import { randomUUID } from 'node:crypto';
import { AppError, isAppError } from '../../core/errors.ts';
import type { ImageGates } from '../../core/gate.ts';
import type { ImageInfo } from '../../core/face/index.ts';
import type { Logger } from '../../core/log.ts';
import { keyOfUrl as keyOf, uploadUrl, type ObjectStore } from '../../core/storage/index.ts';
import { wallClock } from '../../core/time.ts';
import type { PictureRow, PicturesRepo } from '../../db/repositories/pictures.ts';

const EXT = { jpeg: 'jpg', png: 'png', bmp: 'bmp', webp: 'webp' } as const;
const CONTENT_TYPE = { jpeg: 'image/jpeg', png: 'image/png', bmp: 'image/bmp', webp: 'image/webp' } as const;

export type UploadedFile = { filename: string; type: string; data: Buffer };

export function createPicturesService(deps: {
  repo: PicturesRepo; store: ObjectStore; log: Logger; timeZone: string;
  /** decodes in the face worker (never on the event loop) */
  probe: (bytes: Uint8Array) => Promise<ImageInfo>;
  /** bounds on pictures decoded at once, by size (SERVER_BUSY beyond a queue) */
  images: ImageGates;
  /** bytes of uploads one account may keep; 0: no bound */
  quotaBytes: number;
}) {
  const { repo, store, log } = deps;

  /** A picture the API handed out and nobody deleted (its row), else PICTURE_NOT_FOUND; the url's
   *  shape was checked at the edge (picUrl, functions/lib/fields.ts). */
  async function requireKnown(url: string, field = 'pic_url'): Promise<PictureRow> {
    const row = await repo.find(url);
    if (!row) throw new AppError('PICTURE_NOT_FOUND', `${field}: no picture ${url}`);
    return row;
  }

  /** The stored bytes of a picture already known (requireKnown). */
  async function read(url: string, field = 'pic_url'): Promise<Buffer> {
    try {
      return await store.get(keyOf(url));
    } catch (e) {
      if (isAppError(e) && e.kind === 'PICTURE_NOT_FOUND') throw new AppError('PICTURE_NOT_FOUND', `${field}: ${url} is missing from the store`);
      throw e;
    }
  }

  async function load(url: string, field = 'pic_url'): Promise<Buffer> {
    await requireKnown(url, field);
    return read(url, field);
  }

  /** Deletes the objects of pictures nobody uses any more; a store failure only logs (rows are gone). */
  async function collect(urls: string[]): Promise<void> {
    const orphans = await repo.deleteOrphans(urls);
    await Promise.all(orphans.map((u) => store.delete(keyOf(u)).catch((err) => log.warn({ err, url: u }, 'could not delete picture object'))));
  }

  return {
    requireKnown,
    read,
    load,
    collect,

    /** Stores an upload of `ownerId` once it decodes, within that account's quota. */
    async upload(file: UploadedFile, ownerId: number): Promise<{ pic_url: string }> {
      if (deps.quotaBytes > 0) {
        // checked before the upload is stored: concurrent uploads of one account may pass it
        // together, by at most MAX_CONCURRENT_UPLOADS x MAX_UPLOAD_BYTES
        const used = await repo.bytesOwnedBy(ownerId);
        if (used + file.data.length > deps.quotaBytes) {
          throw new AppError('UPLOAD_QUOTA_EXCEEDED', `file: this account keeps ${used} bytes of uploads; ${file.data.length} more would pass its quota of ${deps.quotaBytes} bytes (delete unused pictures, or ask an admin)`);
        }
      }
      // the size is unknown until decoded: uploads take the lane of big pictures
      const info = await deps.images.large.run(() => deps.probe(file.data)).catch((e) => {
        if (isAppError(e) && e.kind === 'SERVER_BUSY') throw e;
        if (isAppError(e)) throw new AppError(e.kind, `file: ${e.message}`);
        throw new AppError('NOT_AN_IMAGE', 'file: could not be decoded');
      });
      // Keep the bytes as sent (EXIF orientation included): the face engine applies the orientation.
      const url = uploadUrl(wallClock(new Date(), deps.timeZone), randomUUID(), EXT[info.format]);
      await store.put(keyOf(url), file.data, CONTENT_TYPE[info.format]);
      try {
        await repo.insert({ url, kind: 'person', contentType: CONTENT_TYPE[info.format], bytes: file.data.length, width: info.width, height: info.height, ownerId });
      } catch (e) {
        await store.delete(keyOf(url)).catch(() => {});
        throw e;
      }
      return { pic_url: url };
    },

    async download(url: string): Promise<{ data: string }> {
      return { data: (await load(url)).toString('base64') };
    },

    /** Deletes an uploaded picture unless a person uses it; capture images go with their record. */
    async remove(url: string): Promise<void> {
      if (!(await repo.find(url))) throw new AppError('PICTURE_NOT_FOUND', `pic_url: no picture ${url}`);
      if (!(await repo.deleteUnlessUsed(url))) throw new AppError('PICTURE_IN_USE', `pic_url: ${url} is used by a person or shown by a capture record or an alarm`);
      await store.delete(keyOf(url));
    },
  };
}
export type PicturesService = ReturnType<typeof createPicturesService>;
