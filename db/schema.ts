/**
 * The database schema (drizzle-orm). Migrations in db/migrations are generated from this file with
 * `npm run db:generate` and applied automatically at start.
 *
 * Records copy the names of the task, camera, library and person they mention: a record is history,
 * and must still read right after the person is renamed or deleted.
 */

import { sql } from 'drizzle-orm';
import {
  bigint, bigserial, date, index, integer, pgTable, primaryKey, real, serial, smallint, text, timestamp,
  uniqueIndex, vector, jsonb,
} from 'drizzle-orm/pg-core';
import { EMBEDDING_DIM } from '../core/constants.ts';

const createdAt = () => timestamp('create_time', { withTimezone: true }).notNull().defaultNow();

export const users = pgTable('users', {
  id: serial('id').primaryKey(),
  name: text('name').notNull(),
  /** scrypt of the md5 hex the client sends: "scrypt$N$r$p$salt$hash" */
  passwordHash: text('password_hash').notNull(),
  remark: text('remark').notNull().default(''),
  /** least role needed is checked per URI (functions/lib/define.ts): viewer < operator < admin */
  role: text('role', { enum: ['viewer', 'operator', 'admin'] }).notNull().default('operator'),
  /**
   * The name as compared for uniqueness: NFKC, lower case, then the Unicode TR39 skeleton
   * (functions/services/account-names.ts), so `Admin`, Cyrillic `аdmin` and `admin` collide here.
   * Null only until the host fills it in for rows older than this column.
   */
  nameKey: text('name_key'),
  createTime: createdAt(),
}, (t) => [uniqueIndex('users_name_key').on(t.name), uniqueIndex('users_name_skeleton_key').on(t.nameKey)]);

/**
 * Failed logins per (name key, client address): known and unknown names alike, so the answers do
 * not tell them apart. `attempts` counts guesses reserved in the current window, in flight included
 * (a guess takes its slot before the password hash runs, so a burst cannot outrun the count);
 * `locks` how many locks in a row, for the exponential back-off.
 */
export const loginFailures = pgTable('login_failures', {
  nameKey: text('name_key').notNull(),
  address: text('address').notNull(),
  attempts: integer('attempts').notNull().default(0),
  locks: integer('locks').notNull().default(0),
  lockedUntil: timestamp('locked_until', { withTimezone: true }),
  updated: timestamp('updated', { withTimezone: true }).notNull().defaultNow(),
}, (t) => [primaryKey({ columns: [t.nameKey, t.address] }), index('login_failures_updated_idx').on(t.updated)]);

export const sessions = pgTable('sessions', {
  /** sha256 of the session token: a leaked table does not leak live sessions */
  tokenHash: text('token_hash').primaryKey(),
  userId: integer('user_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
  lastSeen: timestamp('last_seen', { withTimezone: true }).notNull().defaultNow(),
  createTime: createdAt(),
}, (t) => [index('sessions_user_idx').on(t.userId)]);

/** Every object in the store that the API handed out (pic_url / capture_url). */
export const pictures = pgTable('pictures', {
  url: text('url').primaryKey(),
  kind: text('kind', { enum: ['person', 'capture'] }).notNull(),
  contentType: text('content_type').notNull(),
  bytes: integer('bytes').notNull(),
  width: integer('width').notNull(),
  height: integer('height').notNull(),
  /** the account that uploaded it (UPLOAD_QUOTA_BYTES counts its uploads); null for capture images */
  ownerId: integer('owner_id').references(() => users.id, { onDelete: 'set null' }),
  createTime: createdAt(),
}, (t) => [index('pictures_owner_idx').on(t.ownerId)]);

export const libraries = pgTable('libraries', {
  id: serial('id').primaryKey(),
  name: text('name').notNull(),
  type: integer('type').notNull().default(0),
  remark: text('remark').notNull().default(''),
  createTime: createdAt(),
}, (t) => [index('libraries_create_idx').on(t.createTime, t.id)]);

export const persons = pgTable('persons', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  libId: integer('lib_id').notNull().references(() => libraries.id, { onDelete: 'cascade' }),
  name: text('name').notNull(),
  pinyin: text('pinyin').notNull().default(''),
  sex: smallint('sex').notNull().default(0),
  cardNo: text('card_no').notNull().default(''),
  phone: text('phone').notNull().default(''),
  category: smallint('category').notNull().default(0),
  // a person's picture row cannot go while the person exists: DeletePicture racing AddPerson fails one of them
  picUrl: text('pic_url').notNull().references(() => pictures.url),
  remark: text('remark').notNull().default(''),
  embedding: vector('embedding', { dimensions: EMBEDDING_DIM }).notNull(),
  createTime: createdAt(),
}, (t) => [
  index('persons_lib_idx').on(t.libId, t.id),
  // the list's order (newest first): without it every page sorts the whole table
  index('persons_create_idx').on(t.createTime, t.id),
  index('persons_card_idx').on(t.cardNo),
  index('persons_pic_idx').on(t.picUrl),
  index('persons_embedding_hnsw').using('hnsw', t.embedding.op('vector_cosine_ops')),
]);

