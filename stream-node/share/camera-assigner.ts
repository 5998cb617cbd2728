/**
 * Which cameras this node reads: cameras are shared among stream nodes through leases on the bus
 * (JetStream KV with a TTL; core/bus), not a registry of our own. Every tick a node renews its
 * leases (a lease lost, e.g. after a long NATS outage, stops that camera here), gives up cameras no
 * task wants any more, and takes free wanted ones: up to its fair share (wanted cameras / live
 * nodes, rounded up) at once, beyond that one per tick, never more than its capacity. A node that
 * dies stops renewing; its cameras are free after the TTL and the other nodes take them.
 *
 * To come: shedding cameras when a node joins a busy cluster (today a new node only takes free ones).
 */
import { EventEmitter } from 'node:events';
import type { Logger } from '../../core/log.ts';
import type { Leases } from '../../core/bus/types.ts';
import { LeaseKeys } from '../../core/bus/subjects.ts';

export interface CameraAssignerOptions {
  leases: Leases;
  /** this node's name: the lease owner */
  node: string;
  /** most cameras this node reads at once */
  capacity: number;
  /** ms between ticks (each is jittered by ±20 %); use a third of the lease TTL or less */
  tickMs: number;
  logger?: Logger;
}

export interface CameraAssignerEvents {
  acquired: [number];
  released: [number, 'unwanted' | 'lost' | 'stopped'];
}

export class CameraAssigner extends EventEmitter<CameraAssignerEvents> {
  private readonly wanted = new Set<number>();
  private readonly owned = new Set<number>();
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private ticking: Promise<void> | undefined;

  constructor(private readonly o: CameraAssignerOptions) { super(); }

  /** the cameras this node holds now */
  get cameras(): number[] { return [...this.owned].sort((a, b) => a - b); }

  /** the cameras the running tasks want read (from tasks.desired) */
  setWanted(ids: Iterable<number>): void {
    this.wanted.clear();
    for (const id of ids) this.wanted.add(id);
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    const loop = () => {
      this.ticking = this.tick().catch((e) => this.o.logger?.warn({ err: e }, 'camera leases: tick failed'));
      void this.ticking.then(() => {
        if (this.running) this.timer = setTimeout(loop, this.o.tickMs * (0.8 + Math.random() * 0.4));
      });
    };
    loop();
  }

  /** stops; with release (default) frees the leases at once, otherwise they expire (a crash) */
  async stop(opts: { release?: boolean } = {}): Promise<void> {
    this.running = false;
    clearTimeout(this.timer);
    await this.ticking;
    if (opts.release === false) return;
    for (const id of [...this.owned]) {
      await this.o.leases.release(LeaseKeys.camera(id), this.o.node).catch(() => {});
      this.drop(id, 'stopped');
    }
  }

  /** one round: renew, give up, take */
  async tick(): Promise<void> {
    const { leases, node } = this.o;
    for (const id of [...this.owned]) {
      if (!this.wanted.has(id)) {
        await leases.release(LeaseKeys.camera(id), node);
        this.drop(id, 'unwanted');
      } else if (!(await leases.renew(LeaseKeys.camera(id), node))) {
        this.drop(id, 'lost');
      }
    }
    const free = [...this.wanted].filter((id) => !this.owned.has(id));
    if (free.length === 0 || this.owned.size >= this.o.capacity) return;
    const holders = await leases.holders();
    const nodes = new Set([...holders.values(), node]).size;
    const fairShare = Math.ceil(this.wanted.size / nodes);
    const byKey = new Set(holders.keys());
    let budget = Math.min(this.o.capacity, Math.max(fairShare, this.owned.size + 1)) - this.owned.size;
    for (const id of shuffle(free.filter((c) => !byKey.has(LeaseKeys.camera(c))))) {
      if (budget <= 0) break;
      if (await leases.acquire(LeaseKeys.camera(id), node)) {
        this.owned.add(id);
        budget--;
        this.o.logger?.info({ camera: id, node }, 'camera lease acquired');
        this.emit('acquired', id);
      }
    }
  }

  private drop(id: number, why: 'unwanted' | 'lost' | 'stopped') {
    if (!this.owned.delete(id)) return;
    this.o.logger?.info({ camera: id, node: this.o.node, why }, 'camera lease released');
    this.emit('released', id, why);
  }
}

function shuffle<T>(xs: T[]): T[] {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [xs[i], xs[j]] = [xs[j], xs[i]];
  }
  return xs;
}
