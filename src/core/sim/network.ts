/**
 * Bandwidth- and latency-limited in-memory links on an injected clock, for in-process swarm tests
 * and the swarm simulator. Each node has an uplink and a downlink, each a FIFO served at its rate;
 * a chunk sent at t leaves the sender when its uplink is free, crosses the link in `latency` ms, and
 * is delivered when the receiver's downlink has taken it in.
 *
 * Cost: a channel keeps its chunks in flight in two FIFOs (leaving the uplink, reaching the other
 * end) and holds at most two timers at a time, one for its next delivery and one for its next
 * departure after which the buffer is at or below `lowWaterMark` (`onDrain` is called when a
 * departure brings it there from above, as a data channel fires `bufferedamountlow`).
 * `bufferedAmount` is worked out from the departure times when read. No timer per chunk: a
 * thousand-peer swarm keeps the clock's queue as short as its number of busy channels.
 */
import type { Clock, TimerHandle } from '../session/clock.js';
import type { PeerChannel } from '../session/channel.js';
import { concatBytes } from '../bytes.js';

export interface SimNodeOptions {
  /** Bytes per second; Infinity for no limit. */
  upload: number;
  download: number;
}

export interface SimNetworkOptions {
  /**
   * Copy what is sent, as a real channel does (default). The simulator turns it off: the session
   * never writes to a buffer it has sent (every frame is a fresh array, every block a view of a
   * verified piece, which does not change), so the copy only costs. Without the copy, `sendParts`
   * delivers the parts themselves, one after another.
   */
  copy?: boolean;
}

export class SimNode {
  upFreeAt = 0;
  downFreeAt = 0;
  /** Bytes handed to this node's uplink. */
  sent = 0;
  /** Bytes delivered to this node. */
  received = 0;
  constructor(
    readonly name: string,
    readonly options: SimNodeOptions,
  ) {}
}

export class SimNetwork {
  /** Channels closed so far (each end of a connection counts once). */
  closedChannels = 0;
  readonly copy: boolean;
  constructor(
    readonly clock: Clock,
    /** One-way latency in ms. */
    readonly latency: number,
    options: SimNetworkOptions = {},
  ) {
    this.copy = options.copy ?? true;
  }

  node(name: string, options: SimNodeOptions): SimNode {
    return new SimNode(name, options);
  }

  /**
   * A connected pair of channels: what `a` sends, `b` receives, and the other way round.
   * `onClosed` is called once, when the first end closes.
   */
  connect(a: SimNode, b: SimNode, onClosed?: () => void): [SimChannel, SimChannel] {
    const ab = new SimChannel(this, a, b);
    const ba = new SimChannel(this, b, a);
    ab.remote = ba;
    ba.remote = ab;
    if (onClosed) ab.closedHook = ba.closedHook = onClosed;
    return [ab, ba];
  }
}

/** What a send hands the link: one buffer, or parts to deliver one after another (`sendParts`). */
type Chunk = Uint8Array | readonly Uint8Array[];

/**
 * A FIFO of (time, value): a ring that doubles when full and keeps its storage when it empties (a
 * busy channel's queues fill and empty thousands of times a run; arrays emptied and grown again
 * were a sixth of what a simulated swarm allocated).
 */
class TimedQueue<T> {
  // Plain arrays: a typed array costs each of a link's two queues more memory than its contents.
  private times: number[] = new Array<number>(8).fill(0);
  private values: (T | undefined)[] = new Array<T | undefined>(8);
  private head = 0;
  private size = 0;