export const cameras = pgTable('cameras', {
  id: serial('id').primaryKey(),
  name: text('name').notNull(),
  rtsp: text('rtsp').notNull(),
  type: integer('type').notNull().default(0),
  remark: text('remark').notNull().default(''),
  /** measured by stream nodes / probes, never set by an operator */
  online: smallint('online').notNull().default(0),
  lastSeen: timestamp('last_seen', { withTimezone: true }),
  /** when `online` last changed: an offline camera raises its alarm once it has been offline a while */
  onlineChanged: timestamp('online_changed', { withTimezone: true }),
  /** 1 while an offline alarm (type 3) is open: the next online transition raises "back" (type 4) */
  healthAlarm: smallint('health_alarm').notNull().default(0),
  createTime: createdAt(),
});

export const tasks = pgTable('tasks', {
  id: serial('id').primaryKey(),
  name: text('name').notNull(),
  type: integer('type').notNull().default(0),
  intervalMs: integer('interval').notNull(),
  threshold: real('threshold').notNull(),
  /** '' = always on; else JSON weekly windows (see docs) */
  plan: text('plan').notNull().default(''),
  remark: text('remark').notNull().default(''),
  /** desired state set by StartTask/StopTask: 0 stopped, 1 running */
  state: smallint('state').notNull().default(0),
  /** 1: a stranger seen by this task raises an alarm (type 2) */
  alarmStranger: smallint('alarm_stranger').notNull().default(0),
  /** sign-in tasks: minutes after the working day's start still on time / before its end not early */
  lateGrace: integer('late_grace').notNull().default(0),
  earlyGrace: integer('early_grace').notNull().default(0),
  createTime: createdAt(),
});

/** A task's cameras, in list 1 (entrance) or list 2 (exit). Restrict: a used camera cannot be deleted. */
export const taskCameras = pgTable('task_cameras', {
  taskId: integer('task_id').notNull().references(() => tasks.id, { onDelete: 'cascade' }),
  cameraId: integer('camera_id').notNull().references(() => cameras.id, { onDelete: 'restrict' }),
  list: smallint('list').notNull(),
  position: smallint('position').notNull(),
  /** is this camera's stream open in this task (measured): 0 failed, 1 ok */
  state: smallint('state').notNull().default(0),
}, (t) => [primaryKey({ columns: [t.taskId, t.list, t.cameraId] }), index('task_cameras_camera_idx').on(t.cameraId)]);

export const taskLibraries = pgTable('task_libraries', {
  taskId: integer('task_id').notNull().references(() => tasks.id, { onDelete: 'cascade' }),
  libId: integer('lib_id').notNull().references(() => libraries.id, { onDelete: 'restrict' }),
  position: smallint('position').notNull(),
}, (t) => [primaryKey({ columns: [t.taskId, t.libId] }), index('task_libraries_lib_idx').on(t.libId)]);

export const captureRecords = pgTable('capture_records', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  /** idempotency key of the bus message that produced it: redelivery gives the same record */
  messageId: text('message_id'),
  taskId: integer('task_id').notNull(),
  taskName: text('task_name').notNull().default(''),
  cameraId: integer('camera_id').notNull(),
  cameraName: text('camera_name').notNull().default(''),
  /** 1 entrance list, 2 exit list: sign-in reports need it */
  cameraList: smallint('camera_list').notNull().default(1),
  libId: integer('lib_id'),
  libName: text('lib_name').notNull().default(''),
  personId: bigint('person_id', { mode: 'number' }),
  personName: text('person_name').notNull().default(''),
  sex: smallint('sex').notNull().default(0),
  category: smallint('category').notNull().default(0),
  cardNo: text('card_no').notNull().default(''),
  classify: smallint('classify').notNull(),
  similarity: real('similarity').notNull().default(0),
  picUrl: text('pic_url').notNull().default(''),
  captureUrl: text('capture_url').notNull().default(''),
  quality: real('quality'),
  box: jsonb('box'),
  captureTime: timestamp('capture_time', { withTimezone: true }).notNull(),
  createTime: createdAt(),
}, (t) => [
  uniqueIndex('capture_records_message_key').on(t.messageId),
  index('capture_records_time_idx').on(t.captureTime, t.id),
  index('capture_records_task_idx').on(t.taskId, t.captureTime),
  index('capture_records_camera_idx').on(t.cameraId, t.captureTime),
  index('capture_records_person_idx').on(t.personId),
  index('capture_records_card_idx').on(t.cardNo),
  // "is this picture still shown by a record?" (before a picture is deleted): without them each
  // check reads the whole table, ~180 ms per picture at 1M records. Partial: strangers have no pic_url.
  index('capture_records_pic_url_idx').on(t.picUrl).where(sql`${t.picUrl} <> ''`),
  index('capture_records_capture_url_idx').on(t.captureUrl).where(sql`${t.captureUrl} <> ''`),
]);

