/**
 * WireDecoder: a sans-IO stream decoder for one peer connection. Feed it the bytes as they come
 * (a data channel's message boundaries mean nothing) and it returns the handshake, then each
 * complete message, keeping any incomplete remainder for the next chunk.
 *
 * Copies: a frame wholly inside a chunk is decoded in place, so byte payloads (piece blocks,
 * bitfields, extended payloads) are views into that chunk; the caller must not reuse the chunk's
 * memory while it holds them. A frame split across chunks is copied once into a buffer of exactly
 * its size, except a piece message whose block starts a chunk and lies wholly in it (the simulator's
 * links deliver a header and its block as two chunks): its block is a view into that chunk. A length
 * prefix above `maxFrame` is refused before anything is buffered.
 *
 * Errors: any protocol violation throws a WireError (and nothing else, whatever the input); the
 * decoder then refuses all further input. Events decoded earlier in the failing chunk are dropped
 * with it: the connection is to be closed anyway.
 */
import { WireError } from './errors.js';
import { checkProtocolPrefix, decodeHandshake, HANDSHAKE_LENGTH, type Handshake } from './handshake.js';
import { decodeFrame, MessageId, readU32, type WireMessage } from './messages.js';

/**
 * Largest block we accept in a piece message, and in a request we serve: 8× the 16 KiB block
 * everybody requests (WebTorrent drops a peer that asks for more than 128 KiB).
 */
export const MAX_BLOCK = 128 * 1024;
/** Pieces in the largest torrent whose bitfield must fit in one frame (2^20: a 128 KiB bitfield). */
export const MAX_BITFIELD_PIECES = 2 ** 20;

/**
 * The largest length prefix accepted: max(1 + 2^20/8 for a bitfield of 2^20 pieces,
 * 9 + 128 KiB for a piece message with a 128 KiB block) = 131081 bytes (131085 with the prefix).
 * We only request 16 KiB blocks, so this leaves room for a peer's largest legal bitfield.
 */
export const MAX_FRAME = Math.max(1 + MAX_BITFIELD_PIECES / 8, 9 + MAX_BLOCK);

export interface HandshakeEvent extends Handshake {
  type: 'handshake';
}

export type WireEvent = HandshakeEvent | WireMessage;

export interface WireDecoderOptions {
  /** Expect a 68-byte handshake before the frames (default true). */
  handshake?: boolean;
  /** Largest length prefix accepted (default MAX_FRAME). */
  maxFrame?: number;
}

const PREFIX = 4;
/** A piece message's id, index and begin: the bytes before its block. */
const PIECE_HEADER = 9;

/**
 * The messages a swarm sends most (have, request, cancel, reject), read where they lie: a view of a
 * small chunk would give it an ArrayBuffer of its own. Undefined for any other frame (decodeFrame
 * then reads it, the same way).
 */
function decodeInPlace(chunk: Uint8Array, at: number, length: number): WireMessage | undefined {
  const id = chunk[at];
  if (length === 5 && id === MessageId.have) return { type: 'have', index: readU32(chunk, at + 1) };
  if (length !== 13) return undefined;
  const type = id === MessageId.request ? 'request' : id === MessageId.cancel ? 'cancel' : id === MessageId.reject ? 'reject' : undefined;
  return type && { type, index: readU32(chunk, at + 1), begin: readU32(chunk, at + 5), length: readU32(chunk, at + 9) };
}

/** 'block': a piece message's header is decoded, its block is to come. */
type Stage = 'handshake' | 'prefix' | 'body' | 'block';

export class WireDecoder {
  readonly maxFrame: number;
  private stage: Stage;
  /** What is being assembled across chunks (handshake, length prefix or frame body), if anything. */
  private partial: Uint8Array | undefined;
  private filled = 0;
  /** Where a length prefix split between chunks is assembled; made the first time one is (a connection keeps a decoder). */
  private prefixBuffer: Uint8Array | undefined;
  private consumed = 0;
  private error: WireError | undefined;
  /** The piece message whose block is to come (stage 'block'). */
  private readonly piece = { index: 0, begin: 0, length: 0 };

  constructor(options: WireDecoderOptions = {}) {
    const maxFrame = options.maxFrame ?? MAX_FRAME;
    if (!Number.isInteger(maxFrame) || maxFrame < 1 || maxFrame > 0xffffffff) {
      throw new WireError(`maxFrame must be an integer from 1 to 2^32 - 1, not ${maxFrame}`);
    }
    this.maxFrame = maxFrame;
    this.stage = options.handshake === false ? 'prefix' : 'handshake';
  }

  /** Bytes held for an incomplete handshake or frame. */
  get buffered(): number {
    return this.stage === 'block' ? PIECE_HEADER + this.filled : this.filled;
  }

