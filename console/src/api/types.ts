/** The shapes the console reads, as docs/api.md and the URIs' services answer them. */
export type Library = { lib_id: number; name: string; type: number; person_count: number; remark: string; create_time: string };

export type Person = {
  lib_id: number; lib_name: string; person_id: number; name: string; pinyin: string; sex: number; card_no: string;
  phone: string; category: number; pic_url: string; remark: string; create_time: string;
};

export type Camera = { camera_id: number; name: string; rtsp: string; type: number; online: number; state: number; remark: string; create_time: string };

export type TaskCamera = { camera_id: number; name: string; state: number };
export type Task = {
  task_id: number; name: string; task_name: string; type: number; camera_list1: TaskCamera[]; camera_list2: TaskCamera[];
  lib_list: { lib_id: number; name: string }[]; interval: number; threshold: number; state: number; plan: string; remark: string; create_time: string;
  /** 0/1: strangers seen raise alarms; minutes of grace of sign-in tasks (issue 13) */
  alarm_stranger: number; late_grace: number; early_grace: number;
};

export type CaptureRecord = {
  record_id: number; task_id: number; task_name: string; camera_id: number; camera_name: string; lib_id: number; lib_name: string;
  person_id: number; person_name: string; sex: number; category: number; card_no: string; classify: number; similarity: number;
  pic_url: string; capture_url: string; capture_time: string; create_time: string;
};

export type User = { user_id: number; name: string; role: 'viewer' | 'operator' | 'admin'; remark: string; create_time: string };

/** type 1 blacklisted person, 2 stranger, 3 camera offline, 4 camera back; state 0 new, 1 acknowledged */
export type Alarm = {
  alarm_id: number; type: number; state: number; alarm_time: string; task_id: number; task_name: string; camera_id: number; camera_name: string;
  record_id: number; person_id: number; person_name: string; lib_id: number; lib_name: string; category: number; similarity: number;
  pic_url: string; capture_url: string; ack_user: string; ack_time: string; ack_remark: string;
};
export const ALARM_TYPES = [1, 2, 3, 4] as const;

/** a `camera` event of GET /Events */
export type CameraEvent = { camera_id: number; camera_name: string; online: number; time: string };

export type RollCallItem = {
  person_id: number; person_name: string; lib_id: number; lib_name: string; card_no: string; category: number; present: number;
  first_time: string; camera_id: number; camera_name: string; similarity: number; capture_url: string;
};
export type RollCallInfo = {
  task_id: number; task_name: string; date: string; window: number; window_start: string; window_end: string;
  expected: number; present_count: number; absent_count: number; page_no: number; page_size: number; total_count: number; items: RollCallItem[];
};

export type AttendanceItem = {
  date: string; person_id: number; person_name: string; lib_id: number; lib_name: string; card_no: string; first_in: string; last_out: string;
  in_camera_name: string; out_camera_name: string; status: number; late_minutes: number; early_minutes: number;
};
export type AttendanceSummary = {
  person_id: number; person_name: string; lib_id: number; lib_name: string; card_no: string; days: number; days_present: number;
  days_late: number; days_early: number; days_absent: number; days_no_sign_out: number; late_minutes_total: number; early_minutes_total: number;
};
/** 0 normal, 1 late, 2 early leave, 3 both, 4 absent, 5 no sign-out, 6 no sign-in */
export const ATTENDANCE_STATUSES = [0, 1, 2, 3, 4, 5, 6] as const;

export type WebhookStatus = {
  enabled: number; url: string; events: string[]; pending: number; oldest_pending_time: string; delivered: number; dropped: number;
  last_success_time: string; last_error: string; last_error_time: string;
};

export const TASK_TYPES = [0, 1, 3] as const;