/**
 * The matcher's memory of recent appearances (a stream node's track window: `FaceMessage.appearance`)
 * per task and camera: the record each one went to, who it was, and what the face looked like. With
 * it the matcher improves an appearance's record instead of writing a second one, and rate-limits
 * records per person and camera (RECORD_PERIOD_MS) whatever node sent the faces, across restarts and
 * hand-overs; a stranger seen again is told from a new one by the embedding. Rows older than the
 * period (and a margin) are deleted as new faces come; a record's rows go with it.
 */
export const recordAppearances = pgTable('record_appearances', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  taskId: integer('task_id').notNull(),
  cameraId: integer('camera_id').notNull(),
  appearance: text('appearance').notNull(),
  recordId: bigint('record_id', { mode: 'number' }).notNull().references(() => captureRecords.id, { onDelete: 'cascade' }),
  /** the record's person; null: a stranger */
  personId: bigint('person_id', { mode: 'number' }),
  /** the appearance's first face */
  embedding: vector('embedding', { dimensions: EMBEDDING_DIM }).notNull(),
  /** when the record's own appearance started: the rate limit counts from it */
  recordStart: timestamp('record_start', { withTimezone: true }).notNull(),
}, (t) => [
  uniqueIndex('record_appearances_key').on(t.taskId, t.cameraId, t.appearance),
  index('record_appearances_recent_idx').on(t.taskId, t.cameraId, t.recordStart),
  index('record_appearances_record_idx').on(t.recordId),
]);

/**
 * A counter per table, bumped by a statement trigger on every insert, update and delete (see the
 * table_versions migration). Exact `total_count`s are cached against it, so a count is computed
 * once per change of its table, whichever process or instance made the change.
 */
export const tableVersions = pgTable('table_versions', {
  name: text('name').primaryKey(),
  version: bigint('version', { mode: 'number' }).notNull().default(0),
});

export const systemConfig = pgTable('system_config', {
  name: text('name').primaryKey(),
  /** the JSON string as given (secrets included: masked on read, never returned) */
  config: text('config').notNull(),
  remark: text('remark').notNull().default(''),
  updateTime: timestamp('update_time', { withTimezone: true }).notNull().defaultNow(),
});

/**
 * Alarms: a blacklisted person seen (1), a stranger seen by a task that asks for it (2), a camera of
 * a running task offline (3) and back (4). Written in the same transaction as what raised them (the
 * record, the camera's state change). Fields are copies, like a record's: the history stays readable
 * after the record, person or camera is deleted.
 */
export const alarms = pgTable('alarms', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  type: smallint('type').notNull(),
  /** 0 new, 1 acknowledged */
  state: smallint('state').notNull().default(0),
  alarmTime: timestamp('alarm_time', { withTimezone: true }).notNull(),
  taskId: integer('task_id').notNull().default(0),
  taskName: text('task_name').notNull().default(''),
  cameraId: integer('camera_id').notNull().default(0),
  cameraName: text('camera_name').notNull().default(''),
  /** the record that raised it (types 1, 2); kept as history after the record is deleted */
  recordId: bigint('record_id', { mode: 'number' }).notNull().default(0),
  personId: bigint('person_id', { mode: 'number' }).notNull().default(0),
  personName: text('person_name').notNull().default(''),
  libId: integer('lib_id').notNull().default(0),
  libName: text('lib_name').notNull().default(''),
  category: smallint('category').notNull().default(0),
  similarity: real('similarity').notNull().default(0),
  picUrl: text('pic_url').notNull().default(''),
  captureUrl: text('capture_url').notNull().default(''),
  ackUserId: integer('ack_user_id'),
  /** the acknowledging user's name, copied (the account may be renamed or deleted later) */
  ackUser: text('ack_user').notNull().default(''),
  ackTime: timestamp('ack_time', { withTimezone: true }),
  ackRemark: text('ack_remark').notNull().default(''),
  createTime: createdAt(),
}, (t) => [
  index('alarms_time_idx').on(t.alarmTime, t.id),
  index('alarms_state_idx').on(t.state, t.alarmTime, t.id),
  index('alarms_task_idx').on(t.taskId, t.alarmTime),
  index('alarms_camera_idx').on(t.cameraId, t.alarmTime),
  // "is this picture still shown?" before a picture is deleted (as for capture_records)
  index('alarms_pic_url_idx').on(t.picUrl).where(sql`${t.picUrl} <> ''`),
  index('alarms_capture_url_idx').on(t.captureUrl).where(sql`${t.captureUrl} <> ''`),
]);

