/**
 * The matcher: turns face messages (stream nodes → FACES stream) into capture records.
 *
 * At least once, idempotent: it reads the durable consumer `matcher` (a message not acked — the
 * process died — comes again after ackWaitMs, a failed one after the nak delay), and a message id
 * gives at most one record (capture_records.message_id is unique; the insert does nothing on a
 * conflict). So a restart loses nothing and a redelivery duplicates nothing.
 *
 * Two kinds of failure, two answers:
 *   - a dependency that is down (database, object store) is not the message's fault: the matcher
 *     holds the message and tries again in place (250 ms doubling to 2 s, telling JetStream it is
 *     still working on it) until the dependency answers, so an outage delays records and never
 *     spends a delivery, let alone dead-letters a message. Stopping while held naks it, and the
 *     channel retries an outage without limit too (core/bus/channels.ts).
 *   - a message that does not parse (a non-finite embedding, ...) or that fails `maxDeliver` times
 *     for a reason of its own goes to the DEAD_LETTERS stream, and the next one is handled.
 *
 * Never a record without its image: a face whose crop is not in the store is asked again every
 * imageRetryMs (a nak with that delay) for imageWaitMs; after that the image is taken as gone (the
 * stream node stores every crop before it publishes the message, so this means it was deleted, or
 * the node writes to another store than this host reads) and the face is dropped with an error log.
 * A capture_url that is no capture key (core/storage/picture-urls.ts), or an object that is not an
 * image (its header is read, not decoded: the node encoded it), is dropped at once.
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
 * is deleted once nothing shows it. `stats` counts what the host's /metrics shows.
 */
import { Channels } from '../core/bus/channels.ts';
import type { CaptureEvent, ParsedFaceMessage } from '../core/bus/messages.ts';
import { Durables } from '../core/bus/subjects.ts';
import { CONSUMER_DEFAULTS, type Bus, type BusMessage, type Subscription } from '../core/bus/types.ts';
import { isAppError, isUnavailable } from '../core/errors.ts';
import { cosineToSimilarity, SAME_PERSON_COSINE, type ImageInfo } from '../core/face/index.ts';
import type { Logger } from '../core/log.ts';
import { captureUrlOfKey, keyOfUrl, type ObjectStore } from '../core/storage/index.ts';
import { localDate } from '../core/time.ts';
import type { Repositories } from '../db/repositories/index.ts';
import { announceEvents, recordEvents } from '../functions/services/events.ts';

