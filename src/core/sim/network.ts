/**
 * Bandwidth- and latency-limited in-memory links on an injected clock, for in-process swarm tests
 * and the swarm simulator. Each node has an uplink and a downlink, each a FIFO served at its rate;
 * a chunk sent at t leaves the sender when its uplink is free, crosses the link in `latency` ms, and
 * is delivered when the receiver's downlink has taken it in.
 */
import type { Clock } from '../session/clock.js';
import type { PeerChannel } from '../session/channel.js';

export interface SimNodeOptions {
  /** Bytes per second; Infinity for no limit. */
  upload: number;
  download: number;
}

export class SimNode {
  upFreeAt = 0;
  downFreeAt = 0;
  sent = 0;
  received = 0;
  constructor(
    readonly name: string,
    readonly options: SimNodeOptions,
  ) {}
}

export class SimNetwork {
  constructor(
    readonly clock: Clock,
    /** One-way latency in ms. */
    readonly latency: number,
  ) {}

  node(name: string, options: SimNodeOptions): SimNode {
    return new SimNode(name, options);
  }

  /** A connected pair of channels: what `a` sends, `b` receives, and the other way round. */
  connect(a: SimNode, b: SimNode): [PeerChannel, PeerChannel] {
    const ab = new SimChannel(this, a, b);
    const ba = new SimChannel(this, b, a);
    ab.remote = ba;
    ba.remote = ab;
    return [ab, ba];
  }
}

class SimChannel implements PeerChannel {
  onData: ((data: Uint8Array) => void) | undefined;
  onClose: (() => void) | undefined;
  onDrain: (() => void) | undefined;
  lowWaterMark = 0;
  bufferedAmount = 0;
  remote: SimChannel | undefined;
  private closed = false;
  private deliverAt = 0;

  constructor(
    private readonly net: SimNetwork,
    private readonly from: SimNode,
    private readonly to: SimNode,
  ) {}

  send(data: Uint8Array): void {
    if (this.closed) return;
    const clock = this.net.clock;
    const now = clock.now();
    const size = data.length;
    const departs = Math.max(now, this.from.upFreeAt) + (size * 1000) / this.from.options.upload;
    this.from.upFreeAt = departs;
    const arrives = departs + this.net.latency;
    const taken = Math.max(arrives, this.to.downFreeAt) + (size * 1000) / this.to.options.download;
    this.to.downFreeAt = taken;
    // Keep per-channel order even when another channel's traffic moved the downlink around.
    const delivered = Math.max(taken, this.deliverAt);
    this.deliverAt = delivered;
    this.bufferedAmount += size;
    const copy = data.slice();
    clock.setTimeout(() => {
      this.bufferedAmount -= size;
      this.from.sent += size;
      if (!this.closed && this.bufferedAmount <= this.lowWaterMark) this.onDrain?.();
    }, departs - now);
    clock.setTimeout(() => {
      const remote = this.remote;
      if (!remote || remote.closed) return;
      this.to.received += size;
      remote.onData?.(copy);
    }, delivered - now);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.bufferedAmount = 0;
    const remote = this.remote;
    this.net.clock.setTimeout(() => remote?.closeFromRemote(), this.net.latency);
    this.onClose?.();
  }

  private closeFromRemote(): void {
    if (this.closed) return;
    this.closed = true;
    this.onClose?.();
  }
}
