/**
 * Field definitions shared by every URI's zod schema, so the same field gets the same rules (and the
 * same message) everywhere. Types are strict: a number field does not accept "1". Every check of
 * the request alone lives here or in the URI's schema (functions/<Uri>.ts is the whole input
 * contract); services check only what needs stored state (exists, in use, taken).
 */
import { z } from 'zod';
import { AppError, isAppError, type ErrorName } from '../../core/errors.ts';
import { nameProblem } from '../../core/names.ts';
import { parsePlan } from '../../core/plan.ts';
import { ROLES } from '../../core/roles.ts';
import { parsePictureUrl, type PictureKind } from '../../core/storage/index.ts';
import { parseTime } from '../../core/time.ts';

/**
 * A check whose failure answers its own code (INVALID_PLAN, INVALID_RTSP, ...) rather than
 * INVALID_FIELD: `validate` throws AppError(kind, why); the answer's msg is "<field>: why" (a why
 * that already starts with the field's path is kept as it is). See invalidField in http.ts.
 */
export function checked<T extends z.ZodType>(schema: T, validate: (v: z.output<T>) => void, path?: PropertyKey[]): T {
  return schema.superRefine((v, ctx) => {
    try {
      validate(v);
    } catch (e) {
      if (!isAppError(e)) throw e;
      ctx.addIssue({ code: 'custom', message: e.message, params: { kind: e.kind }, ...(path ? { path } : {}) });
    }
  }) as T;
}

/** a zod issue that answers `kind` (for object-level checks: superRefine on the whole input) */
export const codedIssue = (kind: ErrorName, path: PropertyKey[], message: string) => ({ code: 'custom' as const, path, message, params: { kind } });

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
/** one of a few numbers (an enum in the API description) */
export const oneOf = <const T extends readonly [number, ...number[]]>(values: T) => z.literal(values, `must be one of ${values.join(', ')}`).meta({ type: 'integer' });

export const pageNo = int(1, MAX_PAGE_NO);
export const pageSize = int(1, MAX_PAGE_SIZE);
export const page = { page_no: pageNo, page_size: pageSize };

/** The password as the client sends it: the md5 of the plain password, 32 hex digits. */
export const md5 = z.string().regex(/^[0-9a-fA-F]{32}$/, 'must be the 32-hex-digit MD5 of the password').transform((s) => s.toLowerCase())
  .describe('the MD5 of the password, 32 hex digits');

/** A reference this server handed out (core/storage/picture-urls.ts); INVALID_PIC_URL otherwise. */
const pictureRef = (kinds: readonly PictureKind[]) => checked(text(256), (url) => {
  const kind = parsePictureUrl(url)?.kind;
  if (!kind || !kinds.includes(kind)) {
    throw new AppError('INVALID_PIC_URL', `not a ${kinds.length === 1 ? `/${kinds[0]}/ ` : ''}picture reference this server handed out (e.g. /pictures/yyyy/mm/dd/<uuid>.jpg)`);
  }
});
/** an upload or a capture image */
export const picUrl = pictureRef(['pictures', 'captures']).describe('a pic_url /UploadPersonPicture gave, or a record\'s capture_url');
/** an upload only (capture images go with their record) */
export const uploadedPicUrl = pictureRef(['pictures']).describe('a pic_url /UploadPersonPicture gave');

const MAX_IDS = 256;
/** "1,2,3" → [1,2,3] (duplicates dropped, order kept); throws INVALID_ID_LIST with the reason. */
export function parseIdList(text: string, opts: { allowEmpty: boolean }): number[] {
  const t = text.trim();
  if (t === '') {
    if (opts.allowEmpty) return [];
    throw new AppError('INVALID_ID_LIST', 'must list at least one id, like "1,2"');
  }
  const parts = t.split(',').map((s) => s.trim());
  if (parts.length > MAX_IDS) throw new AppError('INVALID_ID_LIST', `more than ${MAX_IDS} ids`);
  const ids: number[] = [];
  for (const p of parts) {
    if (!/^\d{1,10}$/.test(p) || Number(p) < 1 || Number(p) > 2_147_483_647) {
      throw new AppError('INVALID_ID_LIST', `${JSON.stringify(p.slice(0, 20))} is not an id; expected ids separated by commas, like "1,2"`);
    }
    if (!ids.includes(Number(p))) ids.push(Number(p));
  }
  return ids;
}
/**
 * "1,2,3": ids separated by commas, parsed into a list (INVALID_ID_LIST when malformed). `empty`:
 * what "" means — refused, the empty list, or absent (UpdateTask: unchanged).
 */
export const idList = <E extends 'refused' | 'none' | 'unchanged'>(empty: E) =>
  text(4096).describe('ids separated by commas, like "1,2"').transform((s, ctx): E extends 'unchanged' ? number[] | undefined : number[] => {
    if (empty === 'unchanged' && s.trim() === '') return undefined as never;
    try {
      return parseIdList(s, { allowEmpty: empty === 'none' });
    } catch (e) {
      if (!isAppError(e)) throw e;
      ctx.addIssue({ code: 'custom', message: e.message, params: { kind: e.kind } });
      return z.NEVER;
    }
  });
