/** Person libraries. Deleting one removes its persons, their embeddings and the pictures only they used. */
import { AppError } from '../../core/errors.ts';
import type { LibrariesRepo } from '../../db/repositories/libraries.ts';
import { page, paged, timeOf, type PageInput } from './common.ts';
import type { PicturesService } from './pictures.ts';

export function createLibrariesService(deps: { repo: LibrariesRepo; pictures: PicturesService; timeZone: string }) {
  const { repo, pictures, timeZone } = deps;
  return {
    async add(i: { name: string; type?: number; remark?: string }): Promise<{ lib_id: number }> {
      return { lib_id: await repo.insert({ name: i.name, type: i.type ?? 0, remark: i.remark ?? '' }) };
    },

    async remove(libId: number): Promise<void> {
      const result = await repo.deleteWithPersons(libId);
      if (result === 'not-found') throw new AppError('LIBRARY_NOT_FOUND', `lib_id: no library ${libId}`);
      if (result === 'in-use') throw new AppError('LIBRARY_IN_USE', `lib_id: library ${libId} is used by a task; remove it from the task first`);
      await pictures.collect(result);
    },

    async list(i: PageInput & { type?: number; name?: string }) {
      const { total, rows } = await repo.list({ type: i.type, name: i.name }, page(i));
      return paged(i, total, rows.map((r) => ({
        lib_id: r.id, name: r.name, type: r.type, person_count: r.personCount, remark: r.remark, create_time: timeOf(r.createTime, timeZone),
      })));
    },
  };
}
export type LibrariesService = ReturnType<typeof createLibrariesService>;
