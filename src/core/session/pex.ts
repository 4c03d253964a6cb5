/**
 * Peer exchange between tabswarm peers (`ts_pex`, docs/peer-exchange.md): each peer that lists it
 * hears, at most every PEX_INTERVAL, which of our peers joined or left since it last heard (peer
 * ids of peers that can be reached by relayed signaling: those listing `ts_signal`). What each peer
 * says it is connected to is kept, bounded, as the candidates relay.ts connects to through it.
 */
import type { Peer } from './peer.js';
import { decodePexMessage, encodePexMessage, MAX_PEX_PEERS, PEX_EXTENSION, SIGNAL_EXTENSION } from '../wire/index.js';
import { errorMessage } from '../errors.js';
import { fromHex, toHex } from '../bytes.js';

/** Our extension id for incoming ts_pex messages. */
export const PEX_ID = 3;
/** A peer hears from us at most this often. */
export const PEX_INTERVAL = 10_000;
/** Peers one peer may say it is connected to at once (more: it is dropped). */
export const MAX_PEX_KNOWN = 200;
/** Messages a peer may send at once; then one per PEX_INTERVAL / 2. */
const PEX_BURST = 3;

interface PexState {
  /** What we told it: connected peers' ids (hex). */
  told: Set<string>;
  lastSent: number;
  /** What it told us. */
  heard: Set<string>;
  tokens: number;
  refilledAt: number;
}

export class PeerExchange {
  private readonly state = new Map<string, PexState>();

  constructor(private readonly now: () => number) {}

  /** Sends each ts_pex peer whose turn it is what changed since it last heard (at most MAX_PEX_PEERS each way). */
  tick(peers: readonly Peer[]): void {
    const now = this.now();
    const listed = new Set<string>();
    for (const p of peers) if (p.handshaken && !p.closed && !p.backup && p.remotePeerId && p.extensions[SIGNAL_EXTENSION]) listed.add(toHex(p.remotePeerId));
    for (const p of peers) {
      const ext = p.extensions[PEX_EXTENSION];
      if (!ext || !p.handshaken || p.closed) continue;
      const s = this.of(p);
      if (now - s.lastSent < PEX_INTERVAL) continue;
      const self = p.remotePeerId ? toHex(p.remotePeerId) : '';
      const added = [...listed].filter((id) => id !== self && !s.told.has(id)).slice(0, MAX_PEX_PEERS);
      const dropped = [...s.told].filter((id) => !listed.has(id)).slice(0, MAX_PEX_PEERS);
      if (added.length === 0 && dropped.length === 0) continue;
      for (const id of added) s.told.add(id);
      for (const id of dropped) s.told.delete(id);
      s.lastSent = now;
      const bytes = (ids: string[]): Uint8Array[] => ids.map((id) => fromHex(id)!);
      p.send({ type: 'extended', extId: ext, payload: encodePexMessage({ added: bytes(added), dropped: bytes(dropped) }) });
    }
  }

  /** A ts_pex message from `peer`: what it is connected to now. Returns a violation, if any. */
  onMessage(peer: Peer, payload: Uint8Array): string | undefined {
    const s = this.of(peer);
    const now = this.now();
    s.tokens = Math.min(PEX_BURST, s.tokens + (now - s.refilledAt) / (PEX_INTERVAL / 2));
    s.refilledAt = now;
    if (s.tokens < 1) return 'ts_pex messages too often';
    s.tokens--;
    let msg;
    try {
      msg = decodePexMessage(payload);
    } catch (e) {
      return `bad ts_pex message: ${errorMessage(e)}`;
    }
    for (const id of msg.dropped) s.heard.delete(toHex(id));
    for (const id of msg.added) s.heard.add(toHex(id));
    if (s.heard.size > MAX_PEX_KNOWN) return `says it is connected to more than ${MAX_PEX_KNOWN} peers`;
    return undefined;
  }

  /** Peer ids (hex) heard of, each with the connections (ids) that said they hold it. */
  candidates(): Map<string, string[]> {
    const out = new Map<string, string[]>();
    for (const [conn, s] of this.state) {
      for (const id of s.heard) {
        const via = out.get(id);
        if (via) via.push(conn);
        else out.set(id, [conn]);
      }
    }
    return out;
  }

  /** What `peer` says it is connected to. */
  heardFrom(peerId: string): ReadonlySet<string> {
    return this.state.get(peerId)?.heard ?? new Set();
  }

  gone(peer: Peer): void {
    this.state.delete(peer.id);
  }

  private of(peer: Peer): PexState {
    let s = this.state.get(peer.id);
    if (!s) {
      s = { told: new Set(), lastSent: -Infinity, heard: new Set(), tokens: PEX_BURST, refilledAt: this.now() };
      this.state.set(peer.id, s);
    }
    return s;
  }
}
