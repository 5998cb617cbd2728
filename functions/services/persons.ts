/**
 * Persons. Adding one, or changing its pic_url, enrols the face first: exactly one usable face, or
 * the face engine's code (NO_FACE, MULTIPLE_FACES, FACE_TOO_SMALL, ...) and nothing is stored.
 */
import { AppError, isAppError } from '../../core/errors.ts';
import type { FaceEngine, similarity as Similarity } from '../../core/face/index.ts';
import { imageGateFor, type ImageGates } from '../../core/gate.ts';
import type { LibrariesRepo } from '../../db/repositories/libraries.ts';
import type { PersonFields, PersonsRepo } from '../../db/repositories/persons.ts';
import { page, paged, timeOf, type PageInput } from './common.ts';
import { nameToPinyin } from './pinyin.ts';
import type { PicturesService } from './pictures.ts';

export type PersonInput = { name: string; sex?: number; pic_url: string; card_no?: string; phone?: string; category?: number; remark?: string };

export function createPersonsService(deps: {
  repo: PersonsRepo; libraries: LibrariesRepo; pictures: PicturesService; face: FaceEngine; similarity: typeof Similarity; timeZone: string;
  /** bounds on pictures loaded and decoded at once: a slot is taken before the bytes are loaded */
  images?: ImageGates;
}) {
  const { repo, pictures, timeZone } = deps;

  // Compare1V1 callers compare one picture against many: pictures never change under their url, so
  // the face found in each is kept (bounded, oldest out) instead of decoded and embedded again.
  const comparisonFaces = new Map<string, Float32Array>();

  /** The embedding of the one face in a stored picture; engine errors name the field. */
  async function embed(url: string, field: string, opts: { forComparison?: boolean } = {}): Promise<Float32Array> {
    if (opts.forComparison) {
      const known = comparisonFaces.get(url);
      if (known) {
        await pictures.requireKnown(url, field); // a deleted picture is not compared from memory
        return known;
      }
    }
    const enrol = async (img: Buffer) => {
      try {
        return await deps.face.enrol(img, opts);
      } catch (e) {
        if (isAppError(e)) throw new AppError(e.kind, `${field}: ${e.message}`);
        throw new AppError('FACE_ENGINE_FAILED', `${field}: face engine failed`, { cause: e });
      }
    };
    const row = await pictures.requireKnown(url, field);
    const work = async () => enrol(await pictures.read(url, field));
    const { embedding } = await (deps.images ? imageGateFor(deps.images, row.width * row.height).run(work) : work());
    if (opts.forComparison) {
      if (comparisonFaces.size >= 1024) comparisonFaces.delete(comparisonFaces.keys().next().value!);
      comparisonFaces.set(url, embedding);
    }
    return embedding;
  }

  async function requireLibrary(libId: number): Promise<void> {
    if (!(await deps.libraries.find(libId))) throw new AppError('LIBRARY_NOT_FOUND', `lib_id: no library ${libId}`);
  }

  return {
    embed,

    /** Calibrated similarity [0, 1] of the faces of two stored pictures (one face each). */
    async compare(first: string, second: string): Promise<{ similarity: number }> {
      const a = await embed(first, 'first_pic', { forComparison: true });
      const b = await embed(second, 'second_pic', { forComparison: true });
      return { similarity: Math.round(deps.similarity(a, b) * 1e4) / 1e4 };
    },

    async add(i: PersonInput & { lib_id: number }): Promise<{ person_id: number }> {
      await requireLibrary(i.lib_id);
      const embedding = await embed(i.pic_url, 'pic_url');
      const person_id = await repo.insert({
        libId: i.lib_id, name: i.name, pinyin: nameToPinyin(i.name), sex: i.sex ?? 0, cardNo: i.card_no ?? '', phone: i.phone ?? '',
        category: i.category ?? 0, picUrl: i.pic_url, remark: i.remark ?? '', embedding: Array.from(embedding),
      });
      return { person_id };
    },

    async update(i: Partial<PersonInput> & { lib_id: number; person_id: number }): Promise<void> {
      await requireLibrary(i.lib_id);
      const current = await repo.find(i.lib_id, i.person_id);
      if (!current) throw new AppError('PERSON_NOT_FOUND', `person_id: no person ${i.person_id} in library ${i.lib_id}`);
      const patch: Partial<PersonFields> & { embedding?: number[] } = {};
      if (i.name !== undefined) { patch.name = i.name; patch.pinyin = nameToPinyin(i.name); }
      if (i.sex !== undefined) patch.sex = i.sex;
      if (i.card_no !== undefined) patch.cardNo = i.card_no;
      if (i.phone !== undefined) patch.phone = i.phone;
      if (i.category !== undefined) patch.category = i.category;
      if (i.remark !== undefined) patch.remark = i.remark;
      if (i.pic_url !== undefined && i.pic_url !== current.picUrl) {
        patch.embedding = Array.from(await embed(i.pic_url, 'pic_url'));
        patch.picUrl = i.pic_url;
      }
      if (!(await repo.update(i.lib_id, i.person_id, patch))) throw new AppError('PERSON_NOT_FOUND', `person_id: no person ${i.person_id} in library ${i.lib_id}`);
      if (patch.picUrl) await pictures.collect([current.picUrl]);
    },

    async remove(libId: number, personId: number): Promise<void> {
      const pic = await repo.delete(libId, personId);
      if (pic === undefined) {
        await requireLibrary(libId); // an unknown library is LIBRARY_NOT_FOUND, as in UpdatePerson
        throw new AppError('PERSON_NOT_FOUND', `person_id: no person ${personId} in library ${libId}`);
      }
      await pictures.collect([pic]);
    },

    async list(i: PageInput & { lib_id?: number; name?: string; card_no?: string; category?: number; phone?: string }) {
      const { total, rows } = await repo.list({ libId: i.lib_id, name: i.name, cardNo: i.card_no, category: i.category, phone: i.phone }, page(i));
      return paged(i, total, rows.map((r) => ({
        lib_id: r.libId, lib_name: r.libName, person_id: r.id, name: r.name, pinyin: r.pinyin, sex: r.sex, card_no: r.cardNo,
        phone: r.phone, category: r.category, pic_url: r.picUrl, remark: r.remark, create_time: timeOf(r.createTime, timeZone),
      })));
    },
  };
}
export type PersonsService = ReturnType<typeof createPersonsService>;
