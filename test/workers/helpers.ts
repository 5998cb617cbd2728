/** What the matcher tests share: the task they send faces to. */
import type { Repositories } from '../../db/repositories/index.ts';

/** a library, a camera and a task (threshold 0.8) reading it against that library */
export async function seedGate(repos: Repositories): Promise<{ lib: number; camera: number; task: number }> {
  const lib = await repos.libraries.insert({ name: 'staff', type: 0, remark: '' });
  const camera = await repos.cameras.insert({ name: 'door', rtsp: 'rtsp://10.0.0.9/x', type: 0, remark: '' });
  const task = await repos.tasks.insert({ name: 'gate', type: 0, intervalMs: 1000, threshold: 0.8, plan: '', remark: '' }, { cameraList1: [camera], cameraList2: [], libList: [lib] });
  return { lib, camera, task };
}
