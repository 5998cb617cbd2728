/**
 * The one error table. Every failure the system reports carries a numeric `code` from here and an
 * English `msg`. Ranges: 1xxx session/auth, 2xxx bad input, 3xxx not found, 4xxx conflict/state,
 * 5xxx dependency or internal. Codes are a public contract (docs/error-codes.md): never renumber.
 */
export const ErrorTable = {
  OK: { code: 0, msg: '' },

  // 1xxx session / auth
  SESSION_MISSING: { code: 1001, msg: 'session is required' },
  SESSION_INVALID: { code: 1002, msg: 'session is unknown' },
  SESSION_EXPIRED: { code: 1003, msg: 'session has expired' },
  LOGIN_FAILED: { code: 1004, msg: 'wrong username or password' },
  LOGIN_LOCKED: { code: 1005, msg: 'too many failed logins for this username; try again later' },
  OLD_PASSWORD_WRONG: { code: 1006, msg: 'old_password is wrong' },
  OLD_PASSWORD_REQUIRED: { code: 1007, msg: 'old_password is required to change password' },
  PERMISSION_DENIED: { code: 1008, msg: 'permission denied' },
  RATE_LIMITED: { code: 1009, msg: 'too many calls; try again later' },

  // 2xxx bad input
  MALFORMED_JSON: { code: 2001, msg: 'body is not valid JSON' },
  INVALID_FIELD: { code: 2002, msg: 'a field is missing or invalid' },
  BODY_TOO_LARGE: { code: 2003, msg: 'request body is too large' },
  UNSUPPORTED_CONTENT_TYPE: { code: 2004, msg: 'unsupported content type' },
  NOT_AN_IMAGE: { code: 2005, msg: 'file is not a decodable JPEG/PNG/BMP/WebP image' },
  IMAGE_TOO_LARGE: { code: 2006, msg: 'image is too large' },
  NO_FACE: { code: 2007, msg: 'no face found in the picture' },
  MULTIPLE_FACES: { code: 2008, msg: 'more than one prominent face in the picture' },
  FACE_TOO_SMALL: { code: 2009, msg: 'face is too small' },
  FACE_TOO_BLURRY: { code: 2010, msg: 'face is too blurred' },
  FACE_POOR_QUALITY: { code: 2011, msg: 'face quality is too low (pose or detection confidence)' },
  INVALID_PIC_URL: { code: 2012, msg: 'pic_url is not a valid picture reference' },
  INVALID_CONFIG: { code: 2013, msg: 'config is invalid' },
  INVALID_PLAN: { code: 2014, msg: 'plan is not a valid schedule' },
  INVALID_RTSP: { code: 2015, msg: 'rtsp is not a valid rtsp:// URL' },
  ADDRESS_NOT_ALLOWED: { code: 2016, msg: 'address is outside the allowed ranges' },
  INVALID_ID_LIST: { code: 2017, msg: 'id list is not a comma-separated list of ids' },
  JSON_TOO_DEEP: { code: 2018, msg: 'JSON is nested too deeply' },
  TOO_MANY_FIELDS: { code: 2019, msg: 'too many form fields or parts' },
  EXPORT_TOO_LARGE: { code: 2035, msg: 'the export has more rows than allowed; narrow the filters' },

  // 3xxx not found
  UNKNOWN_URI: { code: 3000, msg: 'no such URI' },
  USER_NOT_FOUND: { code: 3001, msg: 'user not found' },
  PICTURE_NOT_FOUND: { code: 3002, msg: 'picture not found' },
  LIBRARY_NOT_FOUND: { code: 3003, msg: 'library not found' },
  PERSON_NOT_FOUND: { code: 3004, msg: 'person not found' },
  CAMERA_NOT_FOUND: { code: 3005, msg: 'camera not found' },
  TASK_NOT_FOUND: { code: 3006, msg: 'task not found' },
  RECORD_NOT_FOUND: { code: 3007, msg: 'record not found' },
  CONFIG_NOT_FOUND: { code: 3008, msg: 'config not found' },
  ALARM_NOT_FOUND: { code: 3009, msg: 'alarm not found' },
  WINDOW_NOT_FOUND: { code: 3010, msg: 'the task\'s plan has no such window on that date' },

  // 4xxx conflict / state
  USER_EXISTS: { code: 4001, msg: 'a user with this name already exists' },
  LAST_USER: { code: 4002, msg: 'the last remaining account cannot be deleted' },
  PICTURE_IN_USE: { code: 4003, msg: 'picture is in use' },
  LIBRARY_IN_USE: { code: 4004, msg: 'library is used by a task' },
  CAMERA_IN_USE: { code: 4005, msg: 'camera is used by a task' },
  TASK_RUNNING: { code: 4006, msg: 'task is running; stop it first' },
  NAME_CONFUSABLE: { code: 4007, msg: 'name looks like an existing account name' },
  UPLOAD_QUOTA_EXCEEDED: { code: 4008, msg: 'upload quota of this account is used up' },
  LAST_ADMIN: { code: 4009, msg: 'the last admin cannot be deleted or demoted' },
  TASK_TYPE_MISMATCH: { code: 4010, msg: 'the task is not of the type this report needs' },

  // 5xxx dependency / internal
  INTERNAL: { code: 5000, msg: 'internal error' },
  DB_UNAVAILABLE: { code: 5001, msg: 'database unavailable' },
  STORAGE_UNAVAILABLE: { code: 5002, msg: 'object store unavailable' },
  STORAGE_CONFIG_REJECTED: { code: 5003, msg: 'new object store does not answer; old one kept' },
  FACE_ENGINE_FAILED: { code: 5004, msg: 'face engine failed' },
  BUS_UNAVAILABLE: { code: 5005, msg: 'message bus unavailable' },
  SERVER_BUSY: { code: 5006, msg: 'server is busy; try again shortly' },
  RESPONSE_INVALID: { code: 5015, msg: 'the answer does not match its declared schema' },
  EVENT_STREAMS_BUSY: { code: 5020, msg: 'too many live event streams are open; try again later' },
  CAMERA_UNREACHABLE: { code: 5101, msg: 'camera is unreachable' },
  CAMERA_TIMEOUT: { code: 5102, msg: 'camera did not answer in time' },
  NOT_ONVIF: { code: 5103, msg: 'device is not an ONVIF device' },
  CAMERA_AUTH_FAILED: { code: 5104, msg: 'camera refused the user/password' },
  NO_MEDIA_PROFILE: { code: 5105, msg: 'camera has no usable media profile' },
  DISCOVERY_FAILED: { code: 5106, msg: 'camera discovery failed' },
  SNAPSHOT_TIMEOUT: { code: 5107, msg: 'camera gave no picture in time' },
  STREAM_UNREADABLE: { code: 5108, msg: 'camera stream cannot be read' },
  SNAPSHOT_BUSY: { code: 5109, msg: 'too many snapshots in progress; try again shortly' },
} as const;

