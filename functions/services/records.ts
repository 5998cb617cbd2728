/** Capture records: queried and deleted here (the recognition pipeline writes them). */
import { AppError } from '../../core/errors.ts';
import type { RecordFilter, RecordRow, RecordsRepo } from '../../db/repositories/records.ts';
import { dayOf, page, paged, round6, timeOf, timeRange, type PageInput } from './common.ts';
import { checkExportSize, csvBase64, MAX_EXPORT_ROWS, type Column } from './csv.ts';
import type { PicturesService } from './pictures.ts';

const EXPORT_BATCH = 5000;

const exportColumns: Array<Column<RecordItem>> = [
  ['record_id', (r) => r.record_id], ['capture_time', (r) => r.capture_time], ['task_id', (r) => r.task_id], ['task_name', (r) => r.task_name],
  ['camera_id', (r) => r.camera_id], ['camera_name', (r) => r.camera_name], ['classify', (r) => r.classify], ['similarity', (r) => r.similarity],
  ['person_id', (r) => r.person_id], ['person_name', (r) => r.person_name], ['lib_id', (r) => r.lib_id], ['lib_name', (r) => r.lib_name],
  ['card_no', (r) => r.card_no], ['sex', (r) => r.sex], ['category', (r) => r.category], ['pic_url', (r) => r.pic_url],
  ['capture_url', (r) => r.capture_url],
];

export type RecordQuery = PageInput & {
  task_id?: number; camera_id?: number; lib_id?: number; person_name?: string; card_no?: string; classify?: number;
  similarity?: number; start_time?: string; end_time?: string;
};

type ListedRecord = Omit<RecordRow, 'messageId' | 'quality' | 'box'>;

/** A record as /QueryTaskCaptureRecord lists it (and as `capture` events carry it). */
export function recordItem(r: ListedRecord, timeZone: string) {
  return {
    record_id: r.id, task_id: r.taskId, task_name: r.taskName, camera_id: r.cameraId, camera_name: r.cameraName,
    lib_id: r.libId ?? 0, lib_name: r.libName, person_id: r.personId ?? 0, person_name: r.personName, sex: r.sex,
    category: r.category, card_no: r.cardNo, classify: r.classify, similarity: round6(r.similarity), pic_url: r.picUrl,
    capture_url: r.captureUrl, capture_time: timeOf(r.captureTime, timeZone), create_time: timeOf(r.createTime, timeZone),
  };
}
export type RecordItem = ReturnType<typeof recordItem>;

export type RecordFilterInput = Omit<RecordQuery, 'page_no' | 'page_size'>;

export function createRecordsService(deps: { repo: RecordsRepo; pictures: PicturesService; timeZone: string }) {
  const { repo, timeZone } = deps;

  /** the repository's filter of a query (INVALID_FIELD for bad times) */
  function filterOf(i: RecordFilterInput): RecordFilter {
    const { start, end } = timeRange(i, timeZone);
    return {
      taskId: i.task_id, cameraId: i.camera_id, libId: i.lib_id, personName: i.person_name, cardNo: i.card_no,
      classify: i.classify, similarity: i.similarity, start, end,
    };
  }

  return {
    filterOf,

    async list(i: RecordQuery) {
      const { total, rows } = await repo.list(filterOf(i), page(i));
      return paged(i, total, rows.map((r) => recordItem(r, timeZone)));
    },

    /** /ExportCaptureRecord: every record of the filters, newest capture first (at most MAX_EXPORT_ROWS) */
    async exportCsv(i: RecordFilterInput) {
      const f = filterOf(i);
      checkExportSize(await repo.count(f));
      const items: RecordItem[] = [];
      let after: { time: Date; id: number } | undefined;
      for (;;) {
        const rows = await repo.listAfter(f, after, EXPORT_BATCH);
        for (const r of rows) items.push(recordItem(r, timeZone));
        // records written since the count do not push it past the bound
        if (rows.length < EXPORT_BATCH || items.length >= MAX_EXPORT_ROWS) break;
        const last = rows[rows.length - 1];
        after = { time: last.captureTime, id: last.id };
      }
      return csvBase64(exportColumns, items.slice(0, MAX_EXPORT_ROWS));
    },

    /**
     * Deletes the record, then its capture image and the matched person's photo (rows and objects)
     * unless something else still uses them: a person enrolled from the capture image, a person
     * still showing the photo, another record showing either as its matched photo.
     */
    async remove(recordId: number): Promise<void> {
      const r = await repo.delete(recordId, (t) => dayOf(t, timeZone));
      if (!r) throw new AppError('RECORD_NOT_FOUND', `record_id: no record ${recordId}`);
      await deps.pictures.collect([r.captureUrl, r.picUrl].filter((u) => u !== ''));
    },
  };
}
export type RecordsService = ReturnType<typeof createRecordsService>;
