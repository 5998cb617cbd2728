/**
 * Roll call and attendance (docs/api.md "Roll call", "Attendance"), one tab each, filters in the URL:
 * - roll call of a roll-call task (type 1): a date and a window of its plan (default: the current
 *   one), present/absent filter; expected / present / absent counts; absent persons first; export.
 * - attendance of a sign-in task (type 3): a date range, library, name and status filters; per day
 *   and person, or per person over the range (/QueryAttendanceSummary); export of the days.
 * Exports save the CSV the server makes (same filters, no paging) as a file.
 */
import { call, query } from '../api/client.ts';
import { ATTENDANCE_STATUSES, type AttendanceItem, type AttendanceSummary, type RollCallInfo } from '../api/types.ts';
import { choiceFromParam, choiceParam, librarySource, Picker, taskOfType, type Choice } from '../components/Picker.tsx';
import { ErrorText, ExportButton, PagedTable, Thumb } from '../components/ui.tsx';
import { t } from '../i18n/index.ts';
import { useAction } from '../lib/actions.ts';
import { base64ToBytes, exportFileName, saveFile } from '../lib/download.ts';
import { useAsync } from '../lib/hooks.ts';
import { href, listParams } from '../lib/router.ts';
import { monthStart, today, windowText } from '../lib/time.ts';

const rollCallTasks = taskOfType(1);
const signInTasks = taskOfType(3);

export function Reports() {
  const { params } = listParams('/reports');
  const tab = params.tab === 'attendance' ? 'attendance' : 'rollcall';
  return (
    <section aria-labelledby="reports-title">
      <h1 id="reports-title">{t('nav.reports')}</h1>
      <nav class="tabs" aria-label={t('nav.reports')}>
        <a href={href('/reports', { tab: 'rollcall' })} aria-current={tab === 'rollcall' ? 'page' : undefined}>{t('reports.rollCall')}</a>
        <a href={href('/reports', { tab: 'attendance' })} aria-current={tab === 'attendance' ? 'page' : undefined}>{t('reports.attendance')}</a>
      </nav>
      {tab === 'rollcall' ? <RollCall /> : <Attendance />}
    </section>
  );
}

/** Sends the filters of a form as the URL's params (the list reads them from there). */
const formParams = (e: Event, names: string[]): Record<string, string> => {
  e.preventDefault();
  const f = new FormData(e.currentTarget as HTMLFormElement);
  return Object.fromEntries(names.map((n) => [n, String(f.get(n) ?? '').trim()]));
};

function TaskPick(props: { task: Choice[]; source: typeof rollCallTasks; onChange: (c: Choice[]) => void; testId: string }) {
  return <Picker label={t('records.task')} source={props.source} value={props.task} single onChange={props.onChange} testId={props.testId} />;
}

