/**
 * The background parts of an API host, apart from the request handlers: the matcher (face messages
 * → capture records, alarms, attendance, events), the camera-state writer, the task-control clock
 * (the desired state every period, camera health), the webhook dispatcher, the event log's
 * retention and, by default without NATS_URL (or with EMBEDDED_STREAM_NODE=1), a stream node
 * reading the cameras in this process. `npm start` (functions/host.ts) runs them beside the
 * handlers; a function deployed alone (functions/lib/runtime.ts) runs none. Their figures reach the
 * host's /metrics through workers/metrics.ts.
 */
import { outboxOptions, pipelineOptions } from '../core/env/pipeline.ts';
import { readImageInfo } from '../core/face/index.ts';
import { createWebhookSender } from '../core/webhook/index.ts';
import type { Services } from '../functions/services/index.ts';
import type { Resources } from '../functions/services/resources.ts';
import { StreamNode } from '../stream-node/node.ts';
import { createCameraState } from './camera-state.ts';
import { createEventRetention } from './event-retention.ts';
import { createMatcher } from './matcher.ts';
import { createTaskControl } from './task-control.ts';
import { createWebhookDispatcher } from './webhook.ts';

export type Workers = Awaited<ReturnType<typeof startWorkers>>;

export async function startWorkers(r: Resources, services: Services) {
  const { env, log, repos, bus } = r;
  const matcher = createMatcher({
    // a capture image is a stream node's own JPEG: its header is read (format, size), not decoded.
    // A whole decode in the face worker cost 3-5 ms of CPU per face message on bench:stream, and
    // started the face engine (its ONNX models) in an API host that otherwise never needs it.
    bus, repos, store: r.store, imageInfo: readImageInfo, log: log.child({ part: 'matcher' }),
    ackWaitMs: env.MATCHER_ACK_WAIT_MS, maxDeliver: env.MATCHER_MAX_DELIVER, retryMs: env.MATCHER_RETRY_MS, imageWaitMs: env.MATCHER_IMAGE_WAIT_MS,
    timeZone: services.config.timeZone, recordPeriodMs: env.RECORD_PERIOD_MS,
  });
  const cameraState = createCameraState({ cameras: repos.cameras, bus, log, timeZone: services.config.timeZone });
  // one API instance dispatches at a time: it holds the lease
  const webhook = createWebhookDispatcher({
    repo: repos.webhook, config: services.webhook.current, bus, log: log.child({ part: 'webhook' }),
    sender: createWebhookSender({ policy: services.policies.webhook, timeoutMs: env.WEBHOOK_TIMEOUT_MS }),
    retryBaseMs: env.WEBHOOK_RETRY_BASE_MS, retryMaxMs: env.WEBHOOK_RETRY_MAX_MS, giveUpMs: env.WEBHOOK_GIVE_UP_MS,
  });
  const retention = createEventRetention({ repo: repos.events, log: log.child({ part: 'events' }), retentionHours: env.EVENT_RETENTION_HOURS });
  const taskControl = createTaskControl({ desiredState: services.desiredState, periodMs: env.DESIRED_STATE_PERIOD_MS });
  const node = (env.EMBEDDED_STREAM_NODE ?? !env.NATS_URL)
    ? new StreamNode({
        node: env.STREAM_NODE_NAME, capacity: env.STREAM_CAPACITY, bus, engine: r.face, store: r.store,
        logger: log.child({ node: env.STREAM_NODE_NAME }), ...pipelineOptions(env),
        outbox: outboxOptions(env, env.STREAM_NODE_NAME), cameraPolicy: services.policies.camera,
      })
    : undefined;

  let started: Array<{ stop(): Promise<void> }> = [];
  const stop = async () => {
    // the node first: it frees its camera leases at once, and its last faces still reach the matcher
    for (const w of [...started].reverse()) await w.stop().catch((err) => log.warn({ err }, 'stopping a worker failed'));
    started = [];
  };
  try {
    await matcher.start();
    started.push(matcher);
    cameraState.start();
    started.push(cameraState);
    webhook.start();
    started.push(webhook);
    retention.start();
    started.push(retention);
    if (node) {
      await node.start();
      started.push(node);
    }
    taskControl.start();
    started.push(taskControl);
  } catch (e) {
    await stop();
    throw e;
  }
  return { matcher, cameraState, taskControl, webhook, retention, node, stop };
}
