/**
 * Tasks: which cameras (entrance list 1, exit list 2) are matched against which libraries, how often
 * and with what threshold, on what plan. `state` is the desired state (StartTask/StopTask): a running
 * task cannot be deleted (TASK_RUNNING) but can be updated; the scheduler picks changes up.
 */
import { AppError } from '../../core/errors.ts';
import type { CamerasRepo } from '../../db/repositories/cameras.ts';
import type { LibrariesRepo } from '../../db/repositories/libraries.ts';
import type { TaskFields, TaskLinks, TasksRepo } from '../../db/repositories/tasks.ts';
import { page, paged, requireExisting, round6, timeOf, type PageInput } from './common.ts';

export const TASK_TYPES = [0, 1, 3] as const;

/** As functions/AddTask.ts parses it: id lists are lists, the plan is checked. */
export type TaskInput = {
  name: string; type?: number; camera_list1: number[]; camera_list2?: number[]; lib_list: number[];
  interval: number; threshold: number; plan?: string; remark?: string;
  alarm_stranger?: number; late_grace?: number; early_grace?: number;
};

export function createTasksService(deps: {
  repo: TasksRepo; cameras: CamerasRepo; libraries: LibrariesRepo; timeZone: string;
  /** a change stream nodes must follow (desiredState.changed: tasks.desired is sent again) */
  changed?: () => void;
}) {
  const { repo, timeZone } = deps;
  const changed = () => deps.changed?.();

  /** Checks the lists given exist; undefined = not given (unchanged on update). */
  async function links(i: { camera_list1?: number[]; camera_list2?: number[]; lib_list?: number[] }): Promise<TaskLinks> {
    const out: TaskLinks = { cameraList1: i.camera_list1, cameraList2: i.camera_list2, libList: i.lib_list };
    if (out.cameraList1) await requireExisting(out.cameraList1, deps.cameras.existing, 'CAMERA_NOT_FOUND', 'camera_list1');
    if (out.cameraList2) await requireExisting(out.cameraList2, deps.cameras.existing, 'CAMERA_NOT_FOUND', 'camera_list2');
    if (out.libList) await requireExisting(out.libList, deps.libraries.existing, 'LIBRARY_NOT_FOUND', 'lib_list');
    return out;
  }

  return {
    async add(i: TaskInput): Promise<{ task_id: number }> {
      const l = await links(i);
      const task_id = await repo.insert(
        {
          name: i.name, type: i.type ?? 0, intervalMs: i.interval, threshold: i.threshold, plan: i.plan ?? '', remark: i.remark ?? '',
          alarmStranger: i.alarm_stranger ?? 0, lateGrace: i.late_grace ?? 0, earlyGrace: i.early_grace ?? 0,
        },
        { cameraList1: l.cameraList1!, cameraList2: l.cameraList2 ?? [], libList: l.libList! },
      );
      return { task_id };
    },

    async update(i: Partial<TaskInput> & { task_id: number }): Promise<void> {
      if (!(await repo.find(i.task_id))) throw new AppError('TASK_NOT_FOUND', `task_id: no task ${i.task_id}`);
      const l = await links(i);
      if (!!l.cameraList1 !== !!l.cameraList2) {
        // one list changes: it must not overlap the other, stored one
        const stored = await repo.cameraLists(i.task_id);
        const list1 = l.cameraList1 ?? stored.list1;
        const list2 = l.cameraList2 ?? stored.list2;
        const both = list1.find((id) => list2.includes(id));
        if (both !== undefined) throw new AppError('INVALID_ID_LIST', `${l.cameraList1 ? 'camera_list1' : 'camera_list2'}: camera ${both} is in both lists`);
      }
      const patch: Partial<TaskFields> = {};
      if (i.name !== undefined) patch.name = i.name;
      if (i.type !== undefined) patch.type = i.type;
      if (i.interval !== undefined) patch.intervalMs = i.interval;
      if (i.threshold !== undefined) patch.threshold = i.threshold;
      if (i.plan !== undefined) patch.plan = i.plan;
      if (i.remark !== undefined) patch.remark = i.remark;
      if (i.alarm_stranger !== undefined) patch.alarmStranger = i.alarm_stranger;
      if (i.late_grace !== undefined) patch.lateGrace = i.late_grace;
      if (i.early_grace !== undefined) patch.earlyGrace = i.early_grace;
      if (!(await repo.update(i.task_id, patch, l))) throw new AppError('TASK_NOT_FOUND', `task_id: no task ${i.task_id}`);
      changed();
    },

    /**
     * /StartTask (1) and /StopTask (0): the desired state, sent to the stream nodes at once. Both are
     * idempotent (starting a running task is not an error). A started task runs within its plan.
     */
    async setState(taskId: number, state: 0 | 1): Promise<void> {
      if (!(await repo.setState(taskId, state))) throw new AppError('TASK_NOT_FOUND', `task_id: no task ${taskId}`);
      changed();
    },

    async remove(taskId: number): Promise<void> {
      const r = await repo.delete(taskId);
      if (r === 'not-found') throw new AppError('TASK_NOT_FOUND', `task_id: no task ${taskId}`);
      if (r === 'running') throw new AppError('TASK_RUNNING', `task_id: task ${taskId} is running; stop it first`);
    },

    async list(i: PageInput & { name?: string; type?: number; state?: number }) {
      const { total, rows } = await repo.list({ name: i.name, type: i.type, state: i.state }, page(i));
      return paged(i, total, rows.map((t) => ({
        task_id: t.id, name: t.name, task_name: t.name, type: t.type,
        camera_list1: t.cameraList1.map((c) => ({ camera_id: c.cameraId, name: c.name, state: c.state })),
        camera_list2: t.cameraList2.map((c) => ({ camera_id: c.cameraId, name: c.name, state: c.state })),
        lib_list: t.libList.map((l) => ({ lib_id: l.libId, name: l.name })),
        interval: t.intervalMs, threshold: round6(t.threshold), state: t.state, plan: t.plan, remark: t.remark,
        alarm_stranger: t.alarmStranger, late_grace: t.lateGrace, early_grace: t.earlyGrace,
        create_time: timeOf(t.createTime, timeZone),
      })));
    },
  };
}
export type TasksService = ReturnType<typeof createTasksService>;
