/**
 * A `PeerConnector` over the simulated network, for in-process tests of relayed signaling: an
 * "SDP" is a token naming the attempt; accepting a token that names no offer fails as a garbage
 * offer does, and the channels open once the offerer applies the answer.
 */
import type { ConnectAttempt, PeerConnector } from '../../../src/core/session/connector.js';
import type { PeerChannel } from '../../../src/core/session/channel.js';
import type { SimNetwork, SimNode } from '../../../src/core/sim/network.js';

interface Offer {
  node: SimNode;
  open(channel: PeerChannel): void;
  cancelled: boolean;
  answer?: { token: string; open(channel: PeerChannel): void; node: SimNode; cancelled: () => boolean };
}

function attempt(sdp: string, onAnswer: (sdp: string) => void): { attempt: ConnectAttempt; open(c: PeerChannel): void; isCancelled(): boolean } {
  let resolve!: (c: PeerChannel) => void;
  let reject!: (e: Error) => void;
  let opened: PeerChannel | undefined;
  let cancelled = false;
  const channel = new Promise<PeerChannel>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  channel.catch(() => undefined);
  return {
    attempt: {
      sdp,
      answer: onAnswer,
      channel,
      cancel() {
        if (cancelled) return;
        cancelled = true;
        if (opened) opened.close();
        else reject(new Error('cancelled'));
      },
    },
    open(c) {
      if (cancelled) {
        c.close();
        return;
      }
      opened = c;
      resolve(c);
    },
    isCancelled: () => cancelled,
  };
}

export class FakeSignaling {
  private readonly offers = new Map<string, Offer>();
  private count = 0;
  /** Offers made and accepted, over all connectors. */
  made = 0;
  accepted = 0;

  constructor(private readonly net: SimNetwork) {}

  connector(node: SimNode, canConnect: () => boolean = () => true): PeerConnector {
    return {
      canConnect,
      offer: () => {
        const token = `offer-${++this.count}`;
        this.made++;
        const a = attempt(token, (sdp) => {
          const o = this.offers.get(token);
          if (!o?.answer || sdp !== o.answer.token) throw new Error('not the answer to this offer');
          this.offers.delete(token);
          if (o.answer.cancelled() || a.isCancelled()) return;
          const [mine, theirs] = this.net.connect(node, o.answer.node);
          a.open(mine);
          o.answer.open(theirs);
        });
        this.offers.set(token, { node, open: a.open, cancelled: false });
        return Promise.resolve(a.attempt);
      },
      accept: (sdp) => {
        const o = this.offers.get(sdp);
        if (!o || o.answer) return Promise.reject(new Error('not an offer'));
        this.accepted++;
        const a = attempt(`answer-${sdp}`, () => {
          throw new Error('an answerer takes no answer');
        });
        o.answer = { token: a.attempt.sdp, open: a.open, node, cancelled: a.isCancelled };
        return Promise.resolve(a.attempt);
      },
    };
  }
}
