/** Every wire message with its bytes, written out by hand from BEP 3, 5, 6, 10 and 52. */
import type { WireMessage } from '../../../src/core/wire/index.js';
import { h } from './helpers.js';

/** A pieces root, 32 bytes of 0xab. */
const ROOT = 'ab ab ab ab ab ab ab ab ab ab ab ab ab ab ab ab ab ab ab ab ab ab ab ab ab ab ab ab ab ab ab ab';

export const MESSAGE_VECTORS: readonly [string, WireMessage, string][] = [
  ['keep-alive', { type: 'keepAlive' }, '00 00 00 00'],
  ['choke', { type: 'choke' }, '00 00 00 01 00'],
  ['unchoke', { type: 'unchoke' }, '00 00 00 01 01'],
  ['interested', { type: 'interested' }, '00 00 00 01 02'],
  ['not interested', { type: 'notInterested' }, '00 00 00 01 03'],
  ['have 5', { type: 'have', index: 5 }, '00 00 00 05 04 00 00 00 05'],
  ['have 0x01020304', { type: 'have', index: 0x01020304 }, '00 00 00 05 04 01 02 03 04'],
  ['bitfield ff 80', { type: 'bitfield', bits: h('ff 80') }, '00 00 00 03 05 ff 80'],
  ['empty bitfield', { type: 'bitfield', bits: h('') }, '00 00 00 01 05'],
  ['request 1 16384 16384', { type: 'request', index: 1, begin: 16384, length: 16384 }, '00 00 00 0d 06 00 00 00 01 00 00 40 00 00 00 40 00'],
  ['piece 2 32768 de ad be ef', { type: 'piece', index: 2, begin: 32768, block: h('de ad be ef') }, '00 00 00 0d 07 00 00 00 02 00 00 80 00 de ad be ef'],
  ['piece with an empty block', { type: 'piece', index: 0, begin: 0, block: h('') }, '00 00 00 09 07 00 00 00 00 00 00 00 00'],
  ['cancel 1 16384 16384', { type: 'cancel', index: 1, begin: 16384, length: 16384 }, '00 00 00 0d 08 00 00 00 01 00 00 40 00 00 00 40 00'],
  ['port 6881', { type: 'port', port: 6881 }, '00 00 00 03 09 1a e1'],
  ['suggest 7', { type: 'suggest', index: 7 }, '00 00 00 05 0d 00 00 00 07'],
  ['have all', { type: 'haveAll' }, '00 00 00 01 0e'],
  ['have none', { type: 'haveNone' }, '00 00 00 01 0f'],
  ['reject 3 0 16384', { type: 'reject', index: 3, begin: 0, length: 16384 }, '00 00 00 0d 10 00 00 00 03 00 00 00 00 00 00 40 00'],
  ['allowed fast 2^32-1', { type: 'allowedFast', index: 0xffffffff }, '00 00 00 05 11 ff ff ff ff'],
  ['extended handshake "de"', { type: 'extended', extId: 0, payload: h('64 65') }, '00 00 00 04 14 00 64 65'],
  ['extended id 3, no payload', { type: 'extended', extId: 3, payload: h('') }, '00 00 00 02 14 03'],
  ['unknown id 0x42', { type: 'unknown', id: 0x42, payload: h('01 02') }, '00 00 00 03 42 01 02'],
  ['unknown id 0xff, no payload', { type: 'unknown', id: 0xff, payload: h('') }, '00 00 00 01 ff'],
  [
    'hash request: leaves 4..7 with 3 proof layers',
    { type: 'hashRequest', piecesRoot: h(ROOT), baseLayer: 0, index: 4, length: 4, proofLayers: 3 },
    `00 00 00 31 15 ${ROOT} 00 00 00 00 00 00 00 04 00 00 00 04 00 00 00 03`,
  ],
  [
    'hashes: 2 piece-layer hashes and 1 uncle',
    {
      type: 'hashes',
      piecesRoot: h(ROOT),
      baseLayer: 2,
      index: 0,
      length: 2,
      proofLayers: 1,
      hashes: h(`${'01 '.repeat(32)}${'02 '.repeat(32)}${'03 '.repeat(32)}`),
    },
    `00 00 00 91 16 ${ROOT} 00 00 00 02 00 00 00 00 00 00 00 02 00 00 00 01 ${'01 '.repeat(32)}${'02 '.repeat(32)}${'03 '.repeat(32)}`,
  ],
  [
    'hash reject',
    { type: 'hashReject', piecesRoot: h(ROOT), baseLayer: 0, index: 0xfffffffe, length: 2, proofLayers: 0 },
    `00 00 00 31 17 ${ROOT} 00 00 00 00 ff ff ff fe 00 00 00 02 00 00 00 00`,
  ],
];
