/**
 * Which cameras this node reads: cameras are shared among stream nodes through leases on the bus
 * (JetStream KV with a TTL; core/bus), not a registry of our own. Every tick a node renews its
 * presence (`node.<name>.<capacity>`, a lease of its own) and its camera leases (a lease lost, e.g.
 * after a long NATS outage, stops that camera here), gives up cameras no task wants any more, and
 * compares what it holds with its fair share: the wanted cameras spread evenly over the live nodes,
 * none above its capacity (fairShares). Below its share it takes free wanted cameras at once; above
 * it (a node joined, or the wanted set shrank) it releases one camera per tick, gracefully, and does
 * not take it back for a few ticks, so the newcomer gets it. A free camera nobody took for a whole
 * tick is taken even beyond the share (one per tick, within capacity): a node that cannot take its
 * share must not leave cameras unread. A node that dies stops renewing; after the TTL its presence
 * and its cameras are gone and the others take them.
 *
 * A bus outage is not a death: every node loses the bus at once, its leases may lapse meanwhile (or
 * come back empty with the KV bucket), and the node that ticks first would see every camera free.
 * So a node keeps running its cameras while the bus is away (`connectionLost()`: no ticks, no
 * drops), re-asserts its leases the moment it is back (`connectionRestored()`: a tick at once,
 * then retries every 250 ms until one succeeds), and for `graceMs` after that first tick that the
 * lease store answered (not after the reconnect: JetStream may serve again later) does not take a camera
 * that another node held when the bus went away: its holder, if alive, has re-asserted it by then.
 * A node that really died during the outage loses its cameras after the grace.
 */
import { EventEmitter } from 'node:events';
import type { Logger } from '../../core/log.ts';
import type { Leases } from '../../core/bus/types.ts';
import { LeaseKeys, parseNodeKey } from '../../core/bus/subjects.ts';

export interface CameraAssignerOptions {
  leases: Leases;
  /** this node's name: the lease owner */
  node: string;
  /** most cameras this node reads at once */
  capacity: number;
  /** ms between ticks (each is jittered by ±20 %); use a third of the lease TTL or less */
  tickMs: number;
  /** after the bus comes back, cameras another node held stay its own this long; default 3 ticks */
  graceMs?: number;
  logger?: Logger;
}

export interface CameraAssignerEvents {
  acquired: [number];
  /** rebalanced: given to a node that has fewer than its share */
  released: [number, ReleaseReason];
}

export type ReleaseReason = 'unwanted' | 'lost' | 'stopped' | 'rebalanced';

export class CameraAssigner extends EventEmitter<CameraAssignerEvents> {
  private readonly wanted = new Set<number>();
  private readonly owned = new Set<number>();
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private ticking: Promise<void> | undefined;
  /** cameras released for rebalancing: not taken back before this time */
  private readonly cooldown = new Map<number, number>();
  /** wanted cameras nobody held at the last tick */
  private freeLastTick = new Set<number>();
  /** camera -> holder at the last tick that read the bucket */
  private lastView = new Map<number, string>();
  /** while the bus is away: no ticks (they would only time out) */
  private busDown = false;
  /** the holders when the bus went away, protected until graceUntil */
  private heldBefore = new Map<number, string>();
  private graceUntil = 0;
  /** back on the bus, no tick has gone through yet: the grace starts with the first that does */
  private graceFromNextTick = false;
  private again = false;

  constructor(private readonly o: CameraAssignerOptions) { super(); }

  /** the cameras this node holds now */
  get cameras(): number[] { return [...this.owned].sort((a, b) => a - b); }

  /**
   * The cameras the running tasks want read (from tasks.desired). A newly wanted one is sought at
   * once, not up to a tick later (a third of the lease TTL: ~3 s of a started task's first record).
   */
  setWanted(ids: Iterable<number>): void {
    const before = new Set(this.wanted);
    this.wanted.clear();
    for (const id of ids) this.wanted.add(id);
    if ([...this.wanted].some((id) => !before.has(id))) this.kick();
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop();
  }

  /** the bus connection is lost: keep the cameras, stop ticking until it is back */
  connectionLost(): void {
    if (this.busDown) return;
    this.busDown = true;
    // a second outage within the grace keeps the first view: the leases have not been re-read since
    if (Date.now() >= this.graceUntil) this.heldBefore = new Map(this.lastView);
    this.o.logger?.warn({ node: this.o.node, cameras: this.cameras }, 'camera leases: bus lost; keeping the cameras');
  }

  /** the bus is back: re-assert the leases now; others' cameras are protected for graceMs */
  connectionRestored(): void {
    if (!this.busDown) return;
    this.busDown = false;
    // Counted from the first tick the lease store answers, not from the reconnect: JetStream may
    // take a while to serve again after a restart, and the holders re-assert only then.
    this.graceUntil = Number.POSITIVE_INFINITY;
    this.graceFromNextTick = true;
    this.kick();
  }

  /** a tick now (or right after the one running) */
  private kick() {
    if (!this.running) return;
    if (this.ticking) { this.again = true; return; }
    clearTimeout(this.timer);
    this.loop();
  }

