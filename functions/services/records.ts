/** Capture records: queried and deleted here (the recognition pipeline writes them). */
import { AppError } from '../../core/errors.ts';
import { parseTime } from '../../core/time.ts';
import type { RecordsRepo } from '../../db/repositories/records.ts';
import { page, paged, round6, timeOf, type PageInput } from './common.ts';
import type { PicturesService } from './pictures.ts';

export type RecordQuery = PageInput & {
  task_id?: number; camera_id?: number; lib_id?: number; person_name?: string; card_no?: string; classify?: number;
  similarity?: number; start_time?: string; end_time?: string;
};

export function createRecordsService(deps: { repo: RecordsRepo; pictures: PicturesService; timeZone: string }) {
  const { repo, timeZone } = deps;
  // the format is checked by the time field (functions/lib/fields.ts); here it is read in the zone
  const time = (text: string | undefined) => (text ? parseTime(text, timeZone) ?? undefined : undefined);

  return {
    async list(i: RecordQuery) {
      const start = time(i.start_time);
      const end = time(i.end_time);
      const { total, rows } = await repo.list({
        taskId: i.task_id, cameraId: i.camera_id, libId: i.lib_id, personName: i.person_name, cardNo: i.card_no,
        classify: i.classify, similarity: i.similarity, start, end,
      }, page(i));
      return paged(i, total, rows.map((r) => ({
        record_id: r.id, task_id: r.taskId, task_name: r.taskName, camera_id: r.cameraId, camera_name: r.cameraName,
        lib_id: r.libId ?? 0, lib_name: r.libName, person_id: r.personId ?? 0, person_name: r.personName, sex: r.sex,
        category: r.category, card_no: r.cardNo, classify: r.classify, similarity: round6(r.similarity), pic_url: r.picUrl,
        capture_url: r.captureUrl, capture_time: timeOf(r.captureTime, timeZone), create_time: timeOf(r.createTime, timeZone),
      })));
    },

    /**
     * Deletes the record, then its capture image and the matched person's photo (rows and objects)
     * unless something else still uses them: a person enrolled from the capture image, a person
     * still showing the photo, another record showing either as its matched photo.
     */
    async remove(recordId: number): Promise<void> {
      const r = await repo.delete(recordId);
      if (!r) throw new AppError('RECORD_NOT_FOUND', `record_id: no record ${recordId}`);
      await deps.pictures.collect([r.captureUrl, r.picUrl].filter((u) => u !== ''));
    },
  };
}
export type RecordsService = ReturnType<typeof createRecordsService>;