export const similarity = z.number().min(0, 'must be >= 0').max(1, 'must be <= 1').describe('on the /Compare1V1 scale');

/** Person fields, shared by AddPerson, UpdatePerson and QueryPersonList. */
export const sex = oneOf([0, 1, 2] as const).describe('0 unknown, 1 male, 2 female');
export const category = oneOf([0, 1] as const).describe('0 whitelist, 1 blacklist');
export const cardNo = text(64);
export const phone = text(32);

/** Camera fields. rtsp: rtsp:// or rtsps:// with a host; credentials in the URL are allowed (cameras need them). */
export const rtsp = checked(text(1024).describe('rtsp:// or rtsps:// URL with a host (credentials allowed)'), (url) => {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new AppError('INVALID_RTSP', 'not a URL; expected rtsp://host[:port]/path');
  }
  if ((u.protocol !== 'rtsp:' && u.protocol !== 'rtsps:') || !u.hostname) throw new AppError('INVALID_RTSP', 'expected rtsp://host[:port]/path');
  if (/[\s\u0000-\u001f]/.test(url)) throw new AppError('INVALID_RTSP', 'must not contain spaces or control characters');
});
export const cameraType = int(0, 1_000_000);

/** Task fields: type 0 normal, 1 roll call, 3 sign-in; interval in ms; threshold on the similarity scale. */
export const taskType = oneOf([0, 1, 3] as const).describe('0 normal, 1 roll call, 3 sign-in');
export const interval = int(40, 3_600_000).describe('ms between analysed frames of each camera');
export const taskState = oneOf([0, 1] as const).describe('0 stopped, 1 started');
/** "" (always on) or a weekly plan (core/plan.ts); INVALID_PLAN naming the problem. */
export const plan = checked(text(8192), (p) => { parsePlan(p); })
  .describe('"" = always on; else a JSON object as a string: ISO weekday "1".."7" → ["HH:MM-HH:MM", ...] in TIME_ZONE (docs/api.md)');

/** "yyyy-mm-dd hh:mm:ss" (a real date; "" = no filter), read in TIME_ZONE by the service. */
export const time = checked(text(19), (t) => {
  if (t !== '' && !parseTime(t, 'UTC')) throw new AppError('INVALID_FIELD', 'must be a time "yyyy-mm-dd hh:mm:ss"');
});
/** 0/1: a stranger seen by the task raises an alarm */
export const flag = oneOf([0, 1] as const);
/** Task alarm and sign-in fields (AddTask, UpdateTask). */
export const taskAlarmFields = {
  alarm_stranger: flag.describe('1: a stranger seen by the task raises an alarm (type 2)').optional(),
  late_grace: int(0, 24 * 60).describe("sign-in tasks: minutes after the working day's start still counted on time").optional(),
  early_grace: int(0, 24 * 60).describe("sign-in tasks: minutes before the working day's end still counted as a full day").optional(),
};

/** Reports: a calendar date `yyyy-mm-dd` (checked by the service against the calendar). */
export const dateText = text(10).describe('a calendar date "yyyy-mm-dd" in TIME_ZONE');

/** System config names: StorageServer, or any other name stored as given. */
export const configName = text(64).regex(/^[A-Za-z][A-Za-z0-9_.-]*$/, 'must be letters, digits, "_", "." or "-", starting with a letter');

// ---- filters shared by a query URI and its export (handlers never import each other)

/** /QueryTaskCaptureRecord and /ExportCaptureRecord */
export const recordFilters = {
  task_id: id.optional(), camera_id: id.optional(), lib_id: id.optional(), person_name: text(128).optional(),
  card_no: cardNo.optional(), classify: oneOf([0, 1] as const).optional(), similarity: similarity.optional(),
  start_time: time.optional(), end_time: time.optional(),
};
/** start_time..end_time in order (both "yyyy-mm-dd hh:mm:ss", so the text order is the time order) */
export const timesInOrder = <T extends { start_time?: string; end_time?: string }>(i: T) => !i.start_time || !i.end_time || i.start_time <= i.end_time;
export const timesInOrderIssue = { path: ['end_time'], message: 'is before start_time' };
/** /QueryRollCall and /ExportRollCall */
export const rollCallFilters = { task_id: id, date: dateText.optional(), window: int(1, 48).optional(), present: oneOf([0, 1] as const).optional() };
/** /QueryAttendance, /QueryAttendanceSummary and /ExportAttendance */
export const attendanceFilters = {
  task_id: id, start_date: dateText, end_date: dateText, lib_id: id.optional(), person_name: text(128).optional(),
  status: oneOf([0, 1, 2, 3, 4, 5, 6] as const).optional(),
};
