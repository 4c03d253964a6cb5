/**
 * Where a download's time and bytes go: the moment each phase first happened (tracker answer, data
 * channel open, handshake, metadata, first request, first block, first verified piece, done) and
 * what crossed its channels, counted as the channels carry it. Read by `Torrent.timeline`, and by
 * the benchmark's `--timeline` to find what the protocol costs beyond the raw channel.
 */
import { concatBytes } from '../bytes.js';
import type { PeerChannel } from './channel.js';

/**
 * Phases, in the order a download from a magnet link meets them: the client marks when it was
 * added, announced, and a tracker relayed a peer's signal; the session the rest.
 */
export const PHASES = ['added', 'start', 'announce', 'signal', 'peer', 'handshake', 'metadata', 'request', 'block', 'piece', 'done'] as const;
export type Phase = (typeof PHASES)[number];

/** Channel messages and bytes, each way, over every connection of a session. */
export interface ChannelCounts {
  messagesIn: number;
  messagesOut: number;
  bytesIn: number;
  bytesOut: number;
}

export interface TimelineReading {
  /** Milliseconds from the timeline's start (the torrent added) to each phase's first moment. */
  phases: Partial<Record<Phase, number>>;
  /** The start, on the timeline's clock (the client's: `Date.now()`), to place the phases among other events. */
  start: number;
  channels: ChannelCounts;
}

export class Timeline {
  private readonly at = new Map<Phase, number>();
  private readonly zero: number;
  readonly channels: ChannelCounts = { messagesIn: 0, messagesOut: 0, bytesIn: 0, bytesOut: 0 };

  constructor(private readonly now: () => number) {
    this.zero = now();
  }

  /** The phase happened now, unless it happened before. */
  mark(phase: Phase): void {
    if (!this.at.has(phase)) this.at.set(phase, this.now() - this.zero);
  }

  read(): TimelineReading {
    const phases: Partial<Record<Phase, number>> = {};
    for (const p of PHASES) {
      const ms = this.at.get(p);
      if (ms !== undefined) phases[p] = ms;
    }
    return { phases, start: this.zero, channels: { ...this.channels } };
  }

  /** `channel`, its messages and bytes counted here. */
  count(channel: PeerChannel): PeerChannel {
    return new CountedChannel(channel, this.channels);
  }
}

class CountedChannel implements PeerChannel {
  constructor(
    private readonly inner: PeerChannel,
    private readonly counts: ChannelCounts,
  ) {}
  send(data: Uint8Array): void {
    this.counts.messagesOut++;
    this.counts.bytesOut += data.length;
    this.inner.send(data);
  }
  sendParts(parts: readonly Uint8Array[]): void {
    this.counts.messagesOut++;
    for (const p of parts) this.counts.bytesOut += p.length;
    if (this.inner.sendParts) this.inner.sendParts(parts);
    else this.inner.send(concatBytes(parts));
  }
  get bufferedAmount(): number {
    return this.inner.bufferedAmount;
  }
  close(): void {
    this.inner.close();
  }
  get onData(): ((data: Uint8Array) => void) | undefined {
    return this.inner.onData;
  }
  set onData(fn: ((data: Uint8Array) => void) | undefined) {
    this.inner.onData =
      fn &&
      ((data) => {
        this.counts.messagesIn++;
        this.counts.bytesIn += data.length;
        fn(data);
      });
  }
  get onClose(): (() => void) | undefined {
    return this.inner.onClose;
  }
  set onClose(fn: (() => void) | undefined) {
    this.inner.onClose = fn;
  }
  get onDrain(): (() => void) | undefined {
    return this.inner.onDrain;
  }
  set onDrain(fn: (() => void) | undefined) {
    this.inner.onDrain = fn;
  }
  get lowWaterMark(): number {
    return this.inner.lowWaterMark;
  }
  set lowWaterMark(n: number) {
    this.inner.lowWaterMark = n;
  }
}
