/**
 * Cameras. A camera used by a task cannot be deleted (CAMERA_IN_USE). The rtsp URL's form is checked
 * by its field (functions/lib/fields.ts); its host must be in CAMERA_ALLOWED_RANGES (names resolved,
 * every address checked) here, and again each time a stream node connects to it.
 */
import { AppError, isAppError } from '../../core/errors.ts';
import type { AddressPolicy } from '../../core/net/index.ts';
import type { CameraFields, CamerasRepo } from '../../db/repositories/cameras.ts';
import { page, paged, timeOf, type PageInput } from './common.ts';

export type CameraInput = { name: string; rtsp: string; type?: number; remark?: string };

export function createCamerasService(deps: { repo: CamerasRepo; timeZone: string; changed?: () => void; policy?: AddressPolicy; resolveTimeoutMs?: number }) {
  const { repo, timeZone } = deps;
  /** the URL's host against the policy; a name that does not resolve now is refused too (INVALID_RTSP) */
  async function checkHost(url: string): Promise<void> {
    if (!deps.policy) return;
    const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
    try {
      await deps.policy.resolve(host, deps.resolveTimeoutMs ?? 5000);
    } catch (e) {
      if (isAppError(e) && e.kind === 'ADDRESS_NOT_ALLOWED') throw new AppError('ADDRESS_NOT_ALLOWED', `rtsp: ${e.message}`);
      if (isAppError(e)) throw new AppError('INVALID_RTSP', `rtsp: ${e.message}`);
      throw e;
    }
  }
  return {
    async add(i: CameraInput): Promise<{ camera_id: number }> {
      await checkHost(i.rtsp);
      return { camera_id: await repo.insert({ name: i.name, rtsp: i.rtsp, type: i.type ?? 0, remark: i.remark ?? '' }) };
    },

    async update(i: Partial<CameraInput> & { camera_id: number }): Promise<void> {
      if (i.rtsp !== undefined) await checkHost(i.rtsp);
      const patch: Partial<CameraFields> = {};
      if (i.name !== undefined) patch.name = i.name;
      if (i.rtsp !== undefined) patch.rtsp = i.rtsp;
      if (i.type !== undefined) patch.type = i.type;
      if (i.remark !== undefined) patch.remark = i.remark;
      if (!(await repo.update(i.camera_id, patch))) throw new AppError('CAMERA_NOT_FOUND', `camera_id: no camera ${i.camera_id}`);
      if (patch.rtsp !== undefined) deps.changed?.(); // a running task's node must reopen the stream
    },

    async remove(cameraId: number): Promise<void> {
      const r = await repo.delete(cameraId);
      if (r === 'not-found') throw new AppError('CAMERA_NOT_FOUND', `camera_id: no camera ${cameraId}`);
      if (r === 'in-use') throw new AppError('CAMERA_IN_USE', `camera_id: camera ${cameraId} is used by a task; remove it from the task first`);
    },

    async list(i: PageInput & { name?: string; type?: number }) {
      const { total, rows } = await repo.list({ name: i.name, type: i.type }, page(i));
      return paged(i, total, rows.map((r) => ({
        camera_id: r.id, name: r.name, rtsp: r.rtsp, type: r.type, online: r.online, state: r.online, remark: r.remark,
        create_time: timeOf(r.createTime, timeZone),
      })));
    },
  };
}
export type CamerasService = ReturnType<typeof createCamerasService>;
