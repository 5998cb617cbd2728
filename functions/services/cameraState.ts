/**
 * Measured camera state: stream nodes report each camera on `camera.state.<id>` (on every change and
 * every lease tick); this writes it where the API reads it — cameras.online (QueryCameraList) and
 * task_cameras.state for the tasks the node reads the camera for (QueryTaskList). API instances share
 * the reports through a queue group, so each report is written once. What stops being reported is
 * closed by taskControl's periodic expiry.
 */
import type { Bus, Subscription } from '../../core/bus/types.ts';
import { CameraStateMessageSchema } from '../../core/bus/messages.ts';
import { Subjects } from '../../core/bus/subjects.ts';
import type { Logger } from '../../core/log.ts';
import type { CamerasRepo } from '../../db/repositories/cameras.ts';
import { announceEvents, cameraEvents } from './events.ts';

/**
 * A change of `online` is logged as a `camera` event, and a camera coming back while its offline
 * alarm is open raises "back" (type 4), in the same transaction (cameras.reportState).
 */
export function createCameraState(deps: { cameras: CamerasRepo; bus: Bus; log: Logger; timeZone: string }) {
  const events = cameraEvents(deps.timeZone);
  let sub: Subscription | undefined;
  /** reports are written one at a time, in order, so an older one never overwrites a newer one */
  let chain: Promise<void> = Promise.resolve();

  function onReport(data: unknown): void {
    const parsed = CameraStateMessageSchema.safeParse(data);
    if (!parsed.success) { deps.log.warn({ issues: parsed.error.issues }, 'camera.state: ignoring a malformed report'); return; }
    const r = parsed.data;
    chain = chain.then(async () => {
      if (await deps.cameras.reportState(r.camera_id, r.state === 'online', r.task_ids, events)) announceEvents(deps.bus);
    })
      .catch((err) => deps.log.warn({ err, camera: r.camera_id }, 'could not write a camera state'));
  }

  return {
    onReport,
    start(): void {
      sub ??= deps.bus.subscribe(Subjects.cameraStateAll, onReport, { queue: 'api-camera-state' });
    },
    async stop(): Promise<void> {
      await sub?.stop();
      sub = undefined;
      await chain;
    },
  };
}
export type CameraState = ReturnType<typeof createCameraState>;
