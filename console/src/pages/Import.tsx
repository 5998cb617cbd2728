/**
 * Bulk import into a library: a zip of photos named after people, or a CSV with the photos (loose or
 * in the zip). Rows are checked first (names, photos found), then sent two at a time with a
 * progress bar; the per-row result table says which failed and why. The job is kept in IndexedDB
 * (lib/import-job.ts): after a reload the page offers to resume where it stopped.
 */
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { ApiError, call, query, upload } from '../api/client.ts';
import { errorWords } from '../api/errors.ts';
import type { Person } from '../api/types.ts';
import { DropZone } from '../components/DropZone.tsx';
import { librarySource, Picker, type Choice } from '../components/Picker.tsx';
import { ErrorText, Pager } from '../components/ui.tsx';
import { isKey, t } from '../i18n/index.ts';
import {
  discardJob, ImportPaused, loadJob, progressOf, runJob, saveNewJob, type ImportApi, type JobMeta, type JobSource, type RowState,
} from '../lib/import-job.ts';
import { decodeText, isImageName, markDuplicatePhotos, rowsFromCsv, rowsFromPhotoNames, zipEntries, zipEntry, type ImportRow } from '../lib/import-rows.ts';
import { route } from '../lib/router.ts';

const api: ImportApi = {
  upload: async (photo, name) => (await upload(photo, name)).pic_url,
  addPerson: async (body) => (await call<{ person_id: number }>('/AddPerson', body)).person_id,
  findByPicture: async (libId, name, picUrl) => {
    const p = await query<Person>('/QueryPersonList', { page_no: 1, page_size: 100, lib_id: libId, name });
    return p.items.find((x) => x.pic_url === picUrl)?.person_id;
  },
};

type Prepared = { source: JobSource; rows: ImportRow[]; files: string };

/** The dropped files → rows and where their photos are. */
async function prepare(files: File[]): Promise<Prepared> {
  const zip = files.find((f) => /\.zip$/i.test(f.name));
  if (zip) {
    const bytes = new Uint8Array(await zip.arrayBuffer());
    const entries = zipEntries(bytes);
    const names = [...entries.keys()];
    const csv = names.find((n) => /\.csv$/i.test(n));
    const rows = csv ? rowsFromCsv(decodeText(zipEntry(bytes, entries.get(csv)!)!), names.filter(isImageName)) : rowsFromPhotoNames(names);
    return { source: { kind: 'zip', zip, entries: Object.fromEntries(entries) }, rows: markDuplicatePhotos(rows), files: zip.name };
  }
  const photos: Record<string, File> = {};
  for (const f of files) if (isImageName(f.name)) photos[f.name] = f;
  const csv = files.find((f) => /\.csv$/i.test(f.name));
  const rows = csv ? rowsFromCsv(decodeText(new Uint8Array(await csv.arrayBuffer())), Object.keys(photos)) : rowsFromPhotoNames(Object.keys(photos));
  return { source: { kind: 'files', photos }, rows: markDuplicatePhotos(rows), files: files.map((f) => f.name).join(', ') };
}

export function Import() {
  const [lib, setLib] = useState<Choice[]>([]);
  const [prepared, setPrepared] = useState<Prepared | null>(null);
  const [job, setJob] = useState<{ meta: JobMeta; rows: RowState[] } | null>(null);
  const [state, setState] = useState<'idle' | 'running' | 'paused' | 'done'>('idle');
  const [error, setError] = useState<unknown>();
  const [, setTick] = useState(0);
  const stop = useRef<AbortController | null>(null);

  useEffect(() => {
    const libId = Number(route.value.query.get('lib'));
    if (libId) call<{ info: { items: { lib_id: number; name: string }[] } }>('/QueryLibraryList', { page_no: 1, page_size: 1000 })
      .then((r) => { const l = r.info.items.find((x) => x.lib_id === libId); if (l) setLib([{ id: l.lib_id, name: l.name }]); }, () => {});
    loadJob().then((j) => {
      if (!j) return;
      setJob(j);
      const p = progressOf(j.rows);
      setState(p.done === p.total ? 'done' : 'paused');
    }, setError);
    return () => stop.current?.abort();
  }, []);

  const run = async (j: { meta: JobMeta; rows: RowState[] }) => {
    setError(undefined);
    setState('running');
    stop.current = new AbortController();
    let last = 0;
    try {
      await runJob({
        meta: j.meta, rows: j.rows, api, signal: stop.current.signal,
        onRow: () => { const now = Date.now(); if (now - last > 100) { last = now; setTick((n) => n + 1); } },
      });
      setState('done');
    } catch (e) {
      setError(e instanceof ImportPaused && e.code !== 0 ? new ApiError(e.code, e.message, '/AddPerson') : undefined);
      setState('paused');
    }
    setTick((n) => n + 1);
  };

  const start = async () => {
    if (!prepared || !lib.length) return;
    const meta: JobMeta = { id: crypto.randomUUID(), lib_id: lib[0].id, lib_name: lib[0].name, created: Date.now(), total: prepared.rows.length, source: prepared.source };
    const rows: RowState[] = prepared.rows.map((r) => ({ ...r, status: 'pending' }));
    await saveNewJob(meta, rows);
    const j = { meta, rows };
    setJob(j);
    setPrepared(null);
    await run(j);
  };

  const reset = async () => {
    stop.current?.abort();
    await discardJob();
    setJob(null);
    setState('idle');
    setError(undefined);
  };

  return (
    <section aria-labelledby="import-title">
      <h1 id="import-title">{t('nav.import')}</h1>
      <ErrorText error={error} />
      {job ? (
        <JobView job={job} state={state} onResume={() => run(job)} onStop={() => stop.current?.abort()} onNew={reset} />
      ) : (
        <div class="panel">
          <p>{t('import.help')}</p>
          <ul class="help">
            <li>{t('import.helpZip')}</li>
            <li>{t('import.helpCsv')}</li>
          </ul>
          <div class="form">
            <label class="field wide"><span class="label">{t('import.library')}</span>
              <Picker label={t('import.library')} source={librarySource} value={lib} onChange={setLib} single testId="import-library" />
            </label>
          </div>
          <DropZone accept=".zip,.csv,image/jpeg,image/png,image/bmp,image/webp" multiple label={t('import.drop')} testId="import-drop"
            onFiles={(files) => prepare(files).then(setPrepared, (e) => setError(new ApiError(2001, String((e as Error).message), 'import')))} />
          {prepared && (
            <div class="prepared" data-testid="import-prepared">
              <p>{t('import.found', { rows: prepared.rows.length, problems: prepared.rows.filter((r) => r.problem).length, files: prepared.files })}</p>
              <button class="primary" type="button" disabled={!lib.length || !prepared.rows.length} onClick={start}>{t('import.start')}</button>
              {!lib.length && <span class="hint"> {t('import.chooseLibrary')}</span>}
            </div>
          )}
        </div>
      )}
    </section>
  );
}

