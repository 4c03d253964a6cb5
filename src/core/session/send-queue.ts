/**
 * Outgoing wire bytes of one connection, coalesced: messages queued in one task leave together at
 * the end of it (or as soon as a send's worth has gathered), in channel messages of up to
 * SEND_CHUNK bytes. A data channel carries one 64 KiB message for about the cost of one 16 KiB one.
 */
import type { PeerChannel } from './channel.js';
import { concatBytes } from '../bytes.js';

/** Coalesce outgoing messages into sends of about this size (the data channel favours 64 KiB). */
const SEND_CHUNK = 64 * 1024;

export class SendQueue {
  private parts: Uint8Array[] = [];
  private queued = 0;
  private flushScheduled = false;
  private closed = false;
  private readonly flushLater = (): void => this.flush();

  constructor(private readonly channel: PeerChannel) {}

  push(bytes: Uint8Array): void {
    if (this.closed) return;
    this.parts.push(bytes);
    this.queued += bytes.length;
    if (this.queued >= SEND_CHUNK) this.flush();
    else if (!this.flushScheduled) {
      this.flushScheduled = true;
      queueMicrotask(this.flushLater);
    }
  }

  /** Sends what is queued, as few channel messages of up to SEND_CHUNK bytes as it takes. */
  flush(): void {
    this.flushScheduled = false;
    if (this.closed || this.parts.length === 0) return;
    const parts = this.parts;
    this.parts = [];
    this.queued = 0;
    if (parts.length === 1) return this.channel.send(parts[0]!);
    let first = 0;
    let size = 0;
    for (let i = 0; i < parts.length; i++) {
      const length = parts[i]!.length;
      if (size > 0 && size + length > SEND_CHUNK) {
        this.emit(parts, first, i);
        first = i;
        size = 0;
      }
      size += length;
    }
    this.emit(parts, first, parts.length);
  }

  /** Sends parts[from..to) as one channel message. */
  private emit(parts: Uint8Array[], from: number, to: number): void {
    if (to - from === 1) this.channel.send(parts[from]!);
    else {
      const batch = from === 0 && to === parts.length ? parts : parts.slice(from, to);
      if (this.channel.sendParts) this.channel.sendParts(batch);
      else this.channel.send(concatBytes(batch));
    }
  }

  /** Sends what is queued, then refuses more. */
  close(): void {
    this.flush();
    this.closed = true;
  }
}
