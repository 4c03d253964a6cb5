/** The WebSocket adapter over a scripted WebSocket constructor. */
import { describe, expect, it } from 'vitest';
import { webSocketConnector, type WebSocketInstance } from '../../src/tracker/websocket.js';

class ScriptedWebSocket implements WebSocketInstance {
  static last: ScriptedWebSocket | undefined;
  readyState = 0;
  sent: string[] = [];
  closeCalls = 0;
  onopen: ((event: unknown) => void) | null = null;
  onmessage: ((event: { data: unknown }) => void) | null = null;
  onclose: ((event: unknown) => void) | null = null;
  onerror: ((event: unknown) => void) | null = null;

  constructor(readonly url: string) {
    ScriptedWebSocket.last = this;
  }

  send(data: string): void {
    this.sent.push(data);
  }

  close(): void {
    this.closeCalls++;
    this.readyState = 3;
  }
}

describe('webSocketConnector', () => {
  it('passes text frames, ignores binary ones, and reports open, error and close', () => {
    const log: string[] = [];
    const s = webSocketConnector('ws://127.0.0.1:1', ScriptedWebSocket);
    const ws = ScriptedWebSocket.last!;
    s.onopen = () => log.push('open');
    s.onmessage = (t) => log.push(`msg ${t}`);
    s.onerror = (m) => log.push(`error ${m}`);
    s.onclose = () => log.push('close');
    expect(() => s.send('early')).toThrow(/not open/);
    ws.readyState = 1;
    ws.onopen?.({});
    ws.onmessage?.({ data: '{"a":1}' });
    ws.onmessage?.({ data: new Uint8Array([1, 2]) });
    s.send('hello');
    ws.onerror?.({ message: 'boom' });
    ws.onclose?.({});
    s.close();
    expect(log).toEqual(['open', 'msg {"a":1}', 'error boom', 'close']);
    expect(ws.sent).toEqual(['hello']);
    expect(ws.closeCalls).toBe(0); // already closed by the far end
  });

  it('closes once, and says so when there is no global WebSocket (Node 20)', () => {
    const s = webSocketConnector('ws://127.0.0.1:1', ScriptedWebSocket);
    s.close();
    s.close();
    expect(ScriptedWebSocket.last!.closeCalls).toBe(1);
    if (typeof (globalThis as { WebSocket?: unknown }).WebSocket === 'undefined') {
      expect(() => webSocketConnector('ws://127.0.0.1:1')).toThrow(/no WebSocket/);
    }
  });
});
