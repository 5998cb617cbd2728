/**
 * Measured camera state: stream nodes report each camera on `camera.state.<id>` (on every change and
 * every lease tick); this worker writes it where the API reads it — cameras.online (QueryCameraList)
 * and task_cameras.state for the tasks the node reads the camera for (QueryTaskList). API instances
 * share the reports through a queue group, so each report is written once. What stops being reported
 * is closed by the desired-state sender's expiry (functions/services/desiredState.ts).
 */
import type { Bus, Subscription } from '../core/bus/types.ts';
import { Channels } from '../core/bus/channels.ts';
import type { CameraStateMessage } from '../core/bus/messages.ts';
import type { Logger } from '../core/log.ts';
import type { CamerasRepo } from '../db/repositories/cameras.ts';

export function createCameraState(deps: { cameras: CamerasRepo; bus: Bus; log: Logger }) {
  let sub: Subscription | undefined;
  /** reports are written one at a time, in order, so an older one never overwrites a newer one */
  let chain: Promise<void> = Promise.resolve();

  function onReport(r: CameraStateMessage): void {
    chain = chain.then(() => deps.cameras.reportState(r.camera_id, r.state === 'online', r.task_ids))
      .catch((err) => deps.log.warn({ err, camera: r.camera_id }, 'could not write a camera state'));
  }

  return {
    onReport,
    start(): void {
      sub ??= Channels.cameraState.listen(deps.bus, onReport, { queue: 'api-camera-state', log: deps.log });
    },
    async stop(): Promise<void> {
      await sub?.stop();
      sub = undefined;
      await chain;
    },
  };
}
export type CameraState = ReturnType<typeof createCameraState>;
