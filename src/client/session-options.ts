/** The options of a torrent's session, from what its client gave the torrent (see TorrentInit). */
import { realClock } from '../core/session/clock.js';
import type { SessionOptions } from '../core/session/session.js';
import type { Metainfo } from '../core/metainfo.js';
import { sha1 } from '../core/sha1.js';
import { fromHex } from '../core/bytes.js';
import type { TorrentInit } from './torrent-types.js';
import type { Timeline } from '../core/session/timeline.js';

export function sessionOptions(
  init: TorrentInit,
  infoHash: Uint8Array,
  metainfo: Metainfo | undefined,
  urlList: readonly string[],
  timeline?: Timeline,
): SessionOptions {
  return {
    infoHash,
    ...(init.infoHashV2 ? { infoHashV2: fromHex(init.infoHashV2)! } : {}),
    peerId: init.peerId,
    metainfo,
    store: init.store,
    hasher: sha1,
    clock: realClock,
    maxPeers: init.maxPeers,
    uploadLimit: init.uploadLimit,
    downloadLimit: init.downloadLimit,
    memory: init.memory,
    // A seed holds pieces back from each peer until every piece has left it once (initial seeding);
    // with web seeds, peers would fetch what is held back from the HTTP server instead, and the
    // server should carry as little as peers can take (it is there for when no tab is open).
    initialSeeding: urlList.length === 0,
    superSeeding: init.superSeeding === true,
    ...(init.highWaterMark ? { highWaterMark: init.highWaterMark } : {}),
    ...(init.maxHighWaterMark ? { maxHighWaterMark: init.maxHighWaterMark } : {}),
    ...(init.connector ? { connector: init.connector } : {}),
    ...(init.refusePeer ? { refusePeer: init.refusePeer } : {}),
    ...(timeline ? { timeline } : {}),
  };
}
