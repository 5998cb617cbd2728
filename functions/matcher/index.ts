/**
 * The matcher: turns face messages (stream nodes → FACES stream) into capture records.
 *
 * At least once, idempotent: it reads the durable consumer `matcher` (a message not acked — the
 * process died — comes again after ackWaitMs), and a message id gives at most one record
 * (capture_records.message_id is unique; the insert does nothing on a conflict). So a restart loses
 * nothing and a redelivery duplicates nothing.
 *
 * A dependency that is down (database, object store) does not make a message fail: the matcher holds
 * it and tries again (250 ms doubling to 2 s, telling JetStream it is still working on it) until the
 * dependency answers, so an outage delays records, never spends a message's deliveries.
 *
 * Never a record without its image: a face whose crop is not in the store is asked again every
 * imageRetryMs (a nak with that delay) for imageWaitMs; after that the image is taken as gone (the
 * stream node stores every crop before it publishes the message, so this means it was deleted, or
 * the node writes to another store than this host reads) and the face is dropped with an error log,
 * counted in stats.dropped.imageMissing. A capture_url that is no stream-node key, or an object that
 * is not an image, is dropped at once.
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
 *
 * One record per appearance, at most one per person per period (records.recordFace, one
 * transaction): a message of an appearance already recorded (`appearance`: a stream node's track
 * window) improves that record when its shot is better; a new appearance of a person (for a stranger:
 * of a face at SAME_PERSON_COSINE or more) recorded at this task and camera less than
 * `recordPeriodMs` before joins that record. It holds whichever node sent the faces: a camera that
 * changes hands, or a node that restarts, does not record its faces twice. A replaced capture image
 * is deleted once nothing shows it.
 */
import { decodeEmbedding, FaceMessageSchema, type FaceMessage } from '../../core/bus/messages.ts';
import { Durables, Streams, Subjects } from '../../core/bus/subjects.ts';
import { CONSUMER_DEFAULTS, type Bus, type BusMessage, type Subscription } from '../../core/bus/types.ts';
import { isAppError, isUnavailable } from '../../core/errors.ts';
import { cosineToSimilarity, SAME_PERSON_COSINE, type probeImage as ProbeImage } from '../../core/face/index.ts';
import type { Logger } from '../../core/log.ts';
import type { ObjectStore } from '../../core/storage/index.ts';
import type { Repositories } from '../../db/repositories/index.ts';
import { keyOf, NODE_CAPTURE_URL } from '../services/pictures.ts';
import { localDate } from '../../core/time.ts';
import { announceEvents, recordEvents } from '../services/events.ts';

export interface MatcherDeps {
  bus: Bus;
  repos: Pick<Repositories, 'tasks' | 'persons' | 'records' | 'pictures'>;
  store: Pick<ObjectStore, 'get' | 'delete'>;
  probeImage: typeof ProbeImage;
  log: Logger;
  /** redelivery of a message taken but not settled; default 30 s */
  ackWaitMs?: number;
  /** at most one record per person per task and camera in this period (RECORD_PERIOD_MS); default 60 s */
  recordPeriodMs?: number;
  /** TIME_ZONE: the zone of the events' times and of attendance dates */
  timeZone: string;
  /** how long a face whose crop is missing from the store is retried before it is dropped; default 60 s */
  imageWaitMs?: number;
  /** delay between those retries; default 5 s */
  imageRetryMs?: number;
}

/** the crop is not in the store (yet): ask for the message again after delayMs */
class ImageNotYet extends Error {
  constructor(readonly delayMs: number) { super('capture image not in the store yet'); }
}

/** What `events.capture.<task>` carries. */
export type CaptureEvent = {
  record_id: number; message_id: string; task_id: number; camera_id: number; camera_list: 1 | 2; classify: 0 | 1;
  person_id: number; person_name: string; lib_id: number; category: number; similarity: number; capture_url: string; capture_time: number;
};

