/**
 * Capture records: every filter of /QueryTaskCaptureRecord (task, camera, library, name, card number,
 * matched/stranger, least similarity, time range), the capture beside the enrolled photo, server
 * paging, delete, and CSV export of everything the filters match (/ExportCaptureRecord, saved as a
 * file).
 */
import { useState } from 'preact/hooks';
import { call, query } from '../api/client.ts';
import { can } from '../api/session.ts';
import type { CaptureRecord } from '../api/types.ts';
import { cameraSource, choiceFromParam, choiceParam, librarySource, Picker, taskSource } from '../components/Picker.tsx';
import { ErrorText, ExportButton, PagedTable, Thumb } from '../components/ui.tsx';
import { useAction } from '../lib/actions.ts';
import { t } from '../i18n/index.ts';
import { useAsync } from '../lib/hooks.ts';
import { base64ToBytes, exportFileName, saveFile } from '../lib/download.ts';
import { listParams } from '../lib/router.ts';
import { fromLocalInput, toLocalInput } from '../lib/time.ts';

const choice = choiceFromParam;
const param = choiceParam;

export function Records() {
  const { params, page, size, set } = listParams('/records');
  const task = choice(params.task);
  const camera = choice(params.camera);
  const lib = choice(params.lib);
  const body: Record<string, unknown> = {
    ...(task[0] ? { task_id: task[0].id } : {}), ...(camera[0] ? { camera_id: camera[0].id } : {}), ...(lib[0] ? { lib_id: lib[0].id } : {}),
    ...(params.name ? { person_name: params.name } : {}), ...(params.card ? { card_no: params.card } : {}),
    ...(params.classify ? { classify: Number(params.classify) } : {}), ...(params.similarity ? { similarity: Number(params.similarity) } : {}),
    ...(params.start ? { start_time: params.start } : {}), ...(params.end ? { end_time: params.end } : {}),
  };
  const key = JSON.stringify(body);
  const list = useAsync((signal) => query<CaptureRecord>('/QueryTaskCaptureRecord', { page_no: page, page_size: size, ...body }, signal), [page, size, key]);
  const [selected, setSelected] = useState<Set<number>>(new Set());
  const action = useAction(() => { setSelected(new Set()); list.reload(); });
  const edit = can('operator');

  const remove = (recordIds: number[]) => action.run(async () => {
    for (const id of recordIds) await call('/DeleteTaskCaptureRecord', { record_id: id });
  }, t('records.confirmDelete', { n: recordIds.length }));

  const exportCsv = () => action.run(async () => {
    const r = await call<{ data: string }>('/ExportCaptureRecord', body);
    saveFile(base64ToBytes(r.data), exportFileName('capture-records', [task[0]?.name, camera[0]?.name]));
  });

  return (
    <section aria-labelledby="records-title">
      <div class="page-head">
        <h1 id="records-title">{t('nav.records')}</h1>
        <div class="head-actions">
          <ExportButton onExport={exportCsv} />
          {edit && <button type="button" class="danger" disabled={!selected.size} onClick={() => remove([...selected])}>{t('records.deleteSelected', { n: selected.size })}</button>}
        </div>
      </div>
      <form class="filters records-filters" onSubmit={(e) => {
        e.preventDefault();
        const f = new FormData(e.currentTarget as HTMLFormElement);
        set({
          name: String(f.get('name')).trim(), card: String(f.get('card')).trim(), classify: String(f.get('classify')),
          similarity: String(f.get('similarity')), start: fromLocalInput(String(f.get('start'))), end: fromLocalInput(String(f.get('end'))),
        });
      }}>
        <Picker label={t('records.task')} source={taskSource} value={task} single onChange={(c) => set({ task: param(c) })} />
        <Picker label={t('records.camera')} source={cameraSource} value={camera} single onChange={(c) => set({ camera: param(c) })} />
        <Picker label={t('records.library')} source={librarySource} value={lib} single onChange={(c) => set({ lib: param(c) })} />
        <input name="name" type="search" defaultValue={params.name} placeholder={t('records.name')} aria-label={t('records.name')} />
        <input name="card" type="search" defaultValue={params.card} placeholder={t('persons.card')} aria-label={t('persons.card')} />
        <select name="classify" defaultValue={params.classify ?? ''} aria-label={t('records.classify')}>
          <option value="">{t('records.anyClassify')}</option>
          <option value="1">{t('classify.1')}</option>
          <option value="0">{t('classify.0')}</option>
        </select>
        <input name="similarity" type="number" min={0} max={1} step="0.01" defaultValue={params.similarity} placeholder={t('records.minSimilarity')} aria-label={t('records.minSimilarity')} />
        <label class="inline">{t('records.from')} <input name="start" type="datetime-local" step={1} defaultValue={toLocalInput(params.start ?? '')} /></label>
        <label class="inline">{t('records.to')} <input name="end" type="datetime-local" step={1} defaultValue={toLocalInput(params.end ?? '')} /></label>
        <button type="submit">{t('common.search')}</button>
        <button type="button" class="link" onClick={() => set({ task: '', camera: '', lib: '', name: '', card: '', classify: '', similarity: '', start: '', end: '' })}>{t('common.reset')}</button>
      </form>
      <ErrorText error={action.error ?? list.error} />
      <PagedTable
        testId="records" data={list.data} cols={edit ? 11 : 10} page={page} size={size} onPage={(p, s) => set({ page: p, size: s })}
        head={<>
          {edit && <th><span class="sr-only">{t('common.select')}</span></th>}
          <th>{t('records.capture')}</th><th>{t('records.enrolled')}</th><th>{t('common.name')}</th><th>{t('persons.card')}</th><th>{t('records.library')}</th>
          <th>{t('records.similarity')}</th><th>{t('records.camera')}</th><th>{t('records.task')}</th><th>{t('records.time')}</th><th><span class="sr-only">{t('common.actions')}</span></th>
        </>}
        row={(r) => (
          <tr class={r.category === 1 && r.classify === 1 ? 'row-black' : ''}>
            {edit && <td><input type="checkbox" aria-label={t('common.select')} checked={selected.has(r.record_id)} onChange={(e) => {
              const next = new Set(selected);
              if (e.currentTarget.checked) next.add(r.record_id); else next.delete(r.record_id);
              setSelected(next);
            }} /></td>}
            <td><Thumb picUrl={r.capture_url} alt={t('records.capture')} size={64} /></td>
            <td>{r.pic_url ? <Thumb picUrl={r.pic_url} alt={r.person_name} size={64} /> : <span class="muted">—</span>}</td>
            <td>{r.classify === 1 ? r.person_name : <span class="badge">{t('classify.0')}</span>}{r.category === 1 && r.classify === 1 && <span class="badge warn"> {t('category.1')}</span>}</td>
            <td>{r.card_no}</td>
            <td>{r.lib_name}</td>
            <td>{(r.similarity * 100).toFixed(1)}%</td>
            <td>{r.camera_name}</td>
            <td>{r.task_name}</td>
            <td class="nowrap">{r.capture_time}</td>
            <td class="actions">{edit && <button type="button" class="danger" onClick={() => remove([r.record_id])}>{t('common.delete')}</button>}</td>
          </tr>
        )}
      />
    </section>
  );
}