  private loop() {
    this.timer = undefined;
    const ran = !this.busDown;
    const ticking = !ran ? Promise.resolve(true) : this.tick().then(() => true, (e) => {
      this.o.logger?.warn({ err: e }, 'camera leases: tick failed');
      return false;
    });
    this.ticking = ticking.then((ok) => {
      this.ticking = undefined;
      if (ok && ran && this.graceFromNextTick) {
        this.graceFromNextTick = false;
        this.graceUntil = Date.now() + (this.o.graceMs ?? 3 * this.o.tickMs);
      }
      if (!this.running) return;
      if (this.again) { this.again = false; this.loop(); return; }
      // just back from an outage and the bus is not answering yet: try again soon, not a tick later
      const delay = !ok && Date.now() < this.graceUntil ? Math.min(250, this.o.tickMs) : this.o.tickMs * (0.8 + Math.random() * 0.4);
      this.timer = setTimeout(() => this.loop(), delay);
    });
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
    await this.o.leases.release(this.presenceKey, this.o.node).catch(() => {});
  }

  private get presenceKey(): string { return LeaseKeys.node(this.o.node, this.o.capacity); }

  /** one round: presence, renew, give up, then shed above the fair share or take up to it */
  async tick(): Promise<void> {
    const { leases, node } = this.o;
    await leases.acquire(this.presenceKey, node);
    for (const id of [...this.owned]) {
      if (!this.wanted.has(id)) {
        await leases.release(LeaseKeys.camera(id), node);
        this.drop(id, 'unwanted');
      } else if (!(await leases.renew(LeaseKeys.camera(id), node))) {
        this.drop(id, 'lost');
      }
    }
    const holders = await leases.holders();
    this.lastView = new Map();
    for (const [key, owner] of holders) {
      const cam = /^camera\.(\d+)$/.exec(key);
      if (cam) this.lastView.set(Number(cam[1]), owner);
    }
    const nodes = new Map<string, number>([[node, this.o.capacity]]);
    const holding = new Map<string, number>();
    const held = new Set<number>();
    for (const [key, owner] of holders) {
      const p = parseNodeKey(key);
      if (p && p.name === owner) nodes.set(p.name, p.capacity);
      const cam = /^camera\.(\d+)$/.exec(key);
      if (cam && this.wanted.has(Number(cam[1]))) {
        held.add(Number(cam[1]));
        holding.set(owner, (holding.get(owner) ?? 0) + 1);
      }
    }
    const share = fairShares(this.wanted.size, [...nodes].map(([name, capacity]) => ({ name, capacity, holding: holding.get(name) ?? 0 }))).get(node) ?? 0;
    const now = Date.now();
    for (const [id, until] of this.cooldown) if (until <= now) this.cooldown.delete(id);

    if (this.owned.size > share) {
      // one per tick: the cameras move one at a time, each read by someone all along but a moment
      const id = this.cameras[this.cameras.length - 1];
      this.cooldown.set(id, now + 3 * this.o.tickMs);
      await leases.release(LeaseKeys.camera(id), node);
      this.drop(id, 'rebalanced');
      this.freeLastTick = new Set();
      return;
    }

    const free = [...this.wanted].filter((id) => !this.owned.has(id) && !held.has(id));
    const lastFree = this.freeLastTick;
    this.freeLastTick = new Set(free);
    let budget = Math.min(this.o.capacity, share) - this.owned.size;
    // beyond the share: one camera per tick, only one left free by everyone for a whole tick
    let extra = this.owned.size < this.o.capacity ? 1 : 0;
    const protectedNow = (c: number) => now < this.graceUntil && !!this.heldBefore.get(c) && this.heldBefore.get(c) !== node;
    for (const id of shuffle(free.filter((c) => !this.cooldown.has(c) && !protectedNow(c)))) {
      const beyond = budget <= 0;
      if (beyond && (extra <= 0 || !lastFree.has(id))) continue;
      if (await leases.acquire(LeaseKeys.camera(id), node)) {
        this.owned.add(id);
        if (beyond) extra--; else budget--;
        this.o.logger?.info({ camera: id, node }, 'camera lease acquired');
        this.emit('acquired', id);
      }
    }
  }

  private drop(id: number, why: ReleaseReason) {
    if (!this.owned.delete(id)) return;
    this.o.logger?.info({ camera: id, node: this.o.node, why }, 'camera lease released');
    this.emit('released', id, why);
  }
}

/**
 * How many of `wanted` cameras each node should read: evenly spread, none above its capacity (water
 * filling); the cameras that do not divide evenly go to the nodes holding most now (fewest moves),
 * then by name, so every node computes the same answer from the same KV view.
 */
export function fairShares(wanted: number, nodes: Array<{ name: string; capacity: number; holding?: number }>): Map<string, number> {
  const out = new Map(nodes.map((n) => [n.name, 0]));
  let left = wanted;
  let open = nodes.filter((n) => n.capacity > 0);
  while (left > 0 && open.length > 0) {
    const each = Math.floor(left / open.length);
    if (each === 0) {
      const order = [...open].sort((a, b) => (b.holding ?? 0) - (a.holding ?? 0) || (a.name < b.name ? -1 : 1));
      for (const n of order.slice(0, left)) out.set(n.name, out.get(n.name)! + 1);
      break;
    }
    const next: typeof open = [];
    for (const n of open) {
      const give = Math.min(each, n.capacity - out.get(n.name)!);
      out.set(n.name, out.get(n.name)! + give);
      left -= give;
      if (out.get(n.name)! < n.capacity) next.push(n);
    }
    open = next;
  }
  return out;
}

function shuffle<T>(xs: T[]): T[] {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [xs[i], xs[j]] = [xs[j], xs[i]];
  }
  return xs;
}