function RollCall() {
  const { params, page, size, set } = listParams('/reports', { tab: 'rollcall' });
  const task = choiceFromParam(params.task);
  const filters: Record<string, unknown> | null = task[0] ? {
    task_id: task[0].id, ...(params.date ? { date: params.date } : {}), ...(params.window ? { window: Number(params.window) } : {}),
    ...(params.present ? { present: Number(params.present) } : {}),
  } : null;
  const key = JSON.stringify(filters);
  const info = useAsync((signal) => (filters
    ? call<{ info: RollCallInfo }>('/QueryRollCall', { page_no: page, page_size: size, ...filters }, signal).then((r) => r.info)
    : Promise.resolve(undefined)), [page, size, key]);
  const action = useAction();
  const d = info.data;
  const exportCsv = () => action.run(async () => {
    const r = await call<{ data: string }>('/ExportRollCall', filters!);
    saveFile(base64ToBytes(r.data), exportFileName('roll-call', [task[0].name, d?.date, d ? `w${d.window}` : undefined]));
  });
  return (
    <>
      <form class="filters" onSubmit={(e) => set(formParams(e, ['date', 'window', 'present']))}>
        <TaskPick task={task} source={rollCallTasks} onChange={(c) => set({ task: choiceParam(c) })} testId="pick-rollcall-task" />
        <label class="inline">{t('reports.date')} <input name="date" type="date" defaultValue={params.date ?? ''} /></label>
        <label class="inline">{t('reports.window')} <input name="window" type="number" min={1} max={48} defaultValue={params.window ?? ''} placeholder={t('reports.windowNow')} class="narrow" /></label>
        <select name="present" defaultValue={params.present ?? ''} aria-label={t('reports.presence')}>
          <option value="">{t('reports.everyone')}</option>
          <option value="0">{t('reports.absent')}</option>
          <option value="1">{t('reports.present')}</option>
        </select>
        <button type="submit">{t('common.search')}</button>
        {filters && <ExportButton onExport={exportCsv} />}
      </form>
      {!task[0] && <p class="muted">{t('reports.chooseRollCall')}</p>}
      <ErrorText error={action.error ?? info.error} />
      {d && filters && (
        <>
          <p class="report-head" data-testid="rollcall-summary">
            <strong>{d.task_name}</strong> · {d.date} · {t('reports.windowN', { n: d.window })} {windowText(d.window_start, d.window_end)}
            {' · '}{t('reports.counts', { expected: d.expected, present: d.present_count, absent: d.absent_count })}
          </p>
          <PagedTable
            testId="rollcall" data={d} cols={7} page={page} size={size} onPage={(p, s) => set({ page: p, size: s })}
            head={<><th>{t('common.name')}</th><th>{t('persons.card')}</th><th>{t('records.library')}</th><th>{t('reports.presence')}</th>
              <th>{t('reports.firstSeen')}</th><th>{t('records.camera')}</th><th>{t('records.capture')}</th></>}
            row={(p) => (
              <tr class={p.present ? '' : 'row-absent'} data-present={p.present}>
                <td>{p.person_name}{p.category === 1 && <span class="badge warn">{t('category.1')}</span>}</td>
                <td>{p.card_no}</td>
                <td>{p.lib_name}</td>
                <td>{p.present ? <span class="badge on">{t('reports.present')}</span> : <span class="badge bad">{t('reports.absent')}</span>}</td>
                <td class="nowrap">{p.first_time}</td>
                <td>{p.camera_name}</td>
                <td>{p.capture_url && <Thumb picUrl={p.capture_url} alt={t('records.capture')} size={48} />}</td>
              </tr>
            )}
          />
        </>
      )}
    </>
  );
}

