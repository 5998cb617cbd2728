/**
 * Measured camera state: stream nodes report each camera on `camera.state.<id>` (on every change and
 * every lease tick); this worker writes it where the API reads it — cameras.online (QueryCameraList)
 * and task_cameras.state for the tasks the node reads the camera for (QueryTaskList). API instances
 * share the reports through a queue group, so each report is written once. What stops being reported
 * is closed by the desired-state sender's expiry (functions/services/desiredState.ts).
 *
 * The newest report of each camera waits until it is written: a write that fails (the database is
 * down) is retried (250 ms doubling to 5 s) instead of dropped, and a newer report of the same camera
 * replaces the one waiting, so an outage costs a delay, never a state that stays wrong.
 */
import type { Bus, Subscription } from '../core/bus/types.ts';
import { Channels } from '../core/bus/channels.ts';
import type { CameraStateMessage } from '../core/bus/messages.ts';
import type { Logger } from '../core/log.ts';
import type { CamerasRepo } from '../db/repositories/cameras.ts';
import { announceEvents, cameraEvents } from '../functions/services/events.ts';

/**
 * A change of `online` is logged as a `camera` event, and a camera coming back while its offline
 * alarm is open raises "back" (type 4), in the same transaction (cameras.reportState).
 */
export function createCameraState(deps: {
  cameras: Pick<CamerasRepo, 'reportState'>; bus: Bus; log: Logger; timeZone: string; retry?: { initialMs?: number; maxMs?: number };
}) {
  const events = cameraEvents(deps.timeZone);
  let sub: Subscription | undefined;
  /** camera -> its newest report not yet written; written in arrival order, one at a time */
  const waiting = new Map<number, CameraStateMessage>();
  let writing: Promise<void> | undefined;
  let stopped = false;
  let wake: (() => void) | undefined;

  async function writeAll() {
    const initial = deps.retry?.initialMs ?? 250;
    let delay = initial;
    let failing = false;
    while (waiting.size && !stopped) {
      const [id, r] = waiting.entries().next().value!;
      try {
        if (await deps.cameras.reportState(r.camera_id, r.state === 'online', r.task_ids, events)) announceEvents(deps.bus);
        if (waiting.get(id) === r) waiting.delete(id); // else a newer one came meanwhile: write that too
        if (failing) deps.log.info({ waiting: waiting.size }, 'camera states are written again');
        failing = false;
        delay = initial;
      } catch (err) {
        if (!failing) deps.log.warn({ err, camera: r.camera_id }, 'could not write a camera state; retrying');
        failing = true;
        await new Promise<void>((res) => { wake = res; setTimeout(res, delay).unref(); });
        delay = Math.min(deps.retry?.maxMs ?? 5000, delay * 2);
      }
    }
  }

  function onReport(r: CameraStateMessage): void {
    waiting.delete(r.camera_id); // to the end of the line, newest content
    waiting.set(r.camera_id, r);
    writing ??= writeAll().finally(() => { writing = undefined; });
  }

  return {
    onReport,
    /** reports waiting to be written (metrics) */
    get waiting(): number { return waiting.size; },
    start(): void {
      stopped = false;
      sub ??= Channels.cameraState.listen(deps.bus, onReport, { queue: 'api-camera-state', log: deps.log });
    },
    async stop(): Promise<void> {
      await sub?.stop();
      sub = undefined;
      stopped = true;
      wake?.();
      await writing;
    },
  };
}
export type CameraState = ReturnType<typeof createCameraState>;
