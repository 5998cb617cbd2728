/**
 * Every function the API host mounts, one module per URI. To add a URI: create functions/<Uri>.ts
 * exporting `app = defineFunction({...})`, then import it here and add it to the list. GET /Events
 * (defineEventStream) is listed apart, in `streams`.
 */
import type { ApiFunction } from './lib/define.ts';
import * as Login from './Login.ts';
import * as RegisterUser from './RegisterUser.ts';
import * as UpdateUser from './UpdateUser.ts';
import * as DeleteUser from './DeleteUser.ts';
import * as QueryUserList from './QueryUserList.ts';
import * as UploadPersonPicture from './UploadPersonPicture.ts';
import * as DownloadPersonPicture from './DownloadPersonPicture.ts';
import * as DeletePicture from './DeletePicture.ts';
import * as AddLibrary from './AddLibrary.ts';
import * as DeleteLibrary from './DeleteLibrary.ts';
import * as QueryLibraryList from './QueryLibraryList.ts';
import * as AddPerson from './AddPerson.ts';
import * as DeletePerson from './DeletePerson.ts';
import * as UpdatePerson from './UpdatePerson.ts';
import * as QueryPersonList from './QueryPersonList.ts';
import * as AddCamera from './AddCamera.ts';
import * as DeleteCamera from './DeleteCamera.ts';
import * as UpdateCamera from './UpdateCamera.ts';
import * as QueryCameraList from './QueryCameraList.ts';
import * as SearchCamera from './SearchCamera.ts';
import * as QueryCameraRtsp from './QueryCameraRtsp.ts';
import * as GetCameraSnapshot from './GetCameraSnapshot.ts';
import * as AddTask from './AddTask.ts';
import * as DeleteTask from './DeleteTask.ts';
import * as UpdateTask from './UpdateTask.ts';
import * as QueryTaskList from './QueryTaskList.ts';
import * as StartTask from './StartTask.ts';
import * as StopTask from './StopTask.ts';
import * as Compare1V1 from './Compare1V1.ts';
import * as UpdateSystemConfig from './UpdateSystemConfig.ts';
import * as GetSystemConfig from './GetSystemConfig.ts';
import * as QueryTaskCaptureRecord from './QueryTaskCaptureRecord.ts';
import * as DeleteTaskCaptureRecord from './DeleteTaskCaptureRecord.ts';
import * as QueryAlarmList from './QueryAlarmList.ts';
import * as AckAlarm from './AckAlarm.ts';
import * as DeleteAlarm from './DeleteAlarm.ts';
import * as QueryRollCall from './QueryRollCall.ts';
import * as QueryAttendance from './QueryAttendance.ts';
import * as QueryAttendanceSummary from './QueryAttendanceSummary.ts';
import * as ExportCaptureRecord from './ExportCaptureRecord.ts';
import * as ExportRollCall from './ExportRollCall.ts';
import * as ExportAttendance from './ExportAttendance.ts';
import * as QueryWebhookStatus from './QueryWebhookStatus.ts';
import * as Events from './Events.ts';
import type { ApiStream } from './lib/stream.ts';

/** The URIs by group, in the customer document's order (the groups are the API reference's sections). */
export const groups: readonly { tag: string; title: string; functions: readonly ApiFunction[] }[] = [
  { tag: 'accounts', title: 'Accounts (一、账号)', functions: [Login.app, RegisterUser.app, UpdateUser.app, DeleteUser.app, QueryUserList.app] },
  { tag: 'pictures', title: 'Pictures (二、人脸照片/场景照)', functions: [UploadPersonPicture.app, DownloadPersonPicture.app, DeletePicture.app] },
  { tag: 'libraries', title: 'Person libraries (三、人员底库)', functions: [AddLibrary.app, DeleteLibrary.app, QueryLibraryList.app] },
  { tag: 'persons', title: 'Persons (四、人员)', functions: [AddPerson.app, DeletePerson.app, UpdatePerson.app, QueryPersonList.app] },
  {
    tag: 'cameras', title: 'Cameras (五、摄像头)',
    functions: [AddCamera.app, DeleteCamera.app, UpdateCamera.app, QueryCameraList.app, SearchCamera.app, QueryCameraRtsp.app, GetCameraSnapshot.app],
  },
  {
    tag: 'tasks', title: 'Tasks (六、任务)',
    functions: [AddTask.app, DeleteTask.app, UpdateTask.app, QueryTaskList.app, StartTask.app, StopTask.app, Compare1V1.app],
  },
  { tag: 'config', title: 'System configuration (七、系统配置)', functions: [UpdateSystemConfig.app, GetSystemConfig.app] },
  { tag: 'records', title: 'Capture records (八、历史记录)', functions: [QueryTaskCaptureRecord.app, DeleteTaskCaptureRecord.app] },
  // beyond the customer's document (docs/api.md)
  { tag: 'alarms', title: 'Alarms', functions: [QueryAlarmList.app, AckAlarm.app, DeleteAlarm.app] },
  { tag: 'reports', title: 'Roll call and attendance', functions: [QueryRollCall.app, QueryAttendance.app, QueryAttendanceSummary.app] },
  { tag: 'exports', title: 'Exports (CSV)', functions: [ExportCaptureRecord.app, ExportRollCall.app, ExportAttendance.app] },
  { tag: 'webhook', title: 'Alarm webhook', functions: [QueryWebhookStatus.app] },
];

export const functions: readonly ApiFunction[] = groups.flatMap((g) => g.functions);

/** The GET URIs beside the table: the live event stream (Server-Sent Events; functions/lib/stream.ts). */
export const streams: readonly ApiStream[] = [Events.app];