function reasonOf(r: RowState): string {
  if (r.status !== 'failed') return '';
  if (r.code === 0 || r.code === undefined) {
    const key = `import.problem.${r.msg}`;
    const detail = r.problem?.detail ? `: ${r.problem.detail}` : '';
    return (isKey(key) ? t(key) : r.msg ?? '') + detail;
  }
  const w = errorWords(new ApiError(r.code, r.msg ?? '', '/AddPerson'));
  return w.detail ? `${w.text} (${w.detail})` : w.text;
}

function JobView(props: { job: { meta: JobMeta; rows: RowState[] }; state: string; onResume: () => void; onStop: () => void; onNew: () => void }) {
  const { meta, rows } = props.job;
  const p = progressOf(rows);
  const [onlyFailed, setOnlyFailed] = useState(false);
  const [page, setPage] = useState(1);
  const [size, setSize] = useState(50);
  const shown = useMemo(() => rows.map((r, i) => ({ r, i })).filter(({ r }) => !onlyFailed || r.status === 'failed'), [rows, onlyFailed, p.done]);
  const csv = () => {
    const esc = (s: string) => `"${s.replace(/"/g, '""')}"`;
    const lines = [['row', 'photo', 'name', 'card_no', 'status', 'person_id', 'reason'].join(',')]
      .concat(rows.map((r) => [r.row, esc(r.photo), esc(r.name), esc(r.card_no ?? ''), r.status, r.person_id ?? '', esc(reasonOf(r))].join(',')));
    const a = document.createElement('a');
    a.href = URL.createObjectURL(new Blob(['\uFEFF' + lines.join('\r\n')], { type: 'text/csv' }));
    a.download = `import-${meta.lib_id}.csv`;
    a.click();
    setTimeout(() => URL.revokeObjectURL(a.href), 1000);
  };
  return (
    <div class="panel" data-testid="import-job" data-state={props.state}>
      <p>{t('import.into', { lib: meta.lib_name, created: new Date(meta.created).toLocaleString() })}</p>
      <progress max={p.total} value={p.done} aria-label={t('import.progress')} />
      <p data-testid="import-progress">{t('import.progressText', { done: p.done, total: p.total, ok: p.ok, failed: p.failed })}</p>
      <div class="head-actions">
        {props.state === 'running' && <button type="button" onClick={props.onStop}>{t('import.pause')}</button>}
        {props.state === 'paused' && <button class="primary" type="button" onClick={props.onResume} data-testid="import-resume">{t('import.resume')}</button>}
        {props.state !== 'running' && <button type="button" onClick={props.onNew}>{props.state === 'done' ? t('import.new') : t('import.discard')}</button>}
        <button type="button" onClick={csv}>{t('import.saveResults')}</button>
        <label class="check"><input type="checkbox" checked={onlyFailed} onChange={(e) => { setOnlyFailed(e.currentTarget.checked); setPage(1); }} />{t('import.onlyFailed')}</label>
      </div>
      {props.state === 'paused' && <p class="notice" role="status">{t('import.pausedText')}</p>}
      <div class="table-wrap">
        <table data-testid="import-results">
          <thead><tr><th>#</th><th>{t('import.photo')}</th><th>{t('common.name')}</th><th>{t('persons.card')}</th><th>{t('import.result')}</th><th>{t('import.reason')}</th></tr></thead>
          <tbody>
            {shown.slice((page - 1) * size, page * size).map(({ r }) => (
              <tr class={r.status === 'failed' ? 'row-failed' : ''} data-status={r.status}>
                <td>{r.row}</td><td>{r.photo}</td><td>{r.name}</td><td>{r.card_no ?? ''}</td>
                <td>{t(`import.status.${r.status}`)}</td><td>{reasonOf(r)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <Pager page={page} size={size} total={shown.length} onChange={(pg, s) => { setPage(pg); setSize(s); }} />
    </div>
  );
}
