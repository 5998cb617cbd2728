/**
 * Pictures in the object store. A pic_url is an upload or a capture image (the shapes are in
 * core/storage/picture-urls.ts); anything else is INVALID_PIC_URL at the edge (the picUrl field,
 * functions/lib/fields.ts), before it can reach the store, and only objects with a row in `pictures`
 * are served.
 */
import { randomUUID } from 'node:crypto';
import { AppError, isAppError } from '../../core/errors.ts';
import type { probeImage as ProbeImage } from '../../core/face/index.ts';
import type { Logger } from '../../core/log.ts';
import { keyOfUrl as keyOf, uploadUrl, type ObjectStore } from '../../core/storage/index.ts';
import { wallClock } from '../../core/time.ts';
import type { PicturesRepo } from '../../db/repositories/pictures.ts';


const EXT = { jpeg: 'jpg', png: 'png', bmp: 'bmp', webp: 'webp' } as const;
const CONTENT_TYPE = { jpeg: 'image/jpeg', png: 'image/png', bmp: 'image/bmp', webp: 'image/webp' } as const;

export type UploadedFile = { filename: string; type: string; data: Buffer };

export function createPicturesService(deps: {
  repo: PicturesRepo; store: ObjectStore; probeImage: typeof ProbeImage; log: Logger;
  limits: { maxBytes: number; maxPixels: number }; timeZone: string;
}) {
  const { repo, store, log } = deps;

  /** A well-formed url of a picture the API handed out and nobody deleted, else its AppError. */
  async function requireKnown(url: string, field = 'pic_url'): Promise<void> {
    if (!(await repo.find(url))) throw new AppError('PICTURE_NOT_FOUND', `${field}: no picture ${url}`);
  }

  async function load(url: string, field = 'pic_url'): Promise<Buffer> {
    await requireKnown(url, field);
    try {
      return await store.get(keyOf(url));
    } catch (e) {
      if (isAppError(e) && e.kind === 'PICTURE_NOT_FOUND') throw new AppError('PICTURE_NOT_FOUND', `${field}: ${url} is missing from the store`);
      throw e;
    }
  }

  /** Deletes the objects of pictures nobody uses any more; a store failure only logs (rows are gone). */
  async function collect(urls: string[]): Promise<void> {
    const orphans = await repo.deleteOrphans(urls);
    await Promise.all(orphans.map((u) => store.delete(keyOf(u)).catch((err) => log.warn({ err, url: u }, 'could not delete picture object'))));
  }

  return {
    requireKnown,
    load,
    collect,

    async upload(file: UploadedFile): Promise<{ pic_url: string }> {
      const info = await deps.probeImage(file.data, deps.limits).catch((e) => {
        if (isAppError(e)) throw new AppError(e.kind, `file: ${e.message}`);
        throw new AppError('NOT_AN_IMAGE', 'file: could not be decoded');
      });
      // Keep the bytes as sent (EXIF orientation included): the face engine applies the orientation.
      const url = uploadUrl(wallClock(new Date(), deps.timeZone), randomUUID(), EXT[info.format]);
      await store.put(keyOf(url), file.data, CONTENT_TYPE[info.format]);
      try {
        await repo.insert({ url, kind: 'person', contentType: CONTENT_TYPE[info.format], bytes: file.data.length, width: info.width, height: info.height });
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
      if (!(await repo.deleteUnlessUsed(url))) throw new AppError('PICTURE_IN_USE', `pic_url: ${url} is used by a person or shown by a capture record`);
      await store.delete(keyOf(url));
    },
  };
}
export type PicturesService = ReturnType<typeof createPicturesService>;
