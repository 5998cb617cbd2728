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

export const functions: readonly ApiFunction[] = [
  // 一、账号
  Login.app, RegisterUser.app, UpdateUser.app, DeleteUser.app, QueryUserList.app,
  // 二、人脸照片/场景照
  UploadPersonPicture.app, DownloadPersonPicture.app, DeletePicture.app,
  // 三、人员底库
  AddLibrary.app, DeleteLibrary.app, QueryLibraryList.app,
  // 四、人员
  AddPerson.app, DeletePerson.app, UpdatePerson.app, QueryPersonList.app,
  // 五、摄像头
  AddCamera.app, DeleteCamera.app, UpdateCamera.app, QueryCameraList.app, SearchCamera.app, QueryCameraRtsp.app, GetCameraSnapshot.app,
  // 六、任务
  AddTask.app, DeleteTask.app, UpdateTask.app, QueryTaskList.app, StartTask.app, StopTask.app, Compare1V1.app,
  // 七、系统配置
  UpdateSystemConfig.app, GetSystemConfig.app,
  // 八、历史记录
  QueryTaskCaptureRecord.app, DeleteTaskCaptureRecord.app,
  // beyond the document: alarms, reports, exports, webhook (docs/api.md)
  QueryAlarmList.app, AckAlarm.app, DeleteAlarm.app,
  QueryRollCall.app, QueryAttendance.app, QueryAttendanceSummary.app,
  ExportCaptureRecord.app, ExportRollCall.app, ExportAttendance.app,
  QueryWebhookStatus.app,
];

/** The GET URIs beside the table: the live event stream (Server-Sent Events; functions/lib/stream.ts). */
export const streams: readonly ApiStream[] = [Events.app];
