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
};

export type CaptureRecord = {
  record_id: number; task_id: number; task_name: string; camera_id: number; camera_name: string; lib_id: number; lib_name: string;
  person_id: number; person_name: string; sex: number; category: number; card_no: string; classify: number; similarity: number;
  pic_url: string; capture_url: string; capture_time: string; create_time: string;
};

/** /QueryUserList (issue 10): not on every server yet */
export type User = { user_id: number; name: string; role?: string; remark?: string; create_time?: string };

export const TASK_TYPES = [0, 1, 3] as const;
