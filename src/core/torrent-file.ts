/**
 * The .torrent file of a torrent whose metadata is known: the raw info dictionary is spliced in as it
 * is (never decoded and encoded again), so the file's info hash is the torrent's.
 */
import { encode } from './bencode.js';
import { concatBytes, fromHex, toBinaryString, utf8 } from './bytes.js';

export interface TorrentFileParts {
  /** Trackers, in order: the first is `announce`; with more than one, each is a tier of `announce-list`. */
  announce: readonly string[];
  /** Web seeds (`url-list`). */
  urlList: readonly string[];
  /** The raw bencoded info dictionary. */
  infoBytes: Uint8Array;
  /** v2 and hybrid: the piece layers known (BEP 52), by hex pieces root. */
  pieceLayers?: ReadonlyMap<string, Uint8Array> | undefined;
}

/** A canonical .torrent: its keys in byte order (announce, announce-list, info, piece layers, url-list). */
export function torrentFileBytes({ announce, urlList, infoBytes, pieceLayers }: TorrentFileParts): Uint8Array {
  const before = encode({
    announce: announce[0],
    'announce-list': announce.length > 1 ? announce.map((a) => [a]) : undefined,
  });
  const layers = pieceLayers && pieceLayers.size > 0 ? new Map([...pieceLayers].map(([root, layer]) => [toBinaryString(fromHex(root)!), layer])) : undefined;
  const after = encode({ 'piece layers': layers, 'url-list': urlList.length > 0 ? [...urlList] : undefined });
  // `before` and `after` are whole dictionaries: drop the first one's `e` and the second one's `d`.
  return concatBytes([before.subarray(0, before.length - 1), utf8('4:info'), infoBytes, after.subarray(1)]);
}
