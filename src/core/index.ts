/**
 * tabswarm/core: the DOM-free protocol core. Runs in Node 20 and in browsers alike.
 */
import { decode, decodeWithSpans, encode } from './bencode.js';

export const bencode = { encode, decode, decodeWithSpans };
export type { BValue, BDict, BEncodable } from './bencode.js';

export { TabswarmError, BencodeError, TorrentError, MagnetError } from './errors.js';
export { createTorrent, defaultPieceLength } from './create.js';
export type { CreateTorrentOptions, CreatedTorrent, TorrentInputFile, BlobLike } from './create.js';
export { parseTorrent, parseInfoDict } from './metainfo.js';
export type { Metainfo, TorrentFileEntry } from './metainfo.js';
export { parseMagnet, formatMagnet } from './magnet.js';
export type { MagnetLink, MagnetParts } from './magnet.js';
export { PieceGeometry, BLOCK_SIZE } from './geometry.js';
export { toHex, fromHex } from './bytes.js';