export type ErrorName = keyof typeof ErrorTable;
export type ErrorCode = (typeof ErrorTable)[ErrorName]['code'];

/** A failure with a code from the table. `msg` should name the field or thing at fault. */
export class AppError extends Error {
  readonly name = 'AppError';
  readonly code: number;
  constructor(readonly kind: ErrorName, msg?: string, options?: { cause?: unknown }) {
    super(msg ?? ErrorTable[kind].msg, options);
    this.code = ErrorTable[kind].code;
  }
}

export const isAppError = (e: unknown): e is AppError => e instanceof AppError;

/** Driver errors that mean "the database is not there" (postgres.js, PGlite, node net, the pool's own
 *  DB_UNAVAILABLE), through causes (drizzle wraps what the driver throws). */
const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'CONNECTION_ENDED', 'CONNECTION_CLOSED', 'CONNECTION_DESTROYED', 'CONNECT_TIMEOUT', '57P01', '57P03', '08000', '08001', '08003', '08006']);
export function isConnectionError(e: unknown): boolean {
  for (let cur = e as { code?: unknown; cause?: unknown } | undefined, i = 0; cur && typeof cur === 'object' && i < 5; cur = cur.cause as typeof cur, i++) {
    if (typeof cur.code === 'string' && CONNECTION_CODES.has(cur.code)) return true;
    if (cur instanceof AppError && cur.kind === 'DB_UNAVAILABLE') return true;
  }
  return false;
}

/** A dependency (database, object store, bus) is down: the same work succeeds later, as it is. */
export function isUnavailable(e: unknown): boolean {
  if (isAppError(e)) return e.kind === 'DB_UNAVAILABLE' || e.kind === 'STORAGE_UNAVAILABLE' || e.kind === 'BUS_UNAVAILABLE';
  return isConnectionError(e);
}
