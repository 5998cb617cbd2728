/**
 * A bulk import that survives a page reload. The job (library, rows, where each row is) and its
 * source files live in IndexedDB; each row goes pending → uploaded (its pic_url saved before
 * /AddPerson is sent) → ok | failed. After a reload, a row found 'uploaded' may or may not have
 * been added: the library is searched for a person with that name and that very pic_url (each upload
 * gets a new one), so a resumed import never enrols anyone twice.
 *
 * Failures of the row (no face, bad field...) are written in the row; failures of the server
 * (unreachable, database or face engine down, session ended) pause the job instead, so the rows
 * stay pending and "resume" carries on.
 */
import { clear, createStore, del, get, getMany, set, setMany } from 'idb-keyval';
import type { ImportRow } from './import-rows.ts';
import { zipEntry } from './import-rows.ts';

export type RowStatus = 'pending' | 'uploaded' | 'ok' | 'failed';
export type RowState = ImportRow & { status: RowStatus; pic_url?: string; person_id?: number; code?: number; msg?: string };

export type JobSource = { kind: 'zip'; zip: Blob; entries: Record<string, string> } | { kind: 'files'; photos: Record<string, Blob> };
export type JobMeta = { id: string; lib_id: number; lib_name: string; created: number; total: number; source: JobSource };

/** What the runner needs of the API (the console's client; a stand-in in unit tests). */
export interface ImportApi {
  upload(photo: Blob, fileName: string): Promise<string>;
  addPerson(body: Record<string, unknown>): Promise<number>;
  /** the person of lib_id with this name whose picture is pic_url, if any */
  findByPicture(libId: number, name: string, picUrl: string): Promise<number | undefined>;
}

/** An error of the server, not of the row: the job pauses. */
export const isServerProblem = (code: number): boolean =>
  code === -1 || code === 1001 || code === 1002 || code === 1003 || code === 5000 || code === 5001 || code === 5002 || code === 5004 || code === 5005 || (code >= 5006 && code <= 5009);

const metaStore = () => createStore('facewatch-import-job', 'job');
const rowStore = () => createStore('facewatch-import-rows', 'rows');

export async function loadJob(): Promise<{ meta: JobMeta; rows: RowState[] } | null> {
  const meta = await get<JobMeta>('job', metaStore());
  if (!meta) return null;
  const rows = await getMany<RowState>(Array.from({ length: meta.total }, (_, i) => i), rowStore());
  if (rows.some((r) => !r)) return null;
  return { meta, rows: rows as RowState[] };
}

export async function saveNewJob(meta: JobMeta, rows: RowState[]): Promise<void> {
  await clear(rowStore());
  await setMany(rows.map((r, i) => [i, r] as [number, RowState]), rowStore());
  await set('job', meta, metaStore());
}

export async function discardJob(): Promise<void> {
  await del('job', metaStore());
  await clear(rowStore());
}

const MIME: Record<string, string> = { jpg: 'image/jpeg', jpeg: 'image/jpeg', png: 'image/png', bmp: 'image/bmp', webp: 'image/webp' };
const mimeOf = (name: string) => MIME[name.split('.').pop()?.toLowerCase() ?? ''] ?? 'application/octet-stream';

export type Progress = { done: number; ok: number; failed: number; total: number };
export const progressOf = (rows: readonly RowState[]): Progress => {
  let ok = 0;
  let failed = 0;
  for (const r of rows) {
    if (r.status === 'ok') ok++;
    else if (r.status === 'failed') failed++;
  }
  return { done: ok + failed, ok, failed, total: rows.length };
};

export class ImportPaused extends Error {
  constructor(readonly code: number, msg: string) { super(msg); }
}

/**
 * Runs the rows not finished yet, `concurrency` at a time, saving each step. Resolves when all are
 * done; rejects with ImportPaused when the server fails (or `signal` aborts: code 0).
 */
export async function runJob(opts: {
  meta: JobMeta; rows: RowState[]; api: ImportApi; concurrency?: number; signal?: AbortSignal;
  onRow?: (index: number, row: RowState) => void; persist?: boolean;
}): Promise<void> {
  const { meta, rows, api } = opts;
  const persist = opts.persist ?? true;
  const store = persist ? rowStore() : undefined;
  let zip: Uint8Array | undefined;
  const photoOf = async (name: string): Promise<Blob | undefined> => {
    if (meta.source.kind === 'files') return meta.source.photos[name];
    zip ??= new Uint8Array(await meta.source.zip.arrayBuffer());
    const raw = meta.source.entries[name];
    const bytes = raw === undefined ? undefined : zipEntry(zip, raw);
    return bytes && new Blob([bytes as BlobPart], { type: mimeOf(name) });
  };
  const update = async (i: number, patch: Partial<RowState>) => {
    rows[i] = { ...rows[i], ...patch };
    if (store) await set(i, rows[i], store);
    opts.onRow?.(i, rows[i]);
  };
  const fail = async (i: number, code: number, msg: string) => {
    if (isServerProblem(code)) throw new ImportPaused(code, msg);
    await update(i, { status: 'failed', code, msg });
  };

  const one = async (i: number) => {
    const row = rows[i];
    if (row.status === 'ok' || row.status === 'failed') return;
    if (row.problem) return update(i, { status: 'failed', code: 0, msg: row.problem.key });
    let picUrl = row.status === 'uploaded' ? row.pic_url : undefined;
    if (picUrl) {
      const found = await api.findByPicture(meta.lib_id, row.name, picUrl);
      if (found) return update(i, { status: 'ok', person_id: found });
    } else {
      const photo = await photoOf(row.photo);
      if (!photo) return update(i, { status: 'failed', code: 0, msg: 'photoMissing' });
      try {
        picUrl = await api.upload(photo, row.photo);
      } catch (e) {
        return fail(i, codeOf(e), (e as Error).message);
      }
      await update(i, { status: 'uploaded', pic_url: picUrl });
    }
    try {
      const person_id = await api.addPerson({
        lib_id: meta.lib_id, name: row.name, pic_url: picUrl,
        ...(row.card_no ? { card_no: row.card_no } : {}), ...(row.phone ? { phone: row.phone } : {}),
        ...(row.sex !== undefined ? { sex: row.sex } : {}), ...(row.category !== undefined ? { category: row.category } : {}),
        ...(row.remark ? { remark: row.remark } : {}),
      });
      await update(i, { status: 'ok', person_id });
    } catch (e) {
      await fail(i, codeOf(e), (e as Error).message);
    }
  };

  let next = 0;
  let paused: ImportPaused | undefined;
  const worker = async () => {
    while (next < rows.length && !paused) {
      if (opts.signal?.aborted) paused = new ImportPaused(0, 'stopped');
      else {
        try {
          await one(next++);
        } catch (e) {
          paused ??= e instanceof ImportPaused ? e : new ImportPaused(codeOf(e), (e as Error).message);
        }
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, opts.concurrency ?? 2) }, worker));
  if (paused) throw paused;
}

const codeOf = (e: unknown): number => (typeof (e as { code?: unknown })?.code === 'number' ? (e as { code: number }).code : -1);
