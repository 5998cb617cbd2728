/**
 * Every subject and JetStream stream of the bus, in one place. Subjects are built only through
 * these helpers, so a publisher and its consumers cannot drift apart.
 *
 *   faces.<taskId>.<cameraId>  a face's appearance: its first shot, a better one (FaceMessage); stream FACES,
 *                              consumed at least once by workers/matcher.ts
 *   tasks.desired              the running tasks and their cameras, as the API wants them
 *                              (TasksDesiredMessage); nodes share the cameras among themselves
 *   camera.state.<cameraId>    a stream node's view of a camera: connecting / online / offline,
 *                              per task (CameraStateMessage)
 *   events.capture.<taskId>    a written capture record, for live event streams and webhooks
 *   events.appended            events were appended to the event log (db: events); every API
 *                              instance's live stream hub reads the log at once instead of at its
 *                              next poll (EventsAppendedMessage)
 *   accounts.sessions.ended    an API instance ended a user's sessions (password change, deletion);
 *                              every instance drops them from its session cache (SessionsEndedMessage)
 *   deadletter.<subject>       a durable message its consumer gave up on (malformed, or failed every
 *                              delivery): kept in stream DEAD_LETTERS for an operator (DeadLetter)
 *
 * Application code sends and receives through the typed channels of core/bus/channels.ts, which pair
 * each subject with the schema of its messages.
 */
export const Subjects = {
  faces: (taskId: number, cameraId: number) => `faces.${taskId}.${cameraId}`,
  /** all face messages (the FACES stream's subjects) */
  facesAll: 'faces.>',
  facesOfTask: (taskId: number) => `faces.${taskId}.*`,
  tasksDesired: 'tasks.desired',
  cameraState: (cameraId: number) => `camera.state.${cameraId}`,
  cameraStateAll: 'camera.state.*',
  eventsCapture: (taskId: number) => `events.capture.${taskId}`,
  eventsCaptureAll: 'events.capture.*',
  eventsAppended: 'events.appended',
  sessionsEnded: 'accounts.sessions.ended',
  deadLetter: (subject: string) => `deadletter.${subject}`,
  deadLetterAll: 'deadletter.>',
} as const;

/** JetStream streams (names are NATS stream names; subjects are what each stream keeps). */
export const Streams = {
  FACES: {
    name: 'FACES',
    subjects: [Subjects.facesAll],
    /** a message id seen again within this window is dropped (Nats-Msg-Id dedupe) */
    duplicateWindowMs: 2 * 60_000,
    /** faces nobody consumed within a day are of no use any more */
    maxAgeMs: 24 * 3600_000,
  },
  DEAD_LETTERS: {
    name: 'DEAD_LETTERS',
    subjects: [Subjects.deadLetterAll],
    duplicateWindowMs: 2 * 60_000,
    /** a week for an operator to look at what was given up (and re-publish it once fixed) */
    maxAgeMs: 7 * 24 * 3600_000,
  },
} as const;

/** Lease buckets (JetStream KV). Keys: leaseKeys. */
export const LeaseBuckets = {
  /** which stream node reads which camera; renewed every ttl/3 */
  cameras: { bucket: 'camera_leases', ttlMs: 10_000 },
} as const;

export const LeaseKeys = {
  camera: (cameraId: number) => `camera.${cameraId}`,
  /** a live stream node and its capacity, held by the node itself (its presence, for fair shares) */
  node: (name: string, capacity: number) => `node.${name}.${capacity}`,
} as const;

/** node.<name>.<capacity> -> { name, capacity }; undefined for any other key */
export function parseNodeKey(key: string): { name: string; capacity: number } | undefined {
  const m = /^node\.([^.]+)\.(\d+)$/.exec(key);
  return m ? { name: m[1], capacity: Number(m[2]) } : undefined;
}

/** Durable consumer names. */
export const Durables = {
  matcher: 'matcher',
} as const;

/**
 * NATS subject matching: tokens split on '.', '*' matches one token, '>' (last) one or more.
 */
export function subjectMatches(filter: string, subject: string): boolean {
  const f = filter.split('.');
  const s = subject.split('.');
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '>') return s.length > i;
    if (i >= s.length) return false;
    if (f[i] !== '*' && f[i] !== s[i]) return false;
  }
  return f.length === s.length;
}
