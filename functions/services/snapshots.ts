/**
 * /GetCameraSnapshot: one current frame of a camera, as base64 JPEG. The camera's host goes through
 * the address policy first (the same ranges as ONVIF; cloud metadata and unspecified addresses
 * always refused) and ffmpeg is pointed at the checked IP, never at a name it would resolve again.
 * At most `concurrency` ffmpeg processes run; as many requests again may wait; beyond that
 * SNAPSHOT_BUSY. Requests for a camera whose snapshot is already being taken share its answer.
 */
import { isIP } from 'node:net';
import { AppError } from '../../core/errors.ts';
import { createLimiter } from '../../core/limiter.ts';
import type { Logger } from '../../core/log.ts';
import type { AddressPolicy } from '../../core/onvif/index.ts';
import { SnapshotError, type GrabJpeg, type SnapshotFailure } from '../../core/snapshot/index.ts';
import type { CamerasRepo } from '../../db/repositories/cameras.ts';

const FAILURES: Record<SnapshotFailure, [kind: ConstructorParameters<typeof AppError>[0], why: string]> = {
  refused: ['CAMERA_UNREACHABLE', 'the camera refused the connection or cannot be reached'],
  auth: ['CAMERA_AUTH_FAILED', 'the camera refused the user/password in its rtsp address'],
  'not-found': ['STREAM_UNREADABLE', 'the camera has no stream at the path of its rtsp address'],
  unreadable: ['STREAM_UNREADABLE', 'the stream gave no decodable video'],
  timeout: ['SNAPSHOT_TIMEOUT', 'no picture'],
};

export function createSnapshotService(deps: {
  cameras: CamerasRepo; policy: AddressPolicy; grab: GrabJpeg; timeoutMs: number; concurrency: number; log: Logger;
}) {
  const { cameras, policy, grab, timeoutMs, concurrency, log } = deps;
  const limiter = createLimiter(concurrency, {
    maxWaiting: concurrency,
    full: () => new AppError('SNAPSHOT_BUSY', `camera_id: ${concurrency} snapshots are being taken and ${concurrency} wait; try again shortly`),
  });
  const inFlight = new Map<number, Promise<{ data: string }>>();

  async function take(cameraId: number): Promise<{ data: string }> {
    const camera = await cameras.find(cameraId);
    if (!camera) throw new AppError('CAMERA_NOT_FOUND', `camera_id: no camera ${cameraId}`);
    let url: URL;
    try {
      url = new URL(camera.rtsp);
    } catch {
      throw new AppError('INVALID_RTSP', `camera_id: camera ${cameraId} has no valid rtsp address`);
    }
    const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
    let ip: string;
    try {
      ip = await policy.resolve(host, Math.min(timeoutMs, 3000));
    } catch (e) {
      // the policy names the host; the rest of the address (credentials, path) never goes into a msg
      if (e instanceof AppError && e.kind === 'ADDRESS_NOT_ALLOWED') throw new AppError('ADDRESS_NOT_ALLOWED', `camera_id: camera ${cameraId}: ${e.message}`);
      throw e;
    }
    url.hostname = isIP(ip) === 6 ? `[${ip}]` : ip;
    return limiter.run(async () => {
      try {
        const jpeg = await grab(url.href, { timeoutMs });
        return { data: jpeg.toString('base64') };
      } catch (e) {
        if (!(e instanceof SnapshotError)) throw e;
        const [kind, why] = FAILURES[e.reason];
        log.debug({ cameraId, reason: e.reason }, 'camera snapshot failed');
        throw new AppError(kind, e.reason === 'timeout' ? `camera_id: camera ${cameraId} gave no picture within ${timeoutMs} ms` : `camera_id: camera ${cameraId}: ${why}`);
      }
    });
  }

  return {
    take(cameraId: number): Promise<{ data: string }> {
      let p = inFlight.get(cameraId);
      if (!p) {
        p = take(cameraId).finally(() => inFlight.delete(cameraId));
        inFlight.set(cameraId, p);
      }
      return p;
    },
  };
}
export type SnapshotService = ReturnType<typeof createSnapshotService>;
