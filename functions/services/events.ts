/**
 * What the event log records, in the shapes of the query URIs: a `capture` event carries the record
 * as /QueryTaskCaptureRecord lists it, an `alarm` event the alarm as /QueryAlarmList lists it, a
 * `camera` event the camera's new state. Builders for the writers (matcher, camera state), which
 * append them in the transaction of what they describe.
 */
import { Channels } from '../../core/bus/channels.ts';
import type { Bus } from '../../core/bus/types.ts';
import type { AlarmRow } from '../../db/repositories/alarms.ts';
import type { CameraEvents } from '../../db/repositories/cameras.ts';
import type { NewEvent } from '../../db/repositories/events.ts';
import type { RecordRow } from '../../db/repositories/records.ts';
import { alarmItem } from './alarms.ts';
import { timeOf } from './common.ts';
import { recordItem } from './records.ts';

export const captureEvent = (r: RecordRow, timeZone: string): NewEvent => ({ type: 'capture', cameraId: r.cameraId, data: recordItem(r, timeZone) });
export const alarmEvent = (a: AlarmRow, timeZone: string): NewEvent => ({ type: 'alarm', cameraId: a.cameraId, data: alarmItem(a, timeZone) });

/** A record's events: its capture, then its alarm (when it raised one). */
export const recordEvents = (timeZone: string) => (w: { record: RecordRow; alarm?: AlarmRow }): NewEvent[] =>
  [captureEvent(w.record, timeZone), ...(w.alarm ? [alarmEvent(w.alarm, timeZone)] : [])];

/** A camera change's events: `camera` {camera_id, camera_name, online, time} when its state changed, then its alarm. */
export const cameraEvents = (timeZone: string): CameraEvents => (c) => [
  ...(c.stateChanged ? [{ type: 'camera' as const, cameraId: c.cameraId, data: { camera_id: c.cameraId, camera_name: c.cameraName, online: c.online ? 1 : 0, time: timeOf(c.time, timeZone) } }] : []),
  ...(c.alarm ? [alarmEvent(c.alarm, timeZone)] : []),
];

/** Tells every API instance's live stream hub that the log grew (after the commit). */
export const announceEvents = (bus: Pick<Bus, 'emit'>): void => Channels.eventsAppended.emit(bus, {});