function Attendance() {
  const { params, page, size, set } = listParams('/reports', { tab: 'attendance' });
  const task = choiceFromParam(params.task);
  const lib = choiceFromParam(params.lib);
  const people = params.view === 'people';
  const filters: Record<string, unknown> | null = task[0] ? {
    task_id: task[0].id, start_date: params.from || monthStart(), end_date: params.to || today(),
    ...(lib[0] ? { lib_id: lib[0].id } : {}), ...(params.name ? { person_name: params.name } : {}), ...(params.status ? { status: Number(params.status) } : {}),
  } : null;
  const key = JSON.stringify(filters);
  const days = useAsync((signal) => (filters && !people ? query<AttendanceItem>('/QueryAttendance', { page_no: page, page_size: size, ...filters }, signal) : Promise.resolve(undefined)), [page, size, key, people]);
  const summary = useAsync((signal) => (filters && people ? query<AttendanceSummary>('/QueryAttendanceSummary', { page_no: page, page_size: size, ...filters }, signal) : Promise.resolve(undefined)), [page, size, key, people]);
  const action = useAction();
  const exportCsv = () => action.run(async () => {
    const r = await call<{ data: string }>('/ExportAttendance', filters!);
    saveFile(base64ToBytes(r.data), exportFileName('attendance', [task[0].name, String(filters!.start_date), String(filters!.end_date)]));
  });
  const onPage = (p: number, s: number) => set({ page: p, size: s });
  return (
    <>
      <form class="filters" onSubmit={(e) => set(formParams(e, ['from', 'to', 'name', 'status']))}>
        <TaskPick task={task} source={signInTasks} onChange={(c) => set({ task: choiceParam(c) })} testId="pick-attendance-task" />
        <label class="inline">{t('records.from')} <input name="from" type="date" defaultValue={params.from || monthStart()} /></label>
        <label class="inline">{t('records.to')} <input name="to" type="date" defaultValue={params.to || today()} /></label>
        <Picker label={t('records.library')} source={librarySource} value={lib} single onChange={(c) => set({ lib: choiceParam(c) })} />
        <input name="name" type="search" defaultValue={params.name} placeholder={t('records.name')} aria-label={t('records.name')} />
        <select name="status" defaultValue={params.status ?? ''} aria-label={t('reports.status')}>
          <option value="">{t('reports.anyStatus')}</option>
          {ATTENDANCE_STATUSES.map((s) => <option value={s}>{t(`attendance.${s}`)}</option>)}
        </select>
        <button type="submit">{t('common.search')}</button>
        {filters && <ExportButton onExport={exportCsv} />}
      </form>
      {task[0] && (
        <div class="tabs small-tabs" role="group" aria-label={t('reports.view')}>
          <button type="button" aria-pressed={!people} onClick={() => set({ view: '' })}>{t('reports.byDay')}</button>
          <button type="button" aria-pressed={people} onClick={() => set({ view: 'people' })}>{t('reports.byPerson')}</button>
        </div>
      )}
      {!task[0] && <p class="muted">{t('reports.chooseAttendance')}</p>}
      <ErrorText error={action.error ?? days.error ?? summary.error} />
      {filters && !people && (
        <PagedTable
          testId="attendance" data={days.data} cols={8} page={page} size={size} onPage={onPage}
          head={<><th>{t('reports.date')}</th><th>{t('common.name')}</th><th>{t('persons.card')}</th><th>{t('records.library')}</th>
            <th>{t('reports.firstIn')}</th><th>{t('reports.lastOut')}</th><th>{t('reports.status')}</th><th>{t('reports.minutes')}</th></>}
          row={(a) => (
            <tr data-status={a.status}>
              <td class="nowrap">{a.date}</td>
              <td>{a.person_name}</td>
              <td>{a.card_no}</td>
              <td>{a.lib_name}</td>
              <td class="nowrap">{a.first_in.slice(11)}{a.in_camera_name && <span class="muted small"> {a.in_camera_name}</span>}</td>
              <td class="nowrap">{a.last_out.slice(11)}{a.out_camera_name && <span class="muted small"> {a.out_camera_name}</span>}</td>
              <td><span class={`badge ${a.status === 0 ? 'on' : a.status === 4 ? 'bad' : 'warn'}`}>{t(`attendance.${a.status as 0}`)}</span></td>
              <td class="small">
                {a.late_minutes > 0 && t('reports.lateBy', { n: a.late_minutes })}{a.late_minutes > 0 && a.early_minutes > 0 && ' · '}
                {a.early_minutes > 0 && t('reports.earlyBy', { n: a.early_minutes })}
              </td>
            </tr>
          )}
        />
      )}
      {filters && people && (
        <PagedTable
          testId="attendance-summary" data={summary.data} cols={9} page={page} size={size} onPage={onPage}
          head={<><th>{t('common.name')}</th><th>{t('persons.card')}</th><th>{t('records.library')}</th><th>{t('reports.days')}</th>
            <th>{t('reports.daysPresent')}</th><th>{t('reports.daysLate')}</th><th>{t('reports.daysEarly')}</th><th>{t('reports.daysAbsent')}</th><th>{t('reports.lateTotal')}</th></>}
          row={(s) => (
            <tr>
              <td>{s.person_name}</td><td>{s.card_no}</td><td>{s.lib_name}</td><td>{s.days}</td><td>{s.days_present}</td>
              <td>{s.days_late}</td><td>{s.days_early}</td><td>{s.days_absent}</td><td>{s.late_minutes_total}</td>
            </tr>
          )}
        />
      )}
    </>
  );
}
