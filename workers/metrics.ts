/**
 * The workers' figures on the API host's /metrics: the matcher (records written, faces joined to a
 * record, redeliveries, dead letters, its backlog and lag), the cameras online, the webhook backlog
 * and the embedded stream node's figures. A new worker adds its figures here the same way
 * (`metrics.fromStats`).
 */
import type { Metrics } from '../core/metrics.ts';
import type { Resources } from '../functions/services/resources.ts';
import { registerStreamNodeMetrics } from '../stream-node/metrics.ts';
import type { Workers } from './index.ts';

export function registerWorkerMetrics(metrics: Metrics, workers: Workers, r: Pick<Resources, 'repos' | 'env'>): void {
  const { matcher, node, webhook } = workers;
  const m = matcher.stats;
  metrics.fromStats('counter', 'facewatch_records_written_total', 'capture records the matcher wrote, by classify (1 matched, 0 stranger)',
    () => [{ labels: { classify: 1 }, value: m.recorded[1] }, { labels: { classify: 0 }, value: m.recorded[0] }], ['classify']);
  metrics.fromStats('counter', 'facewatch_matcher_joined_total', 'faces that joined an existing record (a later shot of its appearance, or within RECORD_PERIOD_MS)', () => m.joined);
  metrics.fromStats('counter', 'facewatch_matcher_duplicates_total', 'face messages whose record existed already (redelivered after a crash)', () => m.duplicates);
  metrics.fromStats('counter', 'facewatch_matcher_dropped_total', 'faces dropped without a record, by reason (taskGone, badCaptureUrl, imageMissing, notAnImage)',
    () => Object.entries(m.dropped).map(([reason, value]) => ({ labels: { reason }, value })), ['reason']);
  metrics.fromStats('counter', 'facewatch_matcher_retries_total', 'tries again of a face message held while the database or object store was down', () => m.retries);
  metrics.fromStats('counter', 'facewatch_matcher_redeliveries_total', 'face messages delivered again (a failure, or not settled in time)', () => m.redeliveries);
  metrics.fromStats('counter', 'facewatch_dead_letters_total', 'face messages moved to DEAD_LETTERS, by reason (malformed, failed)',
    () => [{ labels: { reason: 'malformed' }, value: m.deadLetters.malformed }, { labels: { reason: 'failed' }, value: m.deadLetters.failed }], ['reason']);
  metrics.fromStats('gauge', 'facewatch_matcher_pending_messages', 'face messages the matcher has not settled yet (its backlog)', () => matcher.pending());
  metrics.fromStats('gauge', 'facewatch_matcher_lag_seconds', 'from capture to record, of the last record written', () => m.lastLagMs / 1000);
  metrics.fromStats('gauge', 'facewatch_cameras_online', 'cameras a stream node has open now (of all cameras: facewatch_cameras)', async () => (await r.repos.cameras.countOnline()).online);
  metrics.fromStats('gauge', 'facewatch_cameras', 'cameras configured', async () => (await r.repos.cameras.countOnline()).total);
  metrics.fromStats('gauge', 'facewatch_webhook_backlog', 'AlarmWebhook deliveries waiting', () => webhook.backlog());
  if (node) registerStreamNodeMetrics(metrics, r.env.STREAM_NODE_NAME, node);
}
