/**
 * The desired state: which tasks should run now and on which cameras, as `tasks.desired` on the bus.
 * Stream nodes follow the newest one (core/bus/messages.ts). Request handlers send it at once after
 * every change (StartTask, StopTask, UpdateTask, DeleteTask, UpdateCamera: `changed()`); the
 * task-control worker (workers/task-control.ts) sends it again every period, which also re-evaluates
 * plans: a started task is in the message only while its plan is active now, so a task outside its
 * windows idles and starts again at the next window by itself.
 *
 * Each send also closes what nobody reports on any more (cameras unreported for `staleMs` go
 * offline; cameras of tasks no longer desired get task state 0, cameras of active tasks offline for
 * `offlineAlarmMs` raise their alarm, each change an event in the log): see workers/camera-state.ts
 * for the reports.
 *
 * A send that fails (the database is down) is tried again soon (250 ms doubling to 2 s)
 * rather than at the next period: a StartTask made just before an outage reaches the nodes as soon
 * as the database answers again.
 */
import { Channels } from '../../core/bus/channels.ts';
import type { Bus } from '../../core/bus/types.ts';
import type { TasksDesiredMessage } from '../../core/bus/messages.ts';
import type { Logger } from '../../core/log.ts';
import { isPlanActive, parsePlan } from '../../core/plan.ts';
import type { CamerasRepo } from '../../db/repositories/cameras.ts';
import type { TasksRepo } from '../../db/repositories/tasks.ts';
import { announceEvents, cameraEvents } from './events.ts';

export function createDesiredState(deps: {
  tasks: TasksRepo; cameras: CamerasRepo; bus: Pick<Bus, 'emit'>; log: Logger; timeZone: string; staleMs: number;
  /** a camera of an active task offline this long raises its alarm (type 3); see raiseOfflineAlarms */
  offlineAlarmMs: number;
  now?: () => Date;
}) {
  const events = cameraEvents(deps.timeZone);
  const { bus, log } = deps;
  const now = deps.now ?? (() => new Date());
  let version = 0;
  let sending: Promise<void> | undefined;
  let again = false;
  let stopped = false;
  let retryTimer: NodeJS.Timeout | undefined;
  let retryDelay = 250;

  /** the started tasks whose plan is active at `at`, with their cameras */
  async function desired(at: Date): Promise<TasksDesiredMessage> {
    const started = await deps.tasks.started();
    const tasks = started.filter((t) => {
      try {
        return isPlanActive(parsePlan(t.plan), at, deps.timeZone);
      } catch (err) {
        log.error({ err, task: t.id }, 'stored plan does not parse; task idles');
        return false;
      }
    }).map((t) => ({
      task_id: t.id,
      interval: t.intervalMs,
      cameras: t.cameras.map((c) => ({ camera_id: c.cameraId, rtsp: c.rtsp, camera_list: c.list === 2 ? 2 as const : 1 as const })),
    }));
    // Newest wins at the nodes: time-based, so a restarted (or second) API instance is not ignored.
    version = Math.max(Date.now(), version + 1);
    return { version, tasks };
  }

  async function sendOnce(): Promise<void> {
    const msg = await desired(now());
    Channels.tasksDesired.emit(bus, msg);
    const active = msg.tasks.map((t) => t.task_id);
    const expired = await deps.cameras.expireStates(new Date(Date.now() - deps.staleMs), active, events);
    // Camera health is judged here, on the period, so an outage shorter than offlineAlarmMs (a
    // reconnect, a flapping link) raises nothing, and a long one raises one alarm, not one per flap.
    const raised = await deps.cameras.raiseOfflineAlarms(new Date(Date.now() - deps.offlineAlarmMs), active, events);
    if (expired || raised) announceEvents(bus);
  }

  /** sends now; calls made while a send runs coalesce into one more send after it */
  function send(): Promise<void> {
    if (sending) { again = true; return sending; }
    sending = (async () => {
      try {
        do {
          again = false;
          await sendOnce();
        } while (again);
        retryDelay = 250;
      } catch (err) {
        if (retryDelay === 250) log.error({ err }, 'could not send the desired state; retrying');
        clearTimeout(retryTimer);
        if (!stopped) {
          retryTimer = setTimeout(() => { void send(); }, retryDelay);
          retryTimer.unref();
        }
        retryDelay = Math.min(retryDelay * 2, 2000);
      } finally {
        sending = undefined;
      }
    })();
    return sending;
  }

  return {
    desired,
    send,
    /** something a node must know changed: send the desired state now (without waiting for it) */
    changed(): void { void send(); },
    /** no more retries (the host is stopping); resolves once a send in progress (if any) is over */
    async stop(): Promise<void> {
      stopped = true;
      clearTimeout(retryTimer);
      await sending;
    },
  };
}
export type DesiredState = ReturnType<typeof createDesiredState>;
