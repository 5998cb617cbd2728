/**
 * A stream node's metrics, labelled with its name: on the API host's /metrics for the embedded node,
 * on the node's own METRICS_PORT when it runs alone (stream-node/main.ts). Read from
 * StreamNode.stats() at scrape time.
 */
import type { Metrics } from '../core/metrics.ts';
import type { StreamNode } from './node.ts';

export function registerStreamNodeMetrics(metrics: Metrics, name: string, node: Pick<StreamNode, 'stats'>): void {
  const per = (key: keyof ReturnType<StreamNode['stats']>) => () => [{ labels: { node: name }, value: node.stats()[key] }];
  const labels = ['node'];
  metrics.fromStats('counter', 'facewatch_stream_frames_total', 'frames decoded from the cameras', per('frames'), labels);
  metrics.fromStats('counter', 'facewatch_stream_frames_analysed_total', 'frames analysed: run through face detection, or unchanged since the last one that was (frames_still)', per('analysed'), labels);
  metrics.fromStats('counter', 'facewatch_stream_frames_still_total', 'analysed frames the motion gate spared detection: the scene had not changed, its faces were kept', per('still'), labels);
  metrics.fromStats('counter', 'facewatch_stream_frames_region_total', 'analysed frames the motion gate had detected in one part only: the scene changed there, the faces elsewhere were kept', per('regions'), labels);
  metrics.fromStats('counter', 'facewatch_stream_frames_dropped_total', 'frames skipped because the previous one was still being analysed', per('dropped'), labels);
  metrics.fromStats('counter', 'facewatch_stream_faces_detected_total', 'faces found in analysed frames', per('faces'), labels);
  metrics.fromStats('counter', 'facewatch_stream_faces_published_total', 'face tracks published (one face message per task using the camera)', per('published'), labels);
  metrics.fromStats('counter', 'facewatch_stream_errors_total', 'frames or shots that failed (detection, store, bus)', per('errors'), labels);
  metrics.fromStats('gauge', 'facewatch_stream_cameras', 'cameras this node reads now', per('cameras'), labels);
  metrics.fromStats('gauge', 'facewatch_stream_outbox_waiting', 'face messages waiting for the bus', per('outboxWaiting'), labels);
  metrics.fromStats('counter', 'facewatch_stream_outbox_dropped_total', 'face messages dropped because the outbox was full', per('outboxDropped'), labels);
  // Hook: a capture spool (crops waiting for the object store) adds its depth here the same way:
  // metrics.fromStats('gauge', 'facewatch_stream_spool_depth', '...', per('spoolDepth'), labels)
}
