/**
 * The engine's `PeerChannel` over one data channel: bytes in, bytes out, backpressure through drain
 * callbacks. Transport-neutral: it sees the data channel only through `RawChannel`, so the drain logic
 * is testable with a fake.
 *
 * Drain: when a send leaves `bufferedAmount` above `lowWaterMark`, the adapter waits for the channel's
 * `bufferedamountlow` event (threshold = `lowWaterMark`). Where the channel has no such event
 * (no numeric `bufferedAmountLowThreshold`), a poll timer checks `bufferedAmount` every `pollMs`
 * while it is above the mark. With the event, a slow watchdog poll still runs while waiting, so an
 * event lost to a race (or a threshold set late) delays a drain instead of stalling the peer forever.
 */
import type { PeerChannel } from '../core/session/channel.js';
import { concatBytes } from '../core/bytes.js';

/** The RTCDataChannel surface used for low-buffer events. */
export interface LowBufferEvents {
  bufferedAmountLowThreshold: number;
  addEventListener(type: 'bufferedamountlow', listener: () => void): void;
  removeEventListener(type: 'bufferedamountlow', listener: () => void): void;
}

/** What the adapter needs from the transport. */
export interface RawChannel {
  /** Sends one message; may throw (then the adapter closes). */
  send(data: Uint8Array): void;
  readonly bufferedAmount: number;
  /** Closes the underlying connection (idempotent). The adapter calls `closed()` itself. */
  close(): void;
  /** The data channel for `bufferedamountlow`, when it has that event; undefined: poll only (or see `useLowBufferEvents`). */
  readonly lowBufferEvents: LowBufferEvents | undefined;
}

export interface ChannelAdapterOptions {
  /** Poll period without the event (default 10 ms). */
  pollMs?: number;
  /** Watchdog period while waiting for the event (default 250 ms). */
  watchdogMs?: number;
  /** Largest message handed to the channel; longer sends are split (default 64 KiB). */
  maxMessage?: number;
  /** Called with an error thrown by an engine callback (the channel is then closed). */
  onHandlerError?: (error: unknown) => void;
  /**
   * The raw channel has copied what it was given when `send` returns (a browser's RTCDataChannel
   * does): then `sendParts` joins the parts in one buffer it reuses instead of a new one per send.
   */
  copiesOnSend?: boolean;
}

const DEFAULT_POLL_MS = 10;
const DEFAULT_WATCHDOG_MS = 250;
/** Every WebRTC implementation accepts 64 KiB messages (the SDP default without a=max-message-size). */
const DEFAULT_MAX_MESSAGE = 64 * 1024;

export class DataChannelAdapter implements PeerChannel {
  onClose: (() => void) | undefined;
  onDrain: (() => void) | undefined;
  private dataHandler: ((data: Uint8Array) => void) | undefined;
  /** Chunks that arrived before `onData` was set (the remote may send before we look). */
  private pending: Uint8Array[] = [];
  private flushScheduled = false;
  private low = 0;
  private isClosed = false;
  private timer: ReturnType<typeof setInterval> | undefined;
  private events: LowBufferEvents | undefined;
  private readonly pollMs: number;
  private readonly watchdogMs: number;
  private readonly maxMessage: number;
  private readonly onLow = (): void => this.check(false);
  private readonly onTick = (): void => this.check(true);
  /** The event drained the channel and nothing was sent since: the watchdog has nothing to catch. */
  private drainedByEvent = false;
  /** Where `sendParts` joins its parts (copiesOnSend only); grown to the largest send, at most maxMessage. */
  private scratch: Uint8Array | undefined;

  constructor(
    private readonly raw: RawChannel,
    private readonly options: ChannelAdapterOptions = {},
  ) {
    this.pollMs = options.pollMs ?? DEFAULT_POLL_MS;
    this.watchdogMs = options.watchdogMs ?? DEFAULT_WATCHDOG_MS;
    this.maxMessage = Math.max(1, options.maxMessage ?? DEFAULT_MAX_MESSAGE);
    if (raw.lowBufferEvents) this.useLowBufferEvents(raw.lowBufferEvents);
  }

  /**
   * Drains come from this channel's `bufferedamountlow` event from now on (a transport whose data
   * channel appears after the adapter, as simple-peer's does); ignored without a numeric threshold.
   */
  useLowBufferEvents(ev: LowBufferEvents): void {
    if (this.events || this.isClosed || typeof ev.bufferedAmountLowThreshold !== 'number') return;
    try {
      ev.bufferedAmountLowThreshold = this.low;
      ev.addEventListener('bufferedamountlow', this.onLow);
      this.events = ev;
    } catch {
      // no events: poll
    }
  }

