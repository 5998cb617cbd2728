/**
 * Overview: cameras online/offline, running tasks with their streams, today's captures (matched and
 * strangers), refreshed every 10 s while shown; and the newest alarms, live (read again as each one
 * arrives on the live stream).
 */
import { useRef } from 'preact/hooks';
import { query } from '../api/client.ts';
import { useLive } from '../api/live.ts';
import type { Alarm, Camera, Task } from '../api/types.ts';
import { ErrorText, StateBadge } from '../components/ui.tsx';
import { AlarmSubject, AlarmType } from './Alarms.tsx';
import { t } from '../i18n/index.ts';
import { useAsync, usePolling } from '../lib/hooks.ts';
import { href } from '../lib/router.ts';
import { startOfDay } from '../lib/time.ts';

/** Counting online cameras reads the list 1000 at a time, up to 20,000 cameras. */
async function cameraCounts(signal: AbortSignal): Promise<{ total: number; online: number; partial: boolean }> {
  let online = 0;
  let total = 0;
  for (let page = 1; page <= 20; page++) {
    const p = await query<Camera>('/QueryCameraList', { page_no: page, page_size: 1000 }, signal);
    total = p.total_count;
    online += p.items.filter((c) => c.online === 1).length;
    if (page * 1000 >= total) return { total, online, partial: false };
  }
  return { total, online, partial: true };
}

async function load(signal: AbortSignal) {
  const today = startOfDay();
  const count = (body: Record<string, unknown>) => query('/QueryTaskCaptureRecord', { page_no: 1, page_size: 1, start_time: today, ...body }, signal).then((p) => p.total_count);
  const [cameras, running, captures, matched] = await Promise.all([
    cameraCounts(signal),
    query<Task>('/QueryTaskList', { page_no: 1, page_size: 10, state: 1 }, signal),
    count({}),
    count({ classify: 1 }),
  ]);
  return { cameras, running, captures, matched };
}

const NEWEST = 6;

/** The newest alarms, read again as alarms arrive (a burst reads once). */
function NewestAlarms() {
  const alarms = useAsync((signal) => query<Alarm>('/QueryAlarmList', { page_no: 1, page_size: NEWEST }, signal), []);
  const soon = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useLive('alarm', () => {
    clearTimeout(soon.current);
    soon.current = setTimeout(alarms.reload, 300);
  });
  const d = alarms.data;
  return (
    <div class="panel" data-testid="overview-alarms">
      <h2>{t('overview.alarms')} {d && <a class="small" href={href('/alarms', { state: 0 })}>{t('overview.allAlarms')}</a>}</h2>
      <ErrorText error={alarms.error} />
      {d && !d.items.length && <p class="muted">{t('overview.noAlarms')}</p>}
      <ul class="plain alarm-list">
        {d?.items.map((a) => (
          <li class={a.state === 0 ? 'alarm-new' : ''} data-alarm-id={a.alarm_id}>
            <AlarmType type={a.type} /> <AlarmSubject a={a} size={40} />
            <span class="muted small"> {a.camera_name} · {a.alarm_time}{a.state === 1 ? ` · ${t('alarm.state.1')}` : ''}</span>
          </li>
        ))}
      </ul>
    </div>
  );
}

export function Overview() {
  const data = useAsync(load, []);
  usePolling(data.reload, 10_000);
  const d = data.data;
  return (
    <section aria-labelledby="overview-title">
      <h1 id="overview-title">{t('nav.overview')}</h1>
      <ErrorText error={data.error} />
      {d && (
        <>
          <div class="cards">
            <a class="card" href={href('/cameras')} data-testid="card-cameras">
              <span class="card-title">{t('overview.cameras')}</span>
              <span class="big">{d.cameras.online}<small> / {d.cameras.total}{d.cameras.partial ? '+' : ''}</small></span>
              <span class="muted">{t('overview.online', { online: d.cameras.online, offline: d.cameras.total - d.cameras.online })}</span>
            </a>
            <a class="card" href={href('/tasks')} data-testid="card-tasks">
              <span class="card-title">{t('overview.running')}</span>
              <span class="big">{d.running.total_count}</span>
              <span class="muted">{t('overview.tasksRunning')}</span>
            </a>
            <a class="card" href={href('/records', { start: startOfDay() })} data-testid="card-captures">
              <span class="card-title">{t('overview.today')}</span>
              <span class="big">{d.captures}</span>
              <span class="muted">{t('overview.matched', { matched: d.matched, strangers: d.captures - d.matched })}</span>
            </a>
          </div>
          <div class="two-col">
            <div class="panel">
              <h2>{t('overview.runningTasks')}</h2>
              {!d.running.items.length && <p class="muted">{t('overview.noRunning')}</p>}
              <ul class="plain">
                {d.running.items.map((task) => (
                  <li>
                    <strong>{task.name}</strong>{' '}
                    {[...task.camera_list1, ...task.camera_list2].map((c) => (
                      <StateBadge on={c.state === 1} onText={`${c.name} ✓`} offText={`${c.name} ✗`} />
                    ))}
                  </li>
                ))}
              </ul>
            </div>
            <NewestAlarms />
          </div>
        </>
      )}
    </section>
  );
}