/**
 * The event log behind GET /Events and the webhook: one row per capture, alarm and camera state
 * change, written in the transaction that made it. Ids come from `event_seq` (a counter row locked
 * until commit), so they are dense and in commit order: a reader that has seen id n has seen every
 * id below it, which is what lets a client resume from Last-Event-ID on any host.
 */
export const events = pgTable('events', {
  id: bigint('id', { mode: 'number' }).primaryKey(),
  /** 'capture' | 'alarm' | 'camera' */
  type: text('type').notNull(),
  /** ordering key of the webhook (0: none) */
  cameraId: integer('camera_id').notNull().default(0),
  /** the event's JSON as sent (text, not jsonb: the bytes signed are the bytes stored) */
  data: text('data').notNull(),
  createTime: createdAt(),
}, (t) => [index('events_create_idx').on(t.createTime)]);

/** One row (id 1): the last event id handed out. */
export const eventSeq = pgTable('event_seq', {
  id: smallint('id').primaryKey(),
  last: bigint('last', { mode: 'number' }).notNull().default(0),
});

/**
 * Per task, person and local date (TIME_ZONE): the first entrance capture, the last exit capture and
 * the last capture of any camera, kept up to date by every matched record written or deleted. The
 * attendance reports read these rows (at most persons x days) instead of aggregating the records.
 */
export const attendanceDays = pgTable('attendance_days', {
  taskId: integer('task_id').notNull(),
  day: date('day', { mode: 'string' }).notNull(),
  personId: bigint('person_id', { mode: 'number' }).notNull(),
  firstIn: timestamp('first_in', { withTimezone: true }),
  inCameraName: text('in_camera_name').notNull().default(''),
  lastOut: timestamp('last_out', { withTimezone: true }),
  outCameraName: text('out_camera_name').notNull().default(''),
  lastAny: timestamp('last_any', { withTimezone: true }).notNull(),
  anyCameraName: text('any_camera_name').notNull().default(''),
}, (t) => [primaryKey({ columns: [t.taskId, t.day, t.personId] })]);

/** One row (id 1): the zone attendance_days' dates are in; another TIME_ZONE rebuilds them at start. */
export const attendanceMeta = pgTable('attendance_meta', {
  id: smallint('id').primaryKey(),
  zone: text('zone').notNull(),
});

/** One row (id 1): the webhook dispatcher's lease, intake position and figures. */
export const webhookState = pgTable('webhook_state', {
  id: smallint('id').primaryKey(),
  /** events up to this id have been taken into webhook_deliveries (or skipped); null: not enabled */
  intakeCursor: bigint('intake_cursor', { mode: 'number' }),
  /** the API instance dispatching now, and until when (renewed while it runs) */
  owner: text('owner'),
  leaseUntil: timestamp('lease_until', { withTimezone: true }),
  delivered: bigint('delivered', { mode: 'number' }).notNull().default(0),
  dropped: bigint('dropped', { mode: 'number' }).notNull().default(0),
  lastSuccess: timestamp('last_success', { withTimezone: true }),
  lastError: text('last_error').notNull().default(''),
  lastErrorTime: timestamp('last_error_time', { withTimezone: true }),
});

/** Events waiting to be delivered to the webhook, oldest first per camera (its ordering key). */
export const webhookDeliveries = pgTable('webhook_deliveries', {
  eventId: bigint('event_id', { mode: 'number' }).primaryKey(),
  cameraId: integer('camera_id').notNull(),
  attempts: integer('attempts').notNull().default(0),
  nextAttempt: timestamp('next_attempt', { withTimezone: true }).notNull(),
  /** when the event happened: deliveries are given up 24 h (WEBHOOK_GIVE_UP_MS) after it */
  eventTime: timestamp('event_time', { withTimezone: true }).notNull(),
}, (t) => [index('webhook_deliveries_camera_idx').on(t.cameraId, t.eventId)]);