  /** The error that stopped the decoder, if one did. */
  get failure(): WireError | undefined {
    return this.error;
  }

  /** Decodes what `chunk` completes. Throws WireError on a protocol violation, and ever after. */
  push(chunk: Uint8Array): WireEvent[] {
    if (this.error) throw new WireError(`the wire decoder stopped after an earlier error: ${this.error.message}`);
    const events: WireEvent[] = [];
    try {
      this.run(chunk, events);
    } catch (e) {
      this.error = e instanceof WireError ? e : new WireError(`wire decoder failure: ${String(e)}`);
      this.partial = undefined;
      this.filled = 0;
      throw this.error;
    }
    return events;
  }

  private run(chunk: Uint8Array, events: WireEvent[]): void {
    let pos = 0;
    const n = chunk.length;
    while (pos < n) {
      const partial = this.partial;
      if (partial) {
        const take = Math.min(partial.length - this.filled, n - pos);
        partial.set(chunk.subarray(pos, pos + take), this.filled);
        if (this.stage === 'handshake') checkProtocolPrefix(partial.subarray(0, this.filled + take), this.filled);
        this.filled += take;
        pos += take;
        this.consumed += take;
        if (this.filled < partial.length) return;
        this.partial = undefined;
        this.filled = 0;
        this.completed(partial, events);
        continue;
      }
      const available = n - pos;
      if (this.stage === 'block') {
        const size = this.piece.length;
        if (available < size) {
          this.partial = new Uint8Array(size);
          continue;
        }
        const block = pos === 0 && size === n ? chunk : chunk.subarray(pos, pos + size);
        events.push({ type: 'piece', index: this.piece.index, begin: this.piece.begin, block });
        pos += size;
        this.consumed += size;
        this.stage = 'prefix';
        continue;
      }
      if (this.stage === 'handshake') {
        if (available >= HANDSHAKE_LENGTH) {
          this.completed(chunk.subarray(pos, pos + HANDSHAKE_LENGTH), events);
          pos += HANDSHAKE_LENGTH;
          this.consumed += HANDSHAKE_LENGTH;
        } else {
          this.partial = new Uint8Array(HANDSHAKE_LENGTH);
        }
        continue;
      }
      // stage 'prefix': a frame starts at pos.
      if (available < PREFIX) {
        this.partial = this.prefixBuffer ??= new Uint8Array(PREFIX);
        continue;
      }
      const length = this.checkLength(readU32(chunk, pos), this.consumed);
      if (available - PREFIX >= length) {
        events.push(decodeInPlace(chunk, pos + PREFIX, length) ?? decodeFrame(chunk.subarray(pos + PREFIX, pos + PREFIX + length)));
        pos += PREFIX + length;
        this.consumed += PREFIX + length;
      } else if (length > PIECE_HEADER && available >= PREFIX + PIECE_HEADER && chunk[pos + PREFIX] === MessageId.piece) {
        // A piece message's header: its block follows, in this chunk or the next ones.
        const piece = this.piece;
        piece.index = readU32(chunk, pos + PREFIX + 1);
        piece.begin = readU32(chunk, pos + PREFIX + 5);
        piece.length = length - PIECE_HEADER;
        pos += PREFIX + PIECE_HEADER;
        this.consumed += PREFIX + PIECE_HEADER;
        this.stage = 'block';
      } else {
        pos += PREFIX;
        this.consumed += PREFIX;
        this.stage = 'body';
        this.partial = new Uint8Array(length);
      }
    }
  }

  /** `bytes` completes the current stage (a handshake, a length prefix or a frame body). */
  private completed(bytes: Uint8Array, events: WireEvent[]): void {
    switch (this.stage) {
      case 'handshake':
        events.push({ type: 'handshake', ...decodeHandshake(bytes) });
        this.stage = 'prefix';
        return;
      case 'prefix': {
        const length = this.checkLength(readU32(bytes, 0), this.consumed - PREFIX);
        if (length === 0) events.push({ type: 'keepAlive' });
        else {
          this.stage = 'body';
          this.partial = new Uint8Array(length);
        }
        return;
      }
      case 'body':
        this.stage = 'prefix';
        events.push(decodeFrame(bytes));
        return;
      case 'block':
        this.stage = 'prefix';
        events.push({ type: 'piece', index: this.piece.index, begin: this.piece.begin, block: bytes });
        return;
    }
  }

  /** Refuses a length prefix above maxFrame, before anything of the frame is buffered. */
  private checkLength(length: number, frameStart: number): number {
    if (length > this.maxFrame) {
      throw new WireError(`the frame at stream byte ${frameStart} claims ${length} bytes, above the ${this.maxFrame}-byte maximum`);
    }
    return length;
  }
}
