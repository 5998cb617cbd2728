/**
 * Alarms: the feed (/QueryAlarmList with every filter: type, state, task, camera, time range; server
 * paging), kept current by the live stream (the first page reads again as alarms arrive; on later
 * pages a notice counts them); acknowledge with a remark, one or several at once (/AckAlarm);
 * delete (/DeleteAlarm). Viewers read only. The sound is the frame's (AlarmBell in app.tsx).
 */
import { useRef, useState } from 'preact/hooks';
import { call, query } from '../api/client.ts';
import { useLive } from '../api/live.ts';
import { can } from '../api/session.ts';
import { ALARM_TYPES, type Alarm } from '../api/types.ts';
import { FormDialog } from '../components/FormDialog.tsx';
import { cameraSource, choiceFromParam, choiceParam, Picker, taskSource } from '../components/Picker.tsx';
import { ErrorText, Field, PagedTable, Thumb } from '../components/ui.tsx';
import { t } from '../i18n/index.ts';
import { useAction } from '../lib/actions.ts';
import { useAsync } from '../lib/hooks.ts';
import { listParams } from '../lib/router.ts';
import { fromLocalInput, toLocalInput } from '../lib/time.ts';

/** The words and look of an alarm's type: a person (blacklist, stranger) or a camera (offline, back). */
export function AlarmType({ type }: { type: number }) {
  const cls = type === 1 ? 'badge bad' : type === 3 ? 'badge warn' : type === 4 ? 'badge on' : 'badge';
  return <span class={cls}>{t(`alarm.type.${type as 1 | 2 | 3 | 4}`)}</span>;
}

/** Who or what an alarm is about: the capture beside the enrolled photo, or the camera. */
export function AlarmSubject({ a, size = 56 }: { a: Alarm; size?: number }) {
  if (a.type === 3 || a.type === 4) return <span>{a.camera_name}</span>;
  return (
    <span class="alarm-subject">
      <Thumb picUrl={a.capture_url} alt={t('records.capture')} size={size} />
      {a.pic_url && <Thumb picUrl={a.pic_url} alt={t('records.enrolled')} size={size} />}
      <span>{a.type === 1 ? a.person_name : t('classify.0')}{a.type === 1 && a.lib_name ? <span class="muted small"> · {a.lib_name}</span> : null}</span>
    </span>
  );
}

