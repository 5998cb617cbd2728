/**
 * A bound on work running at once, with a bounded queue: `run(work)` starts at once when fewer than
 * `concurrency` run, waits in line when the line is shorter than `queue`, and is refused with
 * SERVER_BUSY otherwise. Refusing beyond a queue keeps memory bounded whatever the load: waiting
 * callers hold little, running ones hold what the work needs (a decoded image, an upload's bytes).
 */
import { AppError } from './errors.ts';

export class Gate {
  private running = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(readonly concurrency: number, readonly queue: number, private readonly what: string) {}

  get active(): number { return this.running; }
  get queued(): number { return this.waiting.length; }

  async run<T>(work: () => Promise<T>): Promise<T> {
    const release = await this.acquire();
    try {
      return await work();
    } finally {
      release();
    }
  }

  /** A slot held until the returned function is called (once; further calls do nothing). */
  async acquire(): Promise<() => void> {
    await this.enter();
    let held = true;
    return () => { if (held) { held = false; this.leave(); } };
  }

  private enter(): Promise<void> {
    if (this.running < this.concurrency) {
      this.running++;
      return Promise.resolve();
    }
    if (this.waiting.length >= this.queue) {
      return Promise.reject(new AppError('SERVER_BUSY', `server is busy: ${this.concurrency} ${this.what} and ${this.queue} waiting; try again shortly`));
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private leave(): void {
    const next = this.waiting.shift();
    // the slot passes straight to the next in line (no newcomer can take it in between), which
    // starts on a later turn of the event loop, so waiting work never starves I/O
    if (next) setImmediate(next);
    else this.running--;
  }
}

/**
 * Pictures decoded at once, in two lanes so that a small picture does not wait behind big ones (a
 * small comparison behind 24 of 40 MP took 24 s in one line): up to SMALL_PICTURE_PIXELS (4 MP) in
 * `small`, the rest in `large`. Each lane holds its own bound; memory stays bounded by both.
 */
export type ImageGates = { small: Gate; large: Gate };
export const SMALL_PICTURE_PIXELS = 4_000_000;
export const imageGateFor = (gates: ImageGates, pixels: number): Gate => (pixels <= SMALL_PICTURE_PIXELS ? gates.small : gates.large);