  get length(): number {
    return this.size;
  }
  push(time: number, value: T): void {
    if (this.size === this.times.length) this.grow();
    const i = (this.head + this.size) & (this.times.length - 1);
    this.times[i] = time;
    this.values[i] = value;
    this.size++;
  }
  /** Time of the i-th entry from the head. */
  timeAt(i: number): number {
    return this.times[(this.head + i) & (this.times.length - 1)]!;
  }
  valueAt(i: number): T {
    return this.values[(this.head + i) & (this.times.length - 1)]!;
  }
  shift(): T {
    const v = this.values[this.head]!;
    this.values[this.head] = undefined;
    this.head = (this.head + 1) & (this.times.length - 1);
    this.size--;
    return v;
  }
  clear(): void {
    for (let n = 0; n < this.size; n++) this.values[(this.head + n) & (this.times.length - 1)] = undefined;
    this.head = 0;
    this.size = 0;
  }
  private grow(): void {
    const capacity = this.times.length;
    const times = new Array<number>(capacity * 2).fill(0);
    const values = new Array<T | undefined>(capacity * 2);
    for (let n = 0; n < this.size; n++) {
      const i = (this.head + n) & (capacity - 1);
      times[n] = this.times[i]!;
      values[n] = this.values[i];
    }
    this.times = times;
    this.values = values;
    this.head = 0;
  }
}

export class SimChannel implements PeerChannel {
  onData: ((data: Uint8Array) => void) | undefined;
  onClose: (() => void) | undefined;
  onDrain: (() => void) | undefined;
  remote: SimChannel | undefined;
  /** The connection's `onClosed`, shared by both ends and called once. */
  closedHook: (() => void) | undefined;
  private closed = false;
  private deliverAt = 0;
  private mark = 0;
  /** Bytes sent and not yet off the uplink, counting departures not yet processed. */
  private buffered = 0;
  /** Sizes of chunks by the time they leave the uplink. */
  private readonly departures = new TimedQueue<number>();
  /** Chunks by the time they reach the other end. */
  private readonly deliveries = new TimedQueue<Chunk>();
  private deliveryTimer: TimerHandle | undefined;
  private drainTimer: TimerHandle | undefined;
  private drainTimerAt = Infinity;
  /** The timers' callbacks, made once rather than per timer. */
  private readonly onDeliveryDue = (): void => this.deliverDue();
  private readonly onDrainDue = (): void => this.drainDue();

  constructor(
    private readonly net: SimNetwork,
    private readonly from: SimNode,
    private readonly to: SimNode,
  ) {}

  get bufferedAmount(): number {
    this.depart(this.net.clock.now());
    return this.buffered;
  }

  get lowWaterMark(): number {
    return this.mark;
  }
  set lowWaterMark(value: number) {
    this.mark = value;
    if (!this.closed) this.planDrain();
  }

  send(data: Uint8Array): void {
    this.sendChunk(this.net.copy ? data.slice() : data, data.length);
  }

  /** As one chunk of their total size; delivered as one chunk (copied) or part by part (not). */
  sendParts(parts: readonly Uint8Array[]): void {
    if (this.net.copy) {
      const whole = concatBytes(parts); // the copy a real channel makes
      return this.sendChunk(whole, whole.length);
    }
    let size = 0;
    for (const p of parts) size += p.length;
    this.sendChunk(parts, size);
  }

  private sendChunk(data: Chunk, size: number): void {
    if (this.closed) return;
    const clock = this.net.clock;
    const now = clock.now();
    const departs = Math.max(now, this.from.upFreeAt) + (size * 1000) / this.from.options.upload;
    this.from.upFreeAt = departs;
    const arrives = departs + this.net.latency;
    const taken = Math.max(arrives, this.to.downFreeAt) + (size * 1000) / this.to.options.download;
    this.to.downFreeAt = taken;
    // Keep per-channel order even when another channel's traffic moved the downlink around.
    const delivered = Math.max(taken, this.deliverAt);
    this.deliverAt = delivered;
    this.from.sent += size;
    this.depart(now);
    if (departs > now) {
      this.departures.push(departs, size);
      this.buffered += size;
      // A drain timer already set stays (see planDrain): a send only moves the departure that
      // brings the buffer down to the mark later, never earlier.
      if (this.drainTimer === undefined) this.planDrain();
    } else if (this.drainTimer === undefined) {
      // Gone at once (an uplink without a limit): still a drain, on the next turn, as a channel
      // whose buffer empties says — a serve loop waiting for it goes on.
      this.drainTimerAt = now;
      this.drainTimer = clock.setTimeout(this.onDrainDue, 0);
    }
    this.deliveries.push(delivered, data);
    this.planDelivery();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.net.closedChannels++;
    this.buffered = 0;
    this.departures.clear();
    this.cancelDrain();
    const remote = this.remote;
    this.net.clock.setTimeout(() => remote?.closeFromRemote(), this.net.latency);
    this.closedOnce();
    this.onClose?.();
  }

