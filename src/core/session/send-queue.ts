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

  constructor(private readonly channel: PeerChannel) {}

  push(bytes: Uint8Array): void {
    if (this.closed) return;
    this.parts.push(bytes);
    this.queued += bytes.length;
    if (this.queued >= SEND_CHUNK) this.flush();
    else if (!this.flushScheduled) {
      this.flushScheduled = true;
      void Promise.resolve().then(() => this.flush());
    }
  }

  /** Sends what is queued, as few channel messages of up to SEND_CHUNK bytes as it takes. */
  flush(): void {
    this.flushScheduled = false;
    if (this.closed || this.parts.length === 0) return;
    const parts = this.parts;
    this.parts = [];
    this.queued = 0;
    let batch: Uint8Array[] = [];
    let size = 0;
    const emit = (): void => {
      if (batch.length === 1) this.channel.send(batch[0]!);
      else if (batch.length > 1 && this.channel.sendParts) this.channel.sendParts(batch);
      else if (batch.length > 1) this.channel.send(concatBytes(batch));
      batch = [];
      size = 0;
    };
    for (const p of parts) {
      if (size > 0 && size + p.length > SEND_CHUNK) emit();
      batch.push(p);
      size += p.length;
    }
    emit();
  }

  /** Sends what is queued, then refuses more. */
  close(): void {
    this.flush();
    this.closed = true;
  }
}
