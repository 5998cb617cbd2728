/**
 * Alarms: listed, acknowledged and deleted here; raised by the matcher (types 1 blacklisted person,
 * 2 stranger) and by the camera-state writers (3 camera offline, 4 back), each in the transaction of
 * what raised it. Deleting an alarm lets its pictures go when nothing else shows them.
 */
import { AppError } from '../../core/errors.ts';
import type { AccountsRepo } from '../../db/repositories/accounts.ts';
import type { AlarmRow, AlarmsRepo } from '../../db/repositories/alarms.ts';
import { page, paged, round6, timeOf, timeRange, type PageInput } from './common.ts';
import type { PicturesService } from './pictures.ts';

export const ALARM_TYPES = [1, 2, 3, 4] as const;

type ListedAlarm = Omit<AlarmRow, 'ackUserId'>;

/** An alarm as /QueryAlarmList lists it (and as `alarm` events carry it); fields that do not apply are 0 / "". */
export function alarmItem(a: ListedAlarm, timeZone: string) {
  return {
    alarm_id: a.id, type: a.type, state: a.state, alarm_time: timeOf(a.alarmTime, timeZone), task_id: a.taskId, task_name: a.taskName,
    camera_id: a.cameraId, camera_name: a.cameraName, record_id: a.recordId, person_id: a.personId, person_name: a.personName,
    lib_id: a.libId, lib_name: a.libName, category: a.category, similarity: round6(a.similarity), pic_url: a.picUrl, capture_url: a.captureUrl,
    ack_user: a.ackUser, ack_time: timeOf(a.ackTime, timeZone), ack_remark: a.ackRemark,
  };
}
export type AlarmItem = ReturnType<typeof alarmItem>;

export type AlarmQuery = PageInput & {
  type?: number; task_id?: number; camera_id?: number; state?: number; start_time?: string; end_time?: string;
};

export function createAlarmsService(deps: { repo: AlarmsRepo; accounts: AccountsRepo; pictures: PicturesService; timeZone: string }) {
  const { repo, timeZone } = deps;
  return {
    async list(i: AlarmQuery) {
      const { start, end } = timeRange(i, timeZone);
      const { total, rows } = await repo.list({ type: i.type, taskId: i.task_id, cameraId: i.camera_id, state: i.state, start, end }, page(i));
      return paged(i, total, rows.map((a) => alarmItem(a, timeZone)));
    },

    /**
     * Acknowledges `alarm_id` and the ids of `alarm_ids` as the calling user. Idempotent:
     * an acknowledged alarm keeps its first acknowledgement. Any unknown id refuses the whole call
     * (ALARM_NOT_FOUND naming it) before anything changes.
     */
    async ack(i: { alarm_id?: number; alarm_ids?: number[]; remark?: string }, userId: number): Promise<void> {
      const ids = new Set([...(i.alarm_id === undefined ? [] : [i.alarm_id]), ...(i.alarm_ids ?? [])]);
      if (!ids.size) throw new AppError('INVALID_FIELD', 'alarm_id: is required (or alarm_ids, like "1,2,3")');
      const found = new Set(await repo.existing([...ids]));
      const missing = [...ids].find((id) => !found.has(id));
      if (missing !== undefined) throw new AppError('ALARM_NOT_FOUND', `${i.alarm_id === missing ? 'alarm_id' : 'alarm_ids'}: no alarm ${missing}`);
      const user = await deps.accounts.findUser(userId);
      await repo.ack([...ids], { id: userId, name: user?.name ?? '' }, i.remark ?? '');
    },

    async remove(alarmId: number): Promise<void> {
      const gone = await repo.delete(alarmId);
      if (!gone) throw new AppError('ALARM_NOT_FOUND', `alarm_id: no alarm ${alarmId}`);
      await deps.pictures.collect([gone.picUrl, gone.captureUrl].filter((u) => u !== ''));
    },
  };
}
export type AlarmsService = ReturnType<typeof createAlarmsService>;
