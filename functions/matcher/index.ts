/**
 * The matcher: turns face messages (stream nodes → FACES stream) into capture records.
 *
 * At least once, idempotent: it reads the durable consumer `matcher` (a message not acked — the
 * process died, the database failed — comes again after ackWaitMs or the nak delay), and a message id
 * gives at most one record (capture_records.message_id is unique; the insert does nothing on a
 * conflict). So a restart loses nothing and a redelivery duplicates nothing.
 *
 * For each message: the nearest person of the task's libraries (persons repository, pgvector cosine),
 * its similarity on the calibrated scale (core/face cosineToSimilarity); classify 1 with the person
 * when similarity >= the task's threshold, else 0 (stranger, best similarity kept, person fields
 * empty). Task, camera, library and person names and the person's pic_url are copied into the record;
 * the face crop becomes the record's capture_url (a `pictures` row, so /DownloadPersonPicture serves
 * it). Each new record is announced on `events.capture.<task>` for live consumers.
 *
 * With the record, in its transaction: its attendance day (matched records), its alarm (a
 * blacklisted person, category 1: type 1; a stranger, when the task has alarm_stranger: type 2) and
 * its events (`capture`, and `alarm`) in the event log; `events.appended` tells the live streams.
 */
import { decodeEmbedding, FaceMessageSchema, type FaceMessage } from '../../core/bus/messages.ts';
import { Durables, Streams, Subjects } from '../../core/bus/subjects.ts';
import type { Bus, BusMessage, Subscription } from '../../core/bus/types.ts';
import { isAppError } from '../../core/errors.ts';
import { cosineToSimilarity, type probeImage as ProbeImage } from '../../core/face/index.ts';
import type { Logger } from '../../core/log.ts';
import type { ObjectStore } from '../../core/storage/index.ts';
import type { Repositories } from '../../db/repositories/index.ts';
import { keyOf, NODE_CAPTURE_URL } from '../services/pictures.ts';
import { localDate } from '../../core/time.ts';
import { announceEvents, recordEvents } from '../services/events.ts';

export interface MatcherDeps {
  bus: Bus;
  repos: Pick<Repositories, 'tasks' | 'persons' | 'records'>;
  store: Pick<ObjectStore, 'get'>;
  probeImage: typeof ProbeImage;
  log: Logger;
  /** redelivery of a message taken but not settled; default 30 s */
  ackWaitMs?: number;
  /** TIME_ZONE: the zone of the events' times and of attendance dates */
  timeZone: string;
}

/** What `events.capture.<task>` carries. */
export type CaptureEvent = {
  record_id: number; message_id: string; task_id: number; camera_id: number; camera_list: 1 | 2; classify: 0 | 1;
  person_id: number; person_name: string; lib_id: number; category: number; similarity: number; capture_url: string; capture_time: number;
};

export function createMatcher(deps: MatcherDeps) {
  const { bus, repos, log } = deps;
  const events = recordEvents(deps.timeZone);
  let sub: Subscription | undefined;

  /** the crop's url and `pictures` row; no url when the node's object is not in our store */
  async function capture(f: FaceMessage) {
    const url = `/${f.capture_url.replace(/^\/+/, '')}`;
    if (!NODE_CAPTURE_URL.test(url)) {
      log.warn({ message: f.message_id, capture_url: f.capture_url }, 'matcher: capture_url is not a stream-node capture key; record without image');
      return { url: '' };
    }
    let bytes: Buffer;
    try {
      bytes = await deps.store.get(keyOf(url));
    } catch (e) {
      if (isAppError(e) && e.kind === 'PICTURE_NOT_FOUND') {
        log.warn({ message: f.message_id, capture_url: url }, 'matcher: capture image missing from the store; record without image');
        return { url: '' };
      }
      throw e; // store down: nak, try again later
    }
    const info = await deps.probeImage(bytes).catch(() => undefined);
    if (!info) return { url: '' };
    return { url, picture: { url, contentType: 'image/jpeg', bytes: bytes.length, width: info.width, height: info.height } };
  }

  /** one message → at most one record; returns the new record's id (undefined: dropped or a redelivery) */
  async function handle(data: unknown): Promise<number | undefined> {
    const parsed = FaceMessageSchema.safeParse(data);
    if (!parsed.success) {
      log.warn({ issues: parsed.error.issues.slice(0, 3) }, 'matcher: dropping a malformed face message');
      return undefined;
    }
    const f = parsed.data;
    const ctx = await repos.tasks.matchContext(f.task_id, f.camera_id);
    if (!ctx) {
      log.info({ message: f.message_id, task: f.task_id }, 'matcher: task deleted meanwhile; face dropped');
      return undefined;
    }
    const [best] = await repos.persons.nearest(decodeEmbedding(f.embedding), ctx.libIds, 1);
    const similarity = best ? cosineToSimilarity(best.cosine) : 0;
    // threshold is a real (float4) column: compare in float4 too, so 0.8 >= 0.8 holds
    const matched = !!best && Math.fround(similarity) >= ctx.threshold;
    const img = await capture(f);
    const record = {
      messageId: f.message_id, taskId: f.task_id, taskName: ctx.taskName, cameraId: f.camera_id, cameraName: ctx.cameraName,
      cameraList: f.camera_list, classify: matched ? 1 : 0, similarity, quality: f.quality, box: f.box,
      captureUrl: img.url, captureTime: new Date(f.capture_time),
      ...(matched ? {
        libId: best.libId, libName: best.libName, personId: best.id, personName: best.name, sex: best.sex, category: best.category,
        cardNo: best.cardNo, picUrl: best.picUrl,
      } : {}),
    };
    const alarmType = matched ? (best.category === 1 ? 1 as const : undefined) : (ctx.alarmStranger ? 2 as const : undefined);
    const id = await repos.records.insertOnce(record, img.picture, { day: localDate(record.captureTime, deps.timeZone), alarmType, events });
    if (id === undefined) return undefined; // a redelivery: the record exists
    announceEvents(bus);
    const event: CaptureEvent = {
      record_id: id, message_id: f.message_id, task_id: f.task_id, camera_id: f.camera_id, camera_list: f.camera_list,
      classify: matched ? 1 : 0, person_id: matched ? best.id : 0, person_name: matched ? best.name : '', lib_id: matched ? best.libId : 0,
      category: matched ? best.category : 0, similarity, capture_url: img.url, capture_time: f.capture_time,
    };
    bus.emit(Subjects.eventsCapture(f.task_id), event);
    return id;
  }

  return {
    handle,
    async start(): Promise<void> {
      if (sub) return;
      await bus.ensureStream(Streams.FACES);
      sub = await bus.consume({ stream: Streams.FACES, durable: Durables.matcher, ackWaitMs: deps.ackWaitMs }, async (m: BusMessage) => {
        await handle(m.data); // throws → nak → redelivered (the insert makes that safe)
      });
      log.info('matcher consuming face messages');
    },
    async stop(): Promise<void> {
      await sub?.stop();
      sub = undefined;
    },
  };
}
export type Matcher = ReturnType<typeof createMatcher>;