export interface MatcherDeps {
  bus: Bus;
  repos: Pick<Repositories, 'tasks' | 'persons' | 'records' | 'pictures'>;
  store: Pick<ObjectStore, 'get' | 'delete'>;
  /** the crop's format and size, or a rejection when it is no image (workers/index.ts: core/face readImageInfo) */
  imageInfo: (bytes: Buffer) => Promise<ImageInfo>;
  log: Logger;
  /** redelivery of a message taken but not settled; default 30 s */
  ackWaitMs?: number;
  /** deliveries of a message that keeps failing for a reason of its own before it is dead-lettered; default 5 */
  maxDeliver?: number;
  /** first retry delay after such a failure (doubling); default 1 s */
  retryMs?: number;
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

type DropReason = 'taskGone' | 'badCaptureUrl' | 'imageMissing' | 'notAnImage';

export function createMatcher(deps: MatcherDeps) {
  const { bus, repos, log } = deps;
  const events = recordEvents(deps.timeZone);
  const imageRetryMs = deps.imageRetryMs ?? 5000;
  const imageTries = Math.max(1, Math.ceil((deps.imageWaitMs ?? 60_000) / imageRetryMs));
  /** the longest wait between two tries while a dependency is down: well within the ack wait */
  const maxHoldMs = Math.min(2000, (deps.ackWaitMs ?? CONSUMER_DEFAULTS.ackWaitMs) / 3);
  let sub: Subscription | undefined;
  let stopping = false;
  let wakeHeld: (() => void) | undefined;
  const stats = {
    /** records written, by classify */
    recorded: { 0: 0, 1: 0 },
    /** messages handled before (a redelivery after a crash, a duplicate publish) */
    duplicates: 0,
    /** faces that joined an existing record (a later shot of its appearance, or within RECORD_PERIOD_MS), improving it or not */
    joined: 0,
    /** faces dropped without a record, by why: task deleted meanwhile, capture_url no capture key, crop missing after imageWaitMs, crop not an image */
    dropped: { taskGone: 0, badCaptureUrl: 0, imageMissing: 0, notAnImage: 0 } as Record<DropReason, number>,
    /** deliveries beyond the first (a failure, a missing crop, or an unsettled message came again) */
    redeliveries: 0,
    /** tries again of a held message while a dependency was down */
    retries: 0,
    deadLetters: { malformed: 0, failed: 0 },
    /** capture time → record written, of the last record (ms) */
    lastLagMs: 0,
  };

  const drop = (why: DropReason): undefined => { stats.dropped[why]++; return undefined; };

  /** the crop's url and `pictures` row, or why there is none */
  async function capture(f: ParsedFaceMessage, deliveryCount: number) {
    const url = captureUrlOfKey(f.capture_url);
    if (!url) {
      log.warn({ message: f.message_id, capture_url: f.capture_url }, 'matcher: capture_url is not a capture key; face dropped');
      return { dropped: 'badCaptureUrl' as const };
    }
    let bytes: Buffer;
    try {
      bytes = await deps.store.get(keyOfUrl(url));
    } catch (e) {
      if (!isAppError(e) || e.kind !== 'PICTURE_NOT_FOUND') throw e; // the store is down: held and retried
      if (deliveryCount < imageTries) throw new ImageNotYet(imageRetryMs);
      log.error({ message: f.message_id, capture_url: url, tries: deliveryCount }, 'matcher: capture image missing from the store; face dropped');
      return { dropped: 'imageMissing' as const };
    }
    const info = await deps.imageInfo(bytes).catch(() => undefined);
    if (!info) {
      log.error({ message: f.message_id, capture_url: url }, 'matcher: capture object is not an image; face dropped');
      return { dropped: 'notAnImage' as const };
    }
    return { url, picture: { url, contentType: 'image/jpeg', bytes: bytes.length, width: info.width, height: info.height }, dropped: undefined };
  }

  /** a capture image a better shot replaced: deleted with its row once no record shows it */
  async function collect(url: string) {
    try {
      for (const u of await repos.pictures.deleteOrphans([url])) await deps.store.delete(keyOfUrl(u));
    } catch (e) {
      log.warn({ err: e, url }, 'matcher: could not delete a replaced capture image');
    }
  }

  /**
   * one message → at most one new record; returns its id (undefined: dropped, a redelivery, or it
   * joined an existing record). Throws ImageNotYet while the crop is missing, and what the database
   * or store throw.
   */
  async function handle(f: ParsedFaceMessage, deliveryCount = 1): Promise<number | undefined> {
    const ctx = await repos.tasks.matchContext(f.task_id, f.camera_id);
    if (!ctx) {
      log.info({ message: f.message_id, task: f.task_id }, 'matcher: task deleted meanwhile; face dropped');
      return drop('taskGone');
    }
    const img = await capture(f, deliveryCount);
    if (img.dropped) return drop(img.dropped);
    const [best] = await repos.persons.nearest(f.embedding, ctx.libIds, 1);
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
      record, picture: img.picture, embedding: f.embedding, periodMs: deps.recordPeriodMs ?? 60_000, sameCosine: SAME_PERSON_COSINE,
      appearance: f.appearance ?? f.message_id, appearanceStart: new Date(f.appearance_start ?? f.capture_time),
      outputs: { day: localDate(record.captureTime, deps.timeZone), alarmType, events },
    });
    if (done.outcome === 'duplicate') { stats.duplicates++; return undefined; } // the message was handled before
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
    stats.recorded[matched ? 1 : 0]++;
    stats.lastLagMs = Math.max(0, Date.now() - f.capture_time);
    const event: CaptureEvent = {
      record_id: id, message_id: f.message_id, task_id: f.task_id, camera_id: f.camera_id, camera_list: f.camera_list,
      classify: matched ? 1 : 0, person_id: matched ? best.id : 0, person_name: matched ? best.name : '', lib_id: matched ? best.libId : 0,
      category: matched ? best.category : 0, similarity, capture_url: img.url, capture_time: f.capture_time,
    };
    Channels.captureEvents.emit(bus, event);
    return id;
  }

  /**
   * handles one parsed message, holding it while a dependency is down; a missing crop naks it for
   * later; anything else throws, and the channel retries it (then dead-letters it) as the message's own failure
   */
  async function consume(f: ParsedFaceMessage, m: BusMessage): Promise<void> {
    if (m.deliveryCount > 1) stats.redeliveries++;
    let waitingSince = 0;
    for (let delay = 250; ; delay = Math.min(delay * 2, maxHoldMs)) {
      try {
        await handle(f, m.deliveryCount);
        if (waitingSince) log.info({ seq: m.seq, waitedMs: Date.now() - waitingSince }, 'matcher: dependencies answer again');
        return;
      } catch (e) {
        if (e instanceof ImageNotYet) { m.nak(e.delayMs); return; }
        // stopping while held: the channel naks it (an outage is never dead-lettered), the insert makes the redelivery safe
        if (!isUnavailable(e) || stopping) throw e;
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
    /** counters for metrics (workers/metrics.ts) */
    stats,
    /** face messages not yet settled by the matcher (its backlog) */
    pending: () => bus.pending(Channels.faces.stream, Durables.matcher),
    async start(): Promise<void> {
      if (sub) return;
      stopping = false;
      sub = await Channels.faces.consume(bus, {
        durable: Durables.matcher, ackWaitMs: deps.ackWaitMs, maxDeliver: deps.maxDeliver, retryMs: deps.retryMs, log,
        onDeadLetter: (d) => { stats.deadLetters[d.reason]++; },
      }, consume);
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
