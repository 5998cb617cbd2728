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

/** System config names: StorageServer, or any other name stored as given. */
export const configName = text(64).regex(/^[A-Za-z][A-Za-z0-9_.-]*$/, 'must be letters, digits, "_", "." or "-", starting with a letter');
