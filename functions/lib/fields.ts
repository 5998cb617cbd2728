/**
 * Field definitions shared by every URI's zod schema, so the same field gets the same rules (and the
 * same message) everywhere. Types are strict: a number field does not accept "1".
 */
import { z } from 'zod';
import { nameProblem } from '../../core/names.ts';
import { ROLES } from '../../core/roles.ts';

export const MAX_PAGE_SIZE = 1000;
export const MAX_PAGE_NO = 1_000_000;

/** A string without NUL (Postgres text refuses it) and with a length cap. */
export const text = (max: number) => z.string().max(max, `must be at most ${max} characters`).refine((s) => !s.includes('\u0000'), 'must not contain NUL characters');
/**
 * A required, trimmed, non-empty name (library, person, camera, task): no control or bidi-override
 * characters (names are shown in the console and logs). Account names have stricter rules
 * (core/names.ts, applied by the accounts service).
 */
export const name = (max = 128) => text(max).transform((s) => s.trim()).refine((s) => s.length > 0, 'must not be empty')
  .refine((s) => !nameProblem(s), 'must not contain control or bidi-override characters');

/** viewer, operator or admin */
export const role = z.enum(ROLES, `must be one of ${ROLES.join(', ')}`);
export const remark = text(1024);

export const int = (min: number, max: number) => z.number().int('must be an integer').min(min, `must be >= ${min}`).max(max, `must be <= ${max}`);
/** serial ids (users, libraries, cameras, tasks) */
export const id = int(1, 2_147_483_647);
/** 64-bit ids (person_id, record_id), as JSON numbers: within the safe-integer range */
export const longId = int(1, Number.MAX_SAFE_INTEGER);
export const oneOf = <T extends readonly number[]>(values: T) =>
  z.number().int('must be an integer').refine((v) => values.includes(v), `must be one of ${values.join(', ')}`);

export const pageNo = int(1, MAX_PAGE_NO);
export const pageSize = int(1, MAX_PAGE_SIZE);
export const page = { page_no: pageNo, page_size: pageSize };

/** The password as the client sends it: the md5 of the plain password, 32 hex digits. */
export const md5 = z.string().regex(/^[0-9a-fA-F]{32}$/, 'must be the 32-hex-digit MD5 of the password').transform((s) => s.toLowerCase());

export const picUrl = text(256);
/** "1,2,3": ids separated by commas; checked by the service (INVALID_ID_LIST) */
export const idList = text(4096);
export const similarity = z.number().min(0, 'must be >= 0').max(1, 'must be <= 1');

/** Person fields, shared by AddPerson, UpdatePerson and QueryPersonList. */
export const sex = oneOf([0, 1, 2] as const);
export const category = oneOf([0, 1] as const);
export const cardNo = text(64);
export const phone = text(32);

/** Camera fields. */
export const rtsp = text(1024);
export const cameraType = int(0, 1_000_000);

/** Task fields: type 0 normal, 1 roll call, 3 sign-in; interval in ms; threshold on the similarity scale. */
export const taskType = oneOf([0, 1, 3] as const);
export const interval = int(40, 3_600_000);
export const taskState = oneOf([0, 1] as const);
export const plan = text(8192);
/** 0/1: a stranger seen by the task raises an alarm */
export const flag = oneOf([0, 1] as const);
/** sign-in tasks: minutes of grace after the working day's start / before its end */
export const graceMinutes = int(0, 24 * 60);

/** Reports: a calendar date `yyyy-mm-dd` (checked by the service against the calendar). */
export const dateText = text(10);

/** System config names: StorageServer, or any other name stored as given. */
export const configName = text(64).regex(/^[A-Za-z][A-Za-z0-9_.-]*$/, 'must be letters, digits, "_", "." or "-", starting with a letter');

// ---- output shapes (what a successful answer carries beside code and msg)

/** `yyyy-mm-dd hh:mm:ss` in TIME_ZONE, or "" when it does not apply */
export const timeOut = z.string();
/** a paged list: info {page_no, page_size, total_count, items} (extra fields of the info object beside) */
export const pagedInfo = <T extends z.ZodType, E extends z.ZodRawShape = {}>(item: T, extra?: E) => z.object({
  info: z.object({ ...(extra ?? ({} as E)), page_no: z.number().int(), page_size: z.number().int(), total_count: z.number().int(), items: z.array(item) }),
});
/** an export: base64 of a UTF-8 CSV with a BOM */
export const exportOut = z.object({ data: z.string() });

// ---- filters shared by a query URI and its export (handlers never import each other)

/** /QueryTaskCaptureRecord and /ExportCaptureRecord */
export const recordFilters = {
  task_id: id.optional(), camera_id: id.optional(), lib_id: id.optional(), person_name: text(128).optional(),
  card_no: cardNo.optional(), classify: oneOf([0, 1] as const).optional(), similarity: similarity.optional(),
  start_time: text(19).optional(), end_time: text(19).optional(),
};
/** /QueryRollCall and /ExportRollCall */
export const rollCallFilters = { task_id: id, date: dateText.optional(), window: int(1, 48).optional(), present: oneOf([0, 1] as const).optional() };
/** /QueryAttendance, /QueryAttendanceSummary and /ExportAttendance */
export const attendanceFilters = {
  task_id: id, start_date: dateText, end_date: dateText, lib_id: id.optional(), person_name: text(128).optional(),
  status: oneOf([0, 1, 2, 3, 4, 5, 6] as const).optional(),
};