  get onData(): ((data: Uint8Array) => void) | undefined {
    return this.dataHandler;
  }
  set onData(handler: ((data: Uint8Array) => void) | undefined) {
    this.dataHandler = handler;
    if (handler && this.pending.length > 0) this.scheduleFlush();
  }

  get lowWaterMark(): number {
    return this.low;
  }
  set lowWaterMark(value: number) {
    this.low = Math.max(0, value);
    if (this.events) {
      try {
        this.events.bufferedAmountLowThreshold = this.low;
      } catch {
        // the channel is gone; the watchdog or close settles it
      }
    }
  }

  /** True when drains come from the channel's event (false: poll only). */
  get usesLowBufferEvent(): boolean {
    return this.events !== undefined;
  }

  get bufferedAmount(): number {
    if (this.isClosed) return 0;
    try {
      return this.raw.bufferedAmount;
    } catch {
      return 0;
    }
  }

  get closed(): boolean {
    return this.isClosed;
  }

  send(data: Uint8Array): void {
    if (this.isClosed || data.length === 0) return;
    this.drainedByEvent = false;
    try {
      if (data.length <= this.maxMessage) this.raw.send(data);
      else for (let at = 0; at < data.length; at += this.maxMessage) this.raw.send(data.subarray(at, at + this.maxMessage));
    } catch {
      this.close();
      return;
    }
    if (this.timer === undefined && this.bufferedAmount > this.low) {
      this.timer = setInterval(this.onTick, this.events ? this.watchdogMs : this.pollMs);
    }
  }

  /**
   * Sends the parts as one message. A seeder sends each block behind its 13-byte header; joined in a
   * buffer made per send, those buffers were a 64 MiB transfer's largest allocation and most of its
   * garbage in the seeding tab. With `copiesOnSend` one buffer serves every send.
   */
  sendParts(parts: readonly Uint8Array[]): void {
    let total = 0;
    for (const p of parts) total += p.length;
    if (!this.options.copiesOnSend || total > this.maxMessage) return this.send(concatBytes(parts));
    if (!this.scratch || this.scratch.length < total) {
      this.scratch = new Uint8Array(Math.min(this.maxMessage, Math.max(total, 2 * (this.scratch?.length ?? 0))));
    }
    this.send(concatBytes(parts, this.scratch));
  }

  close(): void {
    if (this.isClosed) return;
    try {
      this.raw.close();
    } catch {
      // already gone
    }
    this.closedByTransport();
  }

  /** Incoming bytes from the transport. */
  receive(data: Uint8Array): void {
    if (this.isClosed) return;
    if (this.dataHandler && this.pending.length === 0) this.deliver(this.dataHandler, data);
    else this.pending.push(data);
  }

  /** The transport closed (either side, or an error): fires `onClose` once. */
  closedByTransport(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.pending = [];
    this.stopTimer();
    if (this.events) {
      try {
        this.events.removeEventListener('bufferedamountlow', this.onLow);
      } catch {
        // nothing to detach
      }
    }
    const handler = this.onClose;
    if (!handler) return;
    try {
      handler();
    } catch (e) {
      this.options.onHandlerError?.(e);
    }
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    queueMicrotask(() => {
      this.flushScheduled = false;
      while (!this.isClosed && this.dataHandler && this.pending.length > 0) {
        this.deliver(this.dataHandler, this.pending.shift()!);
      }
    });
  }

  private deliver(handler: (data: Uint8Array) => void, data: Uint8Array): void {
    try {
      handler(data);
    } catch (e) {
      this.options.onHandlerError?.(e);
      this.close();
    }
  }

  /**
   * On the event, a poll tick or the watchdog: drained when at or below the mark. A drain through the
   * event leaves the watchdog running: a seeder's channel drains every few dozen KiB, and stopping and
   * starting an interval each time cost as much of its main thread as the block sends' headers. The
   * watchdog stops on a tick that finds the channel drained, and drains then unless the event did and
   * nothing was sent since.
   */
  private check(tick: boolean): void {
    if (this.isClosed) return this.stopTimer();
    if (this.bufferedAmount > this.low) return;
    if (tick) {
      this.stopTimer();
      if (this.drainedByEvent) {
        this.drainedByEvent = false;
        return;
      }
    } else this.drainedByEvent = true;
    const handler = this.onDrain;
    if (!handler) return;
    try {
      handler();
    } catch (e) {
      this.options.onHandlerError?.(e);
      this.close();
    }
  }

  private stopTimer(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }
}
