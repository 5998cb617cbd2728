/**
 * One log line per window for a failure that repeats: during an outage every request fails the same
 * way, and a line with a stack per request (78 in 15 s in the fault suite's database outage) buries
 * everything else in the log. The first occurrence of a key is logged; the next ones within
 * `windowMs` are only counted, and the count goes with the next line logged.
 */
export class LogThrottle {
  private readonly keys = new Map<string, { at: number; suppressed: number }>();

  constructor(private readonly windowMs = 10_000) {}

  /** undefined: do not log this one; a number: log it, with this many not logged since the last line */
  pass(key: string, now = Date.now()): number | undefined {
    const k = this.keys.get(key);
    if (k && now - k.at < this.windowMs) {
      k.suppressed++;
      return undefined;
    }
    this.keys.set(key, { at: now, suppressed: 0 });
    return k?.suppressed ?? 0;
  }
}
