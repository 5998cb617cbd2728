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
 * A message that does not parse (a non-finite embedding, ...) or that fails `maxDeliver` times for a
 * reason of its own goes to the DEAD_LETTERS stream (core/bus/channels.ts), and the next one is
 * handled; a database or store outage is retried for as long as it lasts. `stats` counts what the
 * host's /metrics shows.
 */
import { Channels } from '../core/bus/channels.ts';
import type { CaptureEvent, ParsedFaceMessage } from '../core/bus/messages.ts';
import { Durables } from '../core/bus/subjects.ts';
import type { Bus, Subscription } from '../core/bus/types.ts';
import { isAppError } from '../core/errors.ts';
import { cosineToSimilarity, type probeImage as ProbeImage } from '../core/face/index.ts';
import type { Logger } from '../core/log.ts';
import { captureUrlOfKey, keyOfUrl, type ObjectStore } from '../core/storage/index.ts';
import type { Repositories } from '../db/repositories/index.ts';

export interface MatcherDeps {
  bus: Bus;
  repos: Pick<Repositories, 'tasks' | 'persons' | 'records'>;
  store: Pick<ObjectStore, 'get'>;
  probeImage: typeof ProbeImage;
  log: Logger;
  /** redelivery of a message taken but not settled; default 30 s */
  ackWaitMs?: number;
  /** deliveries of a message that keeps failing before it is dead-lettered; default 5 */
  maxDeliver?: number;
  /** first retry delay after a failure (doubling); default 1 s */
  retryMs?: number;
}

export function createMatcher(deps: MatcherDeps) {
  const { bus, repos, log } = deps;
  let sub: Subscription | undefined;
  const stats = {
    /** records written, by classify */
    recorded: { 0: 0, 1: 0 },
    /** messages whose record existed already (a redelivery after a crash, a duplicate publish) */
    duplicates: 0,
    /** messages of a task deleted meanwhile */
    dropped: 0,
    /** deliveries beyond the first (a failure or an unsettled message came again) */
    redeliveries: 0,
    deadLetters: { malformed: 0, failed: 0 },
    /** capture time → record written, of the last record (ms) */
    lastLagMs: 0,
  };

  /** the crop's url and `pictures` row; no url when the node's object is not in our store */
  async function capture(f: ParsedFaceMessage) {
    const url = captureUrlOfKey(f.capture_url);
    if (!url) {
      log.warn({ message: f.message_id, capture_url: f.capture_url }, 'matcher: capture_url is not a stream-node capture key; record without image');
      return { url: '' };
    }
    let bytes: Buffer;
    try {
      bytes = await deps.store.get(keyOfUrl(url));
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
  async function handle(f: ParsedFaceMessage): Promise<number | undefined> {
    const ctx = await repos.tasks.matchContext(f.task_id, f.camera_id);
    if (!ctx) {
      log.info({ message: f.message_id, task: f.task_id }, 'matcher: task deleted meanwhile; face dropped');
      stats.dropped++;
      return undefined;
    }
    const [best] = await repos.persons.nearest(f.embedding, ctx.libIds, 1);
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
    const id = await repos.records.insertOnce(record, img.picture);
    if (id === undefined) { stats.duplicates++; return undefined; } // a redelivery: the record exists
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

  return {
    handle,
    stats,
    /** face messages not yet settled by the matcher (its backlog) */
    pending: () => bus.pending(Channels.faces.stream, Durables.matcher),
    async start(): Promise<void> {
      if (sub) return;
      // a failure → redelivered (the insert makes that safe); malformed or failing every time → dead-lettered
      sub = await Channels.faces.consume(bus, {
        durable: Durables.matcher, ackWaitMs: deps.ackWaitMs, maxDeliver: deps.maxDeliver, retryMs: deps.retryMs, log,
        onDeadLetter: (d) => { stats.deadLetters[d.reason]++; },
      }, async (f, msg) => {
        if (msg.deliveryCount > 1) stats.redeliveries++;
        await handle(f);
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
