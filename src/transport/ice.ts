/**
 * The ICE side of a WebRTC connection, as pure functions (tested in Node without WebRTC): which
 * RTCConfiguration a peer uses, whether an SDP offers any address at all, what a connection that
 * opened goes through (directly or through a TURN relay, read from `getStats()`), and why one that
 * failed did, in words a person can act on.
 */

/** How an open connection's bytes travel: straight between the peers, or through a TURN server. */
export type ConnectionKind = 'direct' | 'relay';

/**
 * The configuration of every RTCPeerConnection: `rtcConfig` as given, with its `iceServers` when it
 * has them, else `iceServers`, else none. Never left to simple-peer, whose default names public STUN
 * servers.
 */
export function rtcConfiguration(o: { rtcConfig?: RTCConfiguration; iceServers?: RTCIceServer[] }): RTCConfiguration & { iceServers: RTCIceServer[] } {
  return { ...o.rtcConfig, iceServers: o.rtcConfig?.iceServers ?? o.iceServers ?? [] };
}

/** Does any of these servers relay (a `turn:` or `turns:` URL)? */
export function hasTurnServer(servers: readonly RTCIceServer[] | undefined): boolean {
  return (servers ?? []).some((s) => (typeof s.urls === 'string' ? [s.urls] : s.urls).some((u) => /^turns?:/i.test(u.trim())));
}

/**
 * Does a session description carry at least one ICE candidate? With trickle ICE off (as here and in
 * WebTorrent) the whole SDP is sent once gathering is over, so one without a candidate can never
 * connect. Undefined for text that is not an SDP with a media section (simple-peer judges that).
 */
export function sdpHasCandidates(sdp: string): boolean | undefined {
  if (!/^m=/m.test(sdp)) return undefined;
  return /^a=candidate:/m.test(sdp);
}

/** Why a connection failed before it opened, in plain words (the torrent's warning says "a peer could not be reached: …"). */
export const FAILURE = {
  /** ICE checks failed: both sides had addresses, and none reached the other. */
  iceFailed: (config: RTCConfiguration): string =>
    hasTurnServer(config.iceServers)
      ? 'the connection failed, even through the TURN relay (check the TURN server and its credentials)'
      : 'the connection failed (no direct path; a TURN relay would help)',
  /** This side gathered no candidate: nothing to offer the other. */
  noLocalAddress: (config: RTCConfiguration): string =>
    config.iceTransportPolicy === 'relay'
      ? hasTurnServer(config.iceServers)
        ? 'the TURN server gave no relay address (check its URL and credentials), and only relayed connections are allowed here'
        : 'only relayed connections are allowed here, and no TURN server is configured'
      : hasTurnServer(config.iceServers)
        ? 'this tab found no network address to offer, not even from the TURN server'
        : 'this tab found no network address to offer (a TURN relay would help)',
  /** The other side's SDP has no candidate. */
  noRemoteAddress: 'the peer sent no address to connect to (it may allow only relayed connections and have no working TURN server)',
} as const;

type Stat = Record<string, unknown> & { id?: unknown; type?: unknown };

function isStat(v: unknown): v is Stat {
  return typeof v === 'object' && v !== null;
}

/**
 * What the selected candidate pair of a connection goes through, from its `getStats()` report: the
 * transport's `selectedCandidatePairId` (Chromium, Safari, node-datachannel), else the pair marked
 * `selected` (Firefox), else a nominated pair that succeeded. Its local candidate of type `relay`
 * means a TURN server carries the bytes; `host`, `srflx` or `prflx` means they go straight to the peer
 * (through NATs maybe, but through no relay). Undefined while no pair is selected.
 */
export function connectionKindOf(stats: Iterable<unknown>): ConnectionKind | undefined {
  const byId = new Map<string, Stat>();
  const all: Stat[] = [];
  for (const s of stats) {
    if (!isStat(s)) continue;
    all.push(s);
    if (typeof s.id === 'string') byId.set(s.id, s);
  }
  const pairs = all.filter((s) => s.type === 'candidate-pair');
  const selectedId = all.find((s) => s.type === 'transport' && typeof s.selectedCandidatePairId === 'string')?.selectedCandidatePairId;
  const pair =
    (typeof selectedId === 'string' ? byId.get(selectedId) : undefined) ??
    pairs.find((p) => p.selected === true) ??
    pairs.find((p) => p.nominated === true && p.state === 'succeeded');
  const localId = pair?.localCandidateId;
  const local = typeof localId === 'string' ? byId.get(localId) : undefined;
  switch (local?.candidateType) {
    case 'relay':
      return 'relay';
    case 'host':
    case 'srflx':
    case 'prflx':
      return 'direct';
    default:
      return undefined;
  }
}
