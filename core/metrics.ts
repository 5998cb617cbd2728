/**
 * Metrics in the Prometheus text format (prom-client), one registry per process part that serves
 * them: the API host's GET /metrics, a stand-alone stream node's own port. Components keep plain
 * counters in stats objects (no prom-client in the matcher or the pipeline); the host reads them at
 * scrape time through `fromStats`, so a metric is never out of step with what the component counts.
 * The list of metrics and what each means: docs/architecture.md (Operations).
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

export type Labels = Record<string, string | number>;
export type Sample = { labels?: Labels; value: number };
type Read = () => number | Sample[] | Promise<number | Sample[]>;

export type Metrics = ReturnType<typeof createMetrics>;

const toSamples = (v: number | Sample[]): Sample[] => (typeof v === 'number' ? [{ value: v }] : v);

export function createMetrics(opts: { processMetrics?: boolean } = {}) {
  const registry = new Registry();
  // process_resident_memory_bytes, nodejs_eventloop_lag_seconds, heap sizes, GC ...
  if (opts.processMetrics !== false) collectDefaultMetrics({ register: registry });

  return {
    registry,
    counter: <L extends string>(name: string, help: string, labelNames: readonly L[] = []) =>
      new Counter<L>({ name, help, labelNames: [...labelNames], registers: [registry] }),
    histogram: <L extends string>(name: string, help: string, labelNames: readonly L[], buckets: number[]) =>
      new Histogram<L>({ name, help, labelNames: [...labelNames], buckets, registers: [registry] }),
    /**
     * A metric read from a component at scrape time: a gauge (`kind` 'gauge', a level such as a
     * backlog) or a counter (`kind` 'counter', a running total the component keeps). The read may
     * give one value or one per label set. The hook for parts that come later (the webhook
     * dispatcher's backlog, a stream node's capture spool): one call with their reader.
     */
    fromStats(kind: 'gauge' | 'counter', name: string, help: string, read: Read, labelNames: readonly string[] = []): void {
      const Kind = kind === 'gauge' ? Gauge : Counter;
      new Kind({
        name, help, labelNames: [...labelNames], registers: [registry],
        async collect(this: Gauge | Counter) {
          this.reset();
          let samples: Sample[];
          try {
            samples = toSamples(await read());
          } catch {
            return; // its source does not answer now (database down): left out of this scrape
          }
          for (const s of samples) {
            if (this instanceof Gauge) this.set(s.labels ?? {}, s.value);
            else this.inc(s.labels ?? {}, s.value);
          }
        },
      });
    },
    /** the text a Prometheus server scrapes */
    text: () => registry.metrics(),
    contentType: registry.contentType,
  };
}