export function Alarms() {
  const { params, page, size, set } = listParams('/alarms');
  const task = choiceFromParam(params.task);
  const camera = choiceFromParam(params.camera);
  const body: Record<string, unknown> = {
    ...(params.type ? { type: Number(params.type) } : {}), ...(params.state ? { state: Number(params.state) } : {}),
    ...(task[0] ? { task_id: task[0].id } : {}), ...(camera[0] ? { camera_id: camera[0].id } : {}),
    ...(params.start ? { start_time: params.start } : {}), ...(params.end ? { end_time: params.end } : {}),
  };
  const key = JSON.stringify(body);
  const list = useAsync((signal) => query<Alarm>('/QueryAlarmList', { page_no: page, page_size: size, ...body }, signal), [page, size, key]);
  const [selected, setSelected] = useState<Set<number>>(new Set());
  const [acking, setAcking] = useState<number[] | null>(null);
  const [arrived, setArrived] = useState(0);
  const action = useAction(() => { setSelected(new Set()); list.reload(); });
  const edit = can('operator');

  // new alarms: the first page reads again (a burst once), later pages count them
  const soon = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useLive('alarm', () => {
    if (page > 1) { setArrived((n) => n + 1); return; }
    clearTimeout(soon.current);
    soon.current = setTimeout(list.reload, 300);
  });

  const items = list.data?.items ?? [];
  const newOnPage = items.filter((a) => a.state === 0).map((a) => a.alarm_id);
  const toggle = (id: number, on: boolean) => {
    const next = new Set(selected);
    if (on) next.add(id); else next.delete(id);
    setSelected(next);
  };
  const remove = (a: Alarm) => action.run(() => call('/DeleteAlarm', { alarm_id: a.alarm_id }), t('alarms.confirmDelete'));

  return (
    <section aria-labelledby="alarms-title">
      <div class="page-head">
        <h1 id="alarms-title">{t('nav.alarms')}</h1>
        {edit && (
          <div class="head-actions">
            <button type="button" class="primary" disabled={!selected.size} onClick={() => setAcking([...selected])}>{t('alarms.ackSelected', { n: selected.size })}</button>
          </div>
        )}
      </div>
      <form class="filters" onSubmit={(e) => {
        e.preventDefault();
        const f = new FormData(e.currentTarget as HTMLFormElement);
        set({ type: String(f.get('type')), state: String(f.get('state')), start: fromLocalInput(String(f.get('start'))), end: fromLocalInput(String(f.get('end'))) });
      }}>
        <select name="type" defaultValue={params.type ?? ''} aria-label={t('alarms.type')}>
          <option value="">{t('alarms.anyType')}</option>
          {ALARM_TYPES.map((ty) => <option value={ty}>{t(`alarm.type.${ty}`)}</option>)}
        </select>
        <select name="state" defaultValue={params.state ?? ''} aria-label={t('alarms.state')}>
          <option value="">{t('alarms.anyState')}</option>
          <option value="0">{t('alarm.state.0')}</option>
          <option value="1">{t('alarm.state.1')}</option>
        </select>
        <Picker label={t('records.task')} source={taskSource} value={task} single onChange={(c) => set({ task: choiceParam(c) })} />
        <Picker label={t('records.camera')} source={cameraSource} value={camera} single onChange={(c) => set({ camera: choiceParam(c) })} />
        <label class="inline">{t('records.from')} <input name="start" type="datetime-local" step={1} defaultValue={toLocalInput(params.start ?? '')} /></label>
        <label class="inline">{t('records.to')} <input name="end" type="datetime-local" step={1} defaultValue={toLocalInput(params.end ?? '')} /></label>
        <button type="submit">{t('common.search')}</button>
        <button type="button" class="link" onClick={() => set({ type: '', state: '', task: '', camera: '', start: '', end: '' })}>{t('common.reset')}</button>
      </form>
      {arrived > 0 && (
        <p class="notice" role="status">
          {t('alarms.arrived', { n: arrived })} <button type="button" class="link" onClick={() => { setArrived(0); set({ page: 1 }); }}>{t('alarms.showNewest')}</button>
        </p>
      )}
      <ErrorText error={action.error ?? list.error} />
      <PagedTable
        testId="alarms" data={list.data} cols={edit ? 9 : 8} page={page} size={size} onPage={(p, s) => set({ page: p, size: s })}
        head={<>
          {edit && (
            <th>
              <input type="checkbox" aria-label={t('alarms.selectNew')} disabled={!newOnPage.length}
                checked={newOnPage.length > 0 && newOnPage.every((id) => selected.has(id))}
                onChange={(e) => setSelected(e.currentTarget.checked ? new Set(newOnPage) : new Set())} />
            </th>
          )}
          <th>{t('alarms.type')}</th><th>{t('alarms.time')}</th><th>{t('alarms.subject')}</th><th>{t('records.camera')}</th><th>{t('records.task')}</th>
          <th>{t('records.similarity')}</th><th>{t('alarms.state')}</th><th><span class="sr-only">{t('common.actions')}</span></th>
        </>}
        row={(a) => (
          <tr class={a.state === 0 ? (a.type === 1 ? 'row-black' : 'row-new') : ''} data-alarm-id={a.alarm_id} data-state={a.state}>
            {edit && <td>{a.state === 0 && <input type="checkbox" aria-label={t('common.select')} checked={selected.has(a.alarm_id)} onChange={(e) => toggle(a.alarm_id, e.currentTarget.checked)} />}</td>}
            <td><AlarmType type={a.type} /></td>
            <td class="nowrap">{a.alarm_time}</td>
            <td><AlarmSubject a={a} /></td>
            <td>{a.camera_name}</td>
            <td>{a.task_name}</td>
            <td>{a.type === 1 || a.type === 2 ? `${(a.similarity * 100).toFixed(1)}%` : ''}</td>
            <td>
              {a.state === 0
                ? <span class="badge warn">{t('alarm.state.0')}</span>
                : <span class="small" data-testid="ack">{t('alarms.ackBy', { user: a.ack_user, time: a.ack_time })}{a.ack_remark && <><br /><q>{a.ack_remark}</q></>}</span>}
            </td>
            <td class="actions">
              {edit && a.state === 0 && <button type="button" class="primary" onClick={() => setAcking([a.alarm_id])}>{t('alarms.ack')}</button>}
              {edit && <button type="button" class="danger" onClick={() => remove(a)}>{t('common.delete')}</button>}
            </td>
          </tr>
        )}
      />
      {acking && (
        <FormDialog title={acking.length === 1 ? t('alarms.ack') : t('alarms.ackSelected', { n: acking.length })} onClose={() => setAcking(null)} testId="ack-form"
          onSubmit={async (f) => {
            const remark = String(f.get('remark') ?? '').trim();
            await call('/AckAlarm', { ...(acking.length === 1 ? { alarm_id: acking[0] } : { alarm_ids: acking.join(',') }), ...(remark ? { remark } : {}) });
            setAcking(null);
            setSelected(new Set());
            list.reload();
          }}>
          <Field label={t('alarms.remark')} wide hint={t('alarms.remarkHint')}>
            <textarea name="remark" rows={3} maxLength={1024} autoFocus />
          </Field>
        </FormDialog>
      )}
    </section>
  );
}
