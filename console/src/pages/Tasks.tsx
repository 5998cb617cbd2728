/**
 * Tasks: list with each camera's stream state (refreshed every 5 s), start/stop, add/edit with camera
 * and library pickers, the weekly plan editor, stranger alarms and (sign-in tasks) the late / early
 * grace minutes; delete (a running task is stopped first).
 */
import { useState } from 'preact/hooks';
import { call, query } from '../api/client.ts';
import { can } from '../api/session.ts';
import type { Task, TaskCamera } from '../api/types.ts';
import { PlanEditor } from '../components/PlanEditor.tsx';
import { cameraSource, librarySource, Picker, type Choice } from '../components/Picker.tsx';
import { Problem } from '../api/errors.ts';
import { FormDialog } from '../components/FormDialog.tsx';
import { ErrorText, Field, NameSearch, PagedTable, StateBadge } from '../components/ui.tsx';
import { t } from '../i18n/index.ts';
import { useAction } from '../lib/actions.ts';
import { useAsync, usePolling } from '../lib/hooks.ts';
import { fromPlanText, toPlanText, formatDay, DAYS, type WeekPlan } from '../lib/plan.ts';
import { listParams } from '../lib/router.ts';

/** A plan in one line for the list: "Mon 08:00-18:00; Sat 00:00-24:00" (or "always"). */
function planSummary(plan: string): string {
  try {
    const p = fromPlanText(plan);
    if (p.alwaysOn) return t('plan.always');
    return DAYS.filter((d) => p.days[d].length).map((d) => `${t(`day.${d}`)} ${formatDay(p.days[d])}`).join('; ');
  } catch {
    return plan;
  }
}

const ids = (list: Choice[]) => list.map((c) => c.id).join(',');

export function Tasks() {
  const { params, page, size, set } = listParams('/tasks');
  const name = params.name ?? '';
  const list = useAsync((signal) => query<Task>('/QueryTaskList', { page_no: page, page_size: size, ...(name ? { name } : {}) }, signal), [page, size, name]);
  usePolling(list.reload, 5000);
  const [form, setForm] = useState<Task | 'new' | null>(null);
  const action = useAction(list.reload);
  const edit = can('operator');
  const cams = (list: TaskCamera[], running: boolean) => list.map((c) => <StateBadge on={running && c.state === 1} onText={c.name} offText={c.name} />);

  return (
    <section aria-labelledby="tasks-title">
      <div class="page-head">
        <h1 id="tasks-title">{t('nav.tasks')}</h1>
        {edit && <button class="primary" type="button" onClick={() => setForm('new')}>{t('tasks.add')}</button>}
      </div>
      <NameSearch value={name} label={t('tasks.searchName')} onSearch={(v) => set({ name: v })} />
      <ErrorText error={action.error ?? list.error} />
      <PagedTable
        testId="tasks" data={list.data} cols={10} page={page} size={size} onPage={(p, s) => set({ page: p, size: s })}
        head={<>
          <th>ID</th><th>{t('common.name')}</th><th>{t('tasks.type')}</th><th>{t('tasks.state')}</th><th>{t('tasks.entrance')}</th><th>{t('tasks.exit')}</th>
          <th>{t('tasks.libraries')}</th><th>{t('tasks.plan')}</th><th>{t('tasks.threshold')}</th><th><span class="sr-only">{t('common.actions')}</span></th>
        </>}
        row={(task) => (
          <tr data-task={task.name}>
            <td>{task.task_id}</td>
            <td>{task.name}</td>
            <td>{t(`taskType.${task.type as 0 | 1 | 3}`)}{task.alarm_stranger === 1 && <span class="badge warn" title={t('tasks.alarmStranger')}>{t('tasks.strangerAlarms')}</span>}</td>
            <td><StateBadge on={task.state === 1} onText={t('tasks.running')} offText={t('tasks.stopped')} /></td>
            <td>{cams(task.camera_list1, task.state === 1)}</td>
            <td>{cams(task.camera_list2, task.state === 1)}</td>
            <td>{task.lib_list.map((l) => l.name).join(', ')}</td>
            <td class="small">{planSummary(task.plan)}</td>
            <td>{task.threshold}</td>
            <td class="actions">
              {edit && (task.state === 1
                ? <button type="button" onClick={() => action.run(() => call('/StopTask', { task_id: task.task_id }))}>{t('tasks.stop')}</button>
                : <button type="button" class="primary" onClick={() => action.run(() => call('/StartTask', { task_id: task.task_id }))}>{t('tasks.start')}</button>)}
              {edit && <button type="button" onClick={() => setForm(task)}>{t('common.edit')}</button>}
              {edit && (
                <button type="button" class="danger" disabled={task.state === 1} title={task.state === 1 ? t('tasks.stopFirst') : undefined}
                  onClick={() => action.run(() => call('/DeleteTask', { task_id: task.task_id }), t('tasks.confirmDelete', { name: task.name }))}>{t('common.delete')}</button>
              )}
            </td>
          </tr>
        )}
      />
      <p class="muted small">{t('tasks.streamNote')}</p>
      {form && <TaskForm task={form === 'new' ? undefined : form} onClose={() => setForm(null)} onDone={() => { setForm(null); list.reload(); }} />}
    </section>
  );
}

