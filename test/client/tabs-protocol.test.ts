/**
 * The messages between the tabs of one browser (src/client/tabs/protocol.ts): every kind read back
 * as sent (through structured cloning, as a BroadcastChannel carries it), unknown fields dropped, and
 * anything malformed refused with a reason, never thrown and never half-read.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { LIMITS, TAB_PROTOCOL_VERSION, readTabMessage, type TabMessage } from '../../src/client/tabs/protocol.js';

const FROM = 'ab'.repeat(20);
const HASH = '0123456789abcdef0123456789abcdef01234567';

function snapshot(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    infoHash: HASH,
    name: 'greeting.bin',
    hasMetadata: true,
    paused: false,
    done: false,
    progress: 0.25,
    downloaded: 1024,
    uploaded: 0,
    downloadSpeed: 512.5,
    uploadSpeed: 0,
    numPeers: 1,
    failedConnections: 0,
    left: 3072,
    pieces: new Uint8Array([2, 1, 0, 0]),
    peers: [
      { id: 'cd'.repeat(20), connection: 'direct', client: 'tabswarm', downloadSpeed: 512, uploadSpeed: 0, progress: 1, unchokedUs: true, unchokedByUs: false },
    ],
    selection: [0],
    ...over,
  };
}

const state = (over: Record<string, unknown> = {}) => ({ v: TAB_PROTOCOL_VERSION, from: FROM, type: 'state', torrent: snapshot(over) });

describe('tab messages', () => {
  it('reads back every kind of message as sent, through structured cloning', () => {
    const messages: TabMessage[] = [
      { v: 1, from: FROM, type: 'hello' },
      { v: 1, from: FROM, type: 'here' },
      { v: 1, from: FROM, type: 'bye' },
      { v: 1, from: FROM, type: 'removed', infoHash: HASH },
      { v: 1, from: FROM, type: 'command', infoHash: HASH, command: { kind: 'pause' } },
      { v: 1, from: FROM, type: 'command', infoHash: HASH, command: { kind: 'resume' } },
      { v: 1, from: FROM, type: 'command', infoHash: HASH, command: { kind: 'select', selection: [0, 2] } },
      { v: 1, from: FROM, type: 'command', infoHash: HASH, command: { kind: 'select' } },
      { v: 1, from: FROM, type: 'command', infoHash: HASH, command: { kind: 'remove', deleteData: true } },
      state() as TabMessage,
      state({ error: 'storage full', left: undefined, selection: undefined, pieces: new Uint8Array(0), peers: [] }) as TabMessage,
    ];
    for (const m of messages) {
      const read = readTabMessage(structuredClone(m));
      expect(read, m.type).toEqual(stripUndefined(m));
    }
  });

  it('keeps only the fields it knows, and copies what it keeps', () => {
    const pieces = new Uint8Array([2, 2]);
    const read = readTabMessage({ ...state({ pieces, extra: 'x' }), script: '<x>' });
    if (typeof read === 'string' || read.type !== 'state') throw new Error(JSON.stringify(read));
    expect(read).not.toHaveProperty('script');
    expect(read.torrent).not.toHaveProperty('extra');
    pieces[0] = 0;
    expect([...read.torrent.pieces]).toEqual([2, 2]);
  });

  it.each([
    ['not an object', 'hello', 'not an object'],
    ['an array', [], 'not an object'],
    ['another version', { v: 2, from: FROM, type: 'hello' }, 'version 2 is not 1'],
    ['no version', { from: FROM, type: 'hello' }, 'version undefined is not 1'],
    ['a sender that is not a peer id', { v: 1, from: 'AB'.repeat(20), type: 'hello' }, 'from is not 40 lowercase hex characters'],
    ['an unknown type', { v: 1, from: FROM, type: 'takeover' }, 'type "takeover" is not known'],
    ['a removal without an info hash', { v: 1, from: FROM, type: 'removed' }, 'infoHash is not 40 lowercase hex characters'],
    ['a state without a torrent', { v: 1, from: FROM, type: 'state' }, 'torrent is not an object'],
    ['progress over 1', state({ progress: 1.5 }), 'progress is over 1'],
    ['a negative byte count', state({ downloaded: -1 }), 'downloaded is not a non-negative number'],
    ['a speed that is not a number', state({ downloadSpeed: NaN }), 'downloadSpeed is not a non-negative number'],
    ['an infinite speed', state({ uploadSpeed: Infinity }), 'uploadSpeed is not a non-negative number'],
    ['a fractional peer count', state({ numPeers: 1.5 }), 'numPeers is not a count'],
    ['a paused flag that is a string', state({ paused: 'false' }), 'paused is not a boolean'],
    ['pieces as a plain array', state({ pieces: [2, 2] }), 'pieces is not a list of piece states'],
    ['a piece state of 3', state({ pieces: new Uint8Array([2, 3]) }), 'pieces holds a state that is not 0, 1 or 2'],
    ['too many pieces', state({ pieces: new Uint8Array(LIMITS.pieces + 1) }), 'pieces is not a list of piece states'],
    ['a name too long', state({ name: 'x'.repeat(LIMITS.name + 1) }), `name is not a string of at most ${LIMITS.name} characters`],
    ['too many peers', state({ peers: new Array<unknown>(LIMITS.peers + 1).fill({}) }), `peers is not a list of at most ${LIMITS.peers}`],
    ['a peer that is not an object', state({ peers: [null] }), 'peers[0] is not an object'],
    ['a peer with another connection kind', state({ peers: [{ ...peer(), connection: 'carrier pigeon' }] }), 'peers[0].connection is not direct or relay'],
    ['a peer with progress over 1', state({ peers: [{ ...peer(), progress: 2 }] }), 'peers[0].progress is over 1'],
    ['a selection with a negative index', state({ selection: [0, -1] }), 'selection[1] is not a count'],
    ['an error that is not text', state({ error: { message: 'x' } }), `error is not a string of at most ${LIMITS.name} characters`],
    [
      'a command of another kind',
      { v: 1, from: FROM, type: 'command', infoHash: HASH, command: { kind: 'format disk' } },
      'command.kind is not pause, resume, select or remove',
    ],
    ['a remove without deleteData', { v: 1, from: FROM, type: 'command', infoHash: HASH, command: { kind: 'remove' } }, 'command.deleteData is not a boolean'],
    [
      'a selection that is not a list',
      { v: 1, from: FROM, type: 'command', infoHash: HASH, command: { kind: 'select', selection: 3 } },
      'command.selection is not a list of file indexes',
    ],
  ])('refuses %s, saying why', (_, data, reason) => {
    expect(readTabMessage(data)).toBe(reason);
  });

  it('never throws, and what it accepts reads back the same (any value, and messages with any field swapped)', () => {
    fc.assert(
      fc.property(fc.anything({ withTypedArray: true, withMap: true, withSet: true, withDate: true }), (value) => {
        const read = readTabMessage(value);
        if (typeof read !== 'string') expect(readTabMessage(structuredClone(read))).toEqual(read);
      }),
      { numRuns: 2000 },
    );
    const keys = Object.keys(snapshot());
    fc.assert(
      fc.property(fc.constantFrom(...keys), fc.anything({ withTypedArray: true }), (key, value) => {
        const read = readTabMessage(state({ [key]: value }));
        if (typeof read !== 'string') expect(readTabMessage(structuredClone(read))).toEqual(read);
      }),
      { numRuns: 2000 },
    );
  });
});

function peer(): Record<string, unknown> {
  return (snapshot().peers as Record<string, unknown>[])[0]!;
}

/** The message as read: fields whose value is undefined are not there. */
function stripUndefined(m: TabMessage): unknown {
  if (m.type !== 'state') return m;
  const torrent = Object.fromEntries(Object.entries(m.torrent).filter(([, v]) => v !== undefined));
  return { ...m, torrent };
}