export function createMatcher(deps: MatcherDeps) {
  const { bus, repos, log } = deps;
  const events = recordEvents(deps.timeZone);
  const imageRetryMs = deps.imageRetryMs ?? 5000;
  const imageTries = Math.max(1, Math.ceil((deps.imageWaitMs ?? 60_000) / imageRetryMs));
  /** the longest wait between two tries while a dependency is down: well within the ack wait */
  const maxHoldMs = Math.min(2000, (deps.ackWaitMs ?? CONSUMER_DEFAULTS.ackWaitMs) / 3);
  const stats = { recorded: 0, joined: 0, redeliveries: 0, retries: 0, dropped: { malformed: 0, taskGone: 0, imageMissing: 0, notAnImage: 0 } };
  let sub: Subscription | undefined;
  let stopping = false;
  let wakeHeld: (() => void) | undefined;

  /** the crop's url and `pictures` row, or why there is none */
  async function capture(f: FaceMessage, deliveryCount: number) {
    const url = `/${f.capture_url.replace(/^\/+/, '')}`;
    if (!NODE_CAPTURE_URL.test(url)) {
      log.warn({ message: f.message_id, capture_url: f.capture_url }, 'matcher: capture_url is not a stream-node capture key; face dropped');
      return { dropped: 'malformed' as const };
    }
    let bytes: Buffer;
    try {
      bytes = await deps.store.get(keyOf(url));
    } catch (e) {
      if (!isAppError(e) || e.kind !== 'PICTURE_NOT_FOUND') throw e; // the store is down: held and retried
      if (deliveryCount < imageTries) throw new ImageNotYet(imageRetryMs);
      log.error({ message: f.message_id, capture_url: url, tries: deliveryCount }, 'matcher: capture image missing from the store; face dropped');
      return { dropped: 'imageMissing' as const };
    }
    const info = await deps.probeImage(bytes).catch(() => undefined);
    if (!info) {
      log.error({ message: f.message_id, capture_url: url }, 'matcher: capture object is not an image; face dropped');
      return { dropped: 'notAnImage' as const };
    }
    return { url, picture: { url, contentType: 'image/jpeg', bytes: bytes.length, width: info.width, height: info.height } };
  }

  /** a capture image a better shot replaced: deleted with its row once no record shows it */
  async function collect(url: string) {
    try {
      for (const u of await repos.pictures.deleteOrphans([url])) await deps.store.delete(keyOf(u));
    } catch (e) {
      log.warn({ err: e, url }, 'matcher: could not delete a replaced capture image');
    }
  }

  /**
   * one message → at most one new record; returns its id (undefined: dropped, a redelivery, or it
   * joined an existing record). Throws ImageNotYet while the crop is missing, and what the database
   * or store throw.
   */
  async function handle(data: unknown, deliveryCount = 1): Promise<number | undefined> {
    const parsed = FaceMessageSchema.safeParse(data);
    if (!parsed.success) {
      stats.dropped.malformed++;
      log.warn({ issues: parsed.error.issues.slice(0, 3) }, 'matcher: dropping a malformed face message');
      return undefined;
    }
    const f = parsed.data;
    const ctx = await repos.tasks.matchContext(f.task_id, f.camera_id);
    if (!ctx) {
      stats.dropped.taskGone++;
      log.info({ message: f.message_id, task: f.task_id }, 'matcher: task deleted meanwhile; face dropped');
      return undefined;
    }
    const img = await capture(f, deliveryCount);
    if ('dropped' in img) { stats.dropped[img.dropped!]++; return undefined; }
    const [best] = await repos.persons.nearest(decodeEmbedding(f.embedding), ctx.libIds, 1);
    const similarity = best ? cosineToSimilarity(best.cosine) : 0;
    // threshold is a real (float4) column: compare in float4 too, so 0.8 >= 0.8 holds
    const matched = !!best && Math.fround(similarity) >= ctx.threshold;
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
    const done = await repos.records.recordFace({
      record, picture: img.picture, embedding: decodeEmbedding(f.embedding), periodMs: deps.recordPeriodMs ?? 60_000, sameCosine: SAME_PERSON_COSINE,
      appearance: f.appearance ?? f.message_id, appearanceStart: new Date(f.appearance_start ?? f.capture_time),
      outputs: { day: localDate(record.captureTime, deps.timeZone), alarmType, events },
    });
    if (done.outcome === 'duplicate') { stats.redeliveries++; return undefined; } // the message was handled before
    if (done.outcome !== 'created') {
      stats.joined++;
      // a stranger's record recognised by the better shot may have brought an alarm and events
      if (done.outcome === 'improved') announceEvents(bus);
      if (done.outcome === 'improved' && done.replacedUrl) await collect(done.replacedUrl);
      log.debug({ message: f.message_id, appearance: f.appearance, outcome: done.outcome }, 'matcher: face joined an existing record');
      return undefined;
    }
    const id = done.id;
    announceEvents(bus);
    const event: CaptureEvent = {
      record_id: id, message_id: f.message_id, task_id: f.task_id, camera_id: f.camera_id, camera_list: f.camera_list,
      classify: matched ? 1 : 0, person_id: matched ? best.id : 0, person_name: matched ? best.name : '', lib_id: matched ? best.libId : 0,
      category: matched ? best.category : 0, similarity, capture_url: img.url, capture_time: f.capture_time,
    };
    bus.emit(Subjects.eventsCapture(f.task_id), event);
    stats.recorded++;
    return id;
  }

  /** handles one message, holding it while a dependency is down; anything else throws (→ nak) */
  async function consume(m: BusMessage): Promise<void> {
    let waitingSince = 0;
    for (let delay = 250; ; delay = Math.min(delay * 2, maxHoldMs)) {
      try {
        await handle(m.data, m.deliveryCount);
        if (waitingSince) log.info({ seq: m.seq, waitedMs: Date.now() - waitingSince }, 'matcher: dependencies answer again');
        return;
      } catch (e) {
        if (e instanceof ImageNotYet) { m.nak(e.delayMs); return; }
        if (!isUnavailable(e) || stopping) throw e; // nak: redelivered (the insert makes that safe)
        if (!waitingSince) {
          waitingSince = Date.now();
          log.warn({ err: e, seq: m.seq }, 'matcher: a dependency is down; holding the message and retrying');
        }
        stats.retries++;
        m.working();
        await new Promise<void>((r) => { wakeHeld = r; setTimeout(r, delay).unref(); });
      }
    }
  }

  return {
    handle,
    /** counters for metrics: records written, faces that joined an existing record (improving it or not), redeliveries absorbed, retries while a dependency was down, faces dropped and why */
    stats,
    async start(): Promise<void> {
      if (sub) return;
      stopping = false;
      await bus.ensureStream(Streams.FACES);
      sub = await bus.consume({ stream: Streams.FACES, durable: Durables.matcher, ackWaitMs: deps.ackWaitMs }, consume);
      log.info('matcher consuming face messages');
    },
    async stop(): Promise<void> {
      stopping = true;
      wakeHeld?.();
      await sub?.stop();
      sub = undefined;
    },
  };
}
export type Matcher = ReturnType<typeof createMatcher>;