function TaskForm(props: { task?: Task; onClose: () => void; onDone: () => void }) {
  const task = props.task;
  const [list1, setList1] = useState<Choice[]>(task?.camera_list1.map((c) => ({ id: c.camera_id, name: c.name })) ?? []);
  const [list2, setList2] = useState<Choice[]>(task?.camera_list2.map((c) => ({ id: c.camera_id, name: c.name })) ?? []);
  const [libs, setLibs] = useState<Choice[]>(task?.lib_list.map((l) => ({ id: l.lib_id, name: l.name })) ?? []);
  const [type, setType] = useState(String(task?.type ?? 0));
  const [plan, setPlan] = useState<WeekPlan>(() => {
    try { return fromPlanText(task?.plan); } catch { return fromPlanText(''); }
  });

  const submit = async (f: FormData) => {
    const planText = toPlanText(plan);
    if (planText === null) throw new Problem(t('plan.empty'));
    if (!list1.length) throw new Problem(t('tasks.needCamera'));
    if (!libs.length) throw new Problem(t('tasks.needLibrary'));
    const body = {
      name: String(f.get('name')), type: Number(f.get('type')), camera_list1: ids(list1), camera_list2: ids(list2), lib_list: ids(libs),
      interval: Number(f.get('interval')), threshold: Number(f.get('threshold')), plan: planText, remark: String(f.get('remark') ?? ''),
      alarm_stranger: f.get('alarm_stranger') === 'on' ? 1 : 0,
      // grace minutes mean something for sign-in tasks only; others keep what they have
      ...(type === '3' ? { late_grace: Number(f.get('late_grace') || 0), early_grace: Number(f.get('early_grace') || 0) } : {}),
    };
    if (task) await call('/UpdateTask', { task_id: task.task_id, ...body });
    else await call('/AddTask', body);
    props.onDone();
  };

  return (
    <FormDialog title={task ? t('tasks.edit', { name: task.name }) : t('tasks.add')} onClose={props.onClose} onSubmit={submit} wide testId="task-form">
      <Field label={t('common.name')}><input name="name" required maxLength={128} defaultValue={task?.name} autoFocus /></Field>
      <Field label={t('tasks.type')}>
        <select name="type" value={type} onChange={(e) => setType(e.currentTarget.value)}>
          <option value="0">{t('taskType.0')}</option><option value="1">{t('taskType.1')}</option><option value="3">{t('taskType.3')}</option>
        </select>
      </Field>
      <Field label={t('tasks.interval')} hint={t('tasks.intervalHint')}><input name="interval" type="number" required min={40} max={3600000} defaultValue={String(task?.interval ?? 1000)} /></Field>
      <Field label={t('tasks.threshold')} hint={t('tasks.thresholdHint')}><input name="threshold" type="number" required min={0} max={1} step="0.01" defaultValue={String(task?.threshold ?? 0.8)} /></Field>
      <div class="field wide"><span class="label">{t('tasks.entrance')}</span><Picker label={t('tasks.entrance')} source={cameraSource} value={list1} onChange={setList1} exclude={list2.map((c) => c.id)} testId="pick-cameras" /></div>
      <div class="field wide"><span class="label">{t('tasks.exit')}</span><Picker label={t('tasks.exit')} source={cameraSource} value={list2} onChange={setList2} exclude={list1.map((c) => c.id)} /></div>
      <div class="field wide"><span class="label">{t('tasks.libraries')}</span><Picker label={t('tasks.libraries')} source={librarySource} value={libs} onChange={setLibs} testId="pick-libraries" /></div>
      <label class="check"><input name="alarm_stranger" type="checkbox" defaultChecked={task?.alarm_stranger === 1} />{t('tasks.alarmStranger')}</label>
      {type === '3' && (
        <>
          <Field label={t('tasks.lateGrace')} hint={t('tasks.graceHint')}><input name="late_grace" type="number" min={0} max={1440} defaultValue={String(task?.late_grace ?? 0)} /></Field>
          <Field label={t('tasks.earlyGrace')} hint={t('tasks.graceHint')}><input name="early_grace" type="number" min={0} max={1440} defaultValue={String(task?.early_grace ?? 0)} /></Field>
        </>
      )}
      <fieldset class="field wide"><legend class="label">{t('tasks.plan')}</legend><PlanEditor value={plan} onChange={setPlan} /></fieldset>
      <Field label={t('common.remark')} wide><input name="remark" maxLength={1024} defaultValue={task?.remark} /></Field>
    </FormDialog>
  );
}
