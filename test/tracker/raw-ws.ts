/**
 * A WebSocket client over a bare TCP socket, for the tracker's tests and its benchmark: frames are
 * built once and written as they are (mask key 0, which a server must accept), so one process can
 * drive tens of thousands of messages a second; pings are answered; and it can send a close frame
 * and then keep its TCP connection open, leaving the server's side of it closing.
 */
import { connect, type Socket } from 'node:net';
import { randomBytes } from 'node:crypto';

const OP_TEXT = 0x1;
const OP_CLOSE = 0x8;
const OP_PING = 0x9;
const OP_PONG = 0xa;

/** A masked client frame with mask key 0 (the payload goes as it is). */
export function frame(payload: string | Buffer, opcode = OP_TEXT): Buffer {
  const body = typeof payload === 'string' ? Buffer.from(payload) : payload;
  const n = body.length;
  const head = n < 126 ? 2 : n < 65536 ? 4 : 10;
  const out = Buffer.alloc(head + 4 + n);
  out[0] = 0x80 | opcode;
  if (n < 126) out[1] = 0x80 | n;
  else if (n < 65536) {
    out[1] = 0x80 | 126;
    out.writeUInt16BE(n, 2);
  } else {
    out[1] = 0x80 | 127;
    out.writeBigUInt64BE(BigInt(n), 2);
  }
  // The 4 mask bytes stay 0.
  body.copy(out, head + 4);
  return out;
}

export class RawSocket {
  /** Each text or binary message from the server (a view into a buffer that is reused: copy what you keep). */
  onMessage: (payload: Buffer) => void = () => {};
  onClose: () => void = () => {};
  closed = false;
  private rest: Buffer | undefined;

  private constructor(private readonly socket: Socket) {}

  static connect(port: number, options: { allowHalfOpen?: boolean; host?: string } = {}): Promise<RawSocket> {
    return new Promise((resolve, reject) => {
      const socket = connect({ port, host: options.host ?? '127.0.0.1', allowHalfOpen: options.allowHalfOpen ?? false });
      socket.setNoDelay(true);
      const raw = new RawSocket(socket);
      let head = Buffer.alloc(0);
      const onData = (chunk: Buffer): void => {
        head = Buffer.concat([head, chunk]);
        const end = head.indexOf('\r\n\r\n');
        if (end < 0) return;
        socket.off('data', onData);
        if (!head.subarray(0, 12).toString().startsWith('HTTP/1.1 101')) {
          socket.destroy();
          reject(new Error(`no upgrade: ${head.subarray(0, end).toString().split('\r\n')[0]}`));
          return;
        }
        socket.on('data', (data: Buffer) => raw.read(data));
        if (head.length > end + 4) raw.read(head.subarray(end + 4));
        resolve(raw);
      };
      socket.on('data', onData);
      socket.once('error', reject);
      socket.on('close', () => {
        raw.closed = true;
        raw.onClose();
      });
      socket.on('error', () => undefined);
      socket.write(
        `GET / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
      );
    });
  }

  /** Writes frames built with `frame` (or text, framed here). False when the socket's buffer is full. */
  write(data: Buffer | string): boolean {
    if (this.closed) return false;
    return this.socket.write(typeof data === 'string' ? frame(data) : data);
  }

  /** Sends a close frame; with `allowHalfOpen` the TCP connection stays open until `destroy`. */
  sendClose(): void {
    const code = Buffer.alloc(2);
    code.writeUInt16BE(1000);
    this.socket.write(frame(code, OP_CLOSE));
  }

  destroy(): void {
    this.socket.destroy();
  }

  /** Stops reading from the connection (what the server sends piles up in its buffers). */
  pause(): void {
    this.socket.pause();
  }

  get bufferedBytes(): number {
    return this.socket.writableLength;
  }

  private read(chunk: Buffer): void {
    const data = this.rest ? Buffer.concat([this.rest, chunk]) : chunk;
    let off = 0;
    while (data.length - off >= 2) {
      const b0 = data[off]!;
      let len = data[off + 1]! & 0x7f;
      let start = off + 2;
      if (len === 126) {
        if (data.length - off < 4) break;
        len = data.readUInt16BE(off + 2);
        start = off + 4;
      } else if (len === 127) {
        if (data.length - off < 10) break;
        len = Number(data.readBigUInt64BE(off + 2));
        start = off + 10;
      }
      if (data.length < start + len) break;
      const opcode = b0 & 0x0f;
      const payload = data.subarray(start, start + len);
      off = start + len;
      if (opcode === OP_PING) this.socket.write(frame(Buffer.from(payload), OP_PONG));
      else if (opcode !== OP_CLOSE && opcode !== OP_PONG) this.onMessage(payload);
    }
    this.rest = off < data.length ? Buffer.from(data.subarray(off)) : undefined;
  }
}