  private closedOnce(): void {
    const hook = this.closedHook;
    if (!hook) return;
    this.closedHook = undefined;
    if (this.remote) this.remote.closedHook = undefined;
    hook();
  }

  private closeFromRemote(): void {
    if (this.closed) return;
    this.closed = true;
    this.net.closedChannels++;
    this.buffered = 0;
    this.departures.clear();
    this.cancelDrain();
    this.closedOnce();
    this.onClose?.();
  }

  /** Takes the chunks that have left the uplink by `now` off the buffer. */
  private depart(now: number): void {
    const q = this.departures;
    while (q.length > 0 && q.timeAt(0) <= now) this.buffered -= q.shift();
  }

  /** Sets the drain timer for the first departure after which the buffer is at or below the mark. */
  private planDrain(): void {
    const q = this.departures;
    // A buffer at or below the mark never crosses it: no drain, as a data channel fires
    // `bufferedamountlow` only when its buffer falls from above the threshold (a drain for every
    // small message, a `have` or a request, was half the simulator's timers).
    if (q.length === 0 || this.buffered <= this.mark) return;
    let left = this.buffered;
    let at = Infinity;
    for (let i = 0; i < q.length; i++) {
      left -= q.valueAt(i);
      if (left <= this.mark) {
        at = q.timeAt(i);
        break;
      }
    }
    if (at === Infinity) return;
    // A timer due no later stays: if the buffer grew meanwhile it plans again when it fires (moving
    // it on every send would leave a cancelled timer in the clock's queue per send).
    if (this.drainTimer !== undefined && this.drainTimerAt <= at) return;
    this.cancelDrain();
    const clock = this.net.clock;
    this.drainTimerAt = at;
    this.drainTimer = clock.setTimeout(this.onDrainDue, at - clock.now());
  }

  private cancelDrain(): void {
    if (this.drainTimer !== undefined) this.net.clock.clearTimeout(this.drainTimer);
    this.drainTimer = undefined;
    this.drainTimerAt = Infinity;
  }

  private drainDue(): void {
    this.drainTimer = undefined;
    this.drainTimerAt = Infinity;
    if (this.closed) return;
    if (this.bufferedAmount <= this.mark) this.onDrain?.();
    this.planDrain(); // a no-op once closed: close() emptied the departures
  }

  private planDelivery(): void {
    if (this.deliveryTimer !== undefined || this.deliveries.length === 0) return;
    const clock = this.net.clock;
    const at = this.deliveries.timeAt(0);
    this.deliveryTimer = clock.setTimeout(this.onDeliveryDue, at - clock.now());
  }

  /** Delivers every chunk due by now, in order. */
  private deliverDue(): void {
    this.deliveryTimer = undefined;
    const now = this.net.clock.now();
    const q = this.deliveries;
    while (q.length > 0 && q.timeAt(0) <= now) {
      const data = q.shift();
      const remote = this.remote;
      if (!remote || remote.closed) continue;
      if (data instanceof Uint8Array) {
        this.to.received += data.length;
        remote.onData?.(data);
        continue;
      }
      for (const p of data) this.to.received += p.length;
      for (const p of data) {
        // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- the receiver may have closed on the previous part
        if (!remote.closed) remote.onData?.(p);
      }
    }
    this.planDelivery();
  }
}
