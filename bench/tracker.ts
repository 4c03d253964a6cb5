/**
 * `npm run bench:tracker [-- --peers 1000,5000 --seconds 5 --load 10000 --only plain,ours]`
 *
 * The WebSocket tracker on loopback, ours (scripts/tracker-server.mjs) beside bittorrent-tracker's
 * server as shipped, under the same load, one after the other. Each runs in a process of its own
 * (scripts/tracker-process.mjs, with --expose-gc) pinned to core 0 with taskset where there is one; this
 * process, which makes the load over bare TCP sockets with frames built once (test/tracker/raw-ws.ts),
 * pins itself to core 1. For each number N of connected peers:
 * 1. memory: N sockets each announce once (`started`, swarms of 10 peers); the tracker's live heap
 *    (after a full GC) and RSS, minus what they were before, divided by N;
 * 2. throughput: every socket keeps one announce in flight (`update`, with 1 offer of a ~500-byte SDP,
 *    which the tracker relays to another peer of its swarm) and sends the next when the reply comes:
 *    announces answered per second over `--seconds`, after a second of warm-up; the tracker's CPU
 *    use meanwhile (100% = one core), its CPU time per announce, and what that makes per second of
 *    one core (the figure that other work on the machine disturbs least);
 * 3. relay latency: the same announces sent at a steady `--load` per second in all, while 20 pairs of
 *    peers in swarms of their own send offers to each other 10 times a second per pair: the time from
 *    an offer's announce being written to the relayed offer being read, p50 and p99.
 * 4. capacity: 100 sockets each announce one peer id into 100 swarms (its cap in ours), once into
 *    swarms of their own and once into 100 shared swarms: the live heap per swarm membership, and
 *    per swarm; with the memory per connected peer, what the caps let clients make a tracker hold.
 * Ours runs with its per-socket message rate lifted (20/s by default: a policy, not a capacity);
 * every other limit is its default. On a machine shared with other work a tracker may not get its
 * whole core: then announces/s falls while CPU time per announce moves much less.
 * With --rounds R, each round runs both trackers (in alternating order) and the table shows medians.
 * Prints a table and ends with one JSON line.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { frame, RawSocket } from '../test/tracker/raw-ws.js';
import { median } from './stats.js';
import { startTrackerProcess, type TrackerProcess } from '../test/tracker/tracker-process.js';

const { values } = parseArgs({
  options: {
    peers: { type: 'string', default: '1000,5000' },
    seconds: { type: 'string', default: '5' },
    load: { type: 'string', default: '10000' },
    only: { type: 'string', default: 'plain,ours' },
    rounds: { type: 'string', default: '1' },
  },
});
const PEERS = values.peers.split(',').map(Number);
const SECONDS = Number(values.seconds);
const LOAD = Number(values.load);
const ROUNDS = Number(values.rounds);
const KINDS = (['plain', 'ours'] as const).filter((k) => values.only.split(',').includes(k));
for (const n of [...PEERS, SECONDS, LOAD, ROUNDS]) {
  if (!Number.isFinite(n) || n <= 0) {
    console.error('--peers, --seconds, --load and --rounds must be positive numbers');
    process.exit(2);
  }
}

const SWARM = 10;
const PAIRS = 20;
const PROBES_PER_PAIR_PER_SECOND = 10;
const SDP = `v=0\r\no=- 4611731400430051336 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0\r\nm=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\nc=IN IP4 0.0.0.0\r\na=candidate:1 1 udp 2122260223 192.0.2.10 54321 typ host generation 0\r\na=ice-ufrag:abcd\r\na=ice-pwd:abcdefghijklmnopqrstuvwx\r\na=fingerprint:sha-256 ${'AB:'.repeat(31)}AB\r\na=setup:actpass\r\na=mid:0\r\na=sctp-port:5000\r\na=max-message-size:262144\r\n`;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
/** A 20-character id: a letter and a number. */
const id = (letter: string, n: number): string => letter + String(n).padStart(19, '0');

function pin(): string {
  if (!existsSync('/usr/bin/taskset')) return 'unpinned (no taskset)';
  const r = spawnSync('/usr/bin/taskset', ['-a', '-p', '-c', '1', String(process.pid)]);
  return r.status === 0 ? 'tracker on core 0, load on core 1' : 'unpinned (taskset failed)';
}

function announce(peer: string, swarm: string, event: string | undefined, offerId?: string): string {
  return JSON.stringify({
    action: 'announce',
    info_hash: swarm,
    peer_id: peer,
    numwant: offerId ? 1 : 0,
    uploaded: 0,
    downloaded: 0,
    left: 1000,
    ...(event ? { event } : {}),
    ...(offerId ? { offers: [{ offer: { type: 'offer', sdp: SDP }, offer_id: offerId }] } : {}),
  });
}

/** Replies (`{"complete":…`) and relayed offers, told apart by their first key. */
const C = 'c'.charCodeAt(0);
const isReply = (payload: Buffer): boolean => payload[2] === C;
const isFailure = (payload: Buffer): boolean => payload.includes('"failure reason"');

interface Peer {
  socket: RawSocket;
  /** The frame of this peer's `update` announce with one offer, built once. */
  update: Buffer;
}

async function connectPeers(port: number, n: number, onReply: (p: Peer) => void, counts: Counts): Promise<Peer[]> {
  const peers: Peer[] = [];
  for (let i = 0; i < n; i += 250) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(250, n - i) }, async (_, k) => {
        const socket = await RawSocket.connect(port);
        const peer: Peer = { socket, update: frame(announce(id('p', i + k), id('s', Math.floor((i + k) / SWARM)), undefined, id('o', i + k))) };
        socket.onMessage = (payload) => {
          if (isReply(payload)) {
            counts.replies++;
            onReply(peer);
          } else if (isFailure(payload)) counts.failures++;
          else counts.relays++;
        };
        return peer;
      }),
    );
    peers.push(...batch);
  }
  return peers;
}

interface Counts {
  replies: number;
  relays: number;
  failures: number;
}

interface Row {
  tracker: 'plain' | 'ours';
  peers: number;
  heapPerPeer: number;
  rssPerPeer: number;
  announcesPerSecond: number;
  trackerCpu: number;
  /** The tracker's CPU time per announce answered, µs. */
  cpuPerAnnounce: number;
  loadCpu: number;
  relaysPerSecond: number;
  failures: number;
  load: number;
  loadAnswered: number;
  relayP50: number;
  relayP99: number;
  probes: number;
  probesLost: number;
}

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

async function run(kind: 'plain' | 'ours', n: number): Promise<Row> {
  const tracker: TrackerProcess = await startTrackerProcess({
    plain: kind === 'plain',
    cpu: 0,
    limits: kind === 'ours' ? { messagesPerSecond: 1e9, burst: 1e9 } : {},
  });
  try {
    const counts: Counts = { replies: 0, relays: 0, failures: 0 };
    let onReply: (p: Peer) => void = () => {};
    await sleep(300);
    const base = await tracker.measure();

    // 1. Memory per connected peer.
    const peers = await connectPeers(tracker.port, n, (p) => onReply(p), counts);
    for (const [i, p] of peers.entries()) p.socket.write(announce(id('p', i), id('s', Math.floor(i / SWARM)), 'started'));
    while (counts.replies < n) await sleep(20);
    const loaded = await tracker.measure();
    if (loaded.stats.peers !== n) throw new Error(`${kind}: ${loaded.stats.peers} peers announced, not ${n}`);

    // 2. Throughput: one announce in flight per socket.
    let running = true;
    onReply = (p) => {
      if (running) p.socket.write(p.update);
    };
    for (const p of peers) p.socket.write(p.update);
    await sleep(1000);
    const t0 = await tracker.measure();
    const start = { time: performance.now(), replies: counts.replies, relays: counts.relays, cpu: process.cpuUsage() };
    await sleep(SECONDS * 1000);
    const elapsed = (performance.now() - start.time) / 1000;
    const answered = counts.replies - start.replies;
    const relayed = counts.relays - start.relays;
    const loadCpu = process.cpuUsage(start.cpu);
    const t1 = await tracker.measure();
    const wall = (performance.now() - start.time) / 1000; // from the first measure's answer to the second's
    running = false;
    onReply = () => {};
    await drain(counts);

    // 3. Relay latency at a steady load, with probe pairs of their own.
    const latencies: number[] = [];
    const sentAt = new Map<number, number>();
    const pairs: RawSocket[][] = [];
    for (let i = 0; i < PAIRS; i++) {
      const pair = [await RawSocket.connect(tracker.port), await RawSocket.connect(tracker.port)];
      const swarm = id('q', i);
      for (const [k, s] of pair.entries()) {
        const replied = new Promise<void>((r) => (s.onMessage = () => r()));
        s.write(announce(id(k === 0 ? 'a' : 'b', i), swarm, 'started'));
        await replied;
      }
      pair[1]!.onMessage = (payload) => {
        if (isReply(payload)) return;
        const offerId = (JSON.parse(payload.toString()) as { offer_id: string }).offer_id;
        const at = sentAt.get(Number(offerId.slice(1)));
        if (at !== undefined) latencies.push(performance.now() - at);
      };
      pair[0]!.onMessage = () => {};
      pairs.push(pair);
    }
    const loadStart = counts.replies;
    let seq = 0;
    let next = 0;
    const tickMs = 10;
    const perTick = (LOAD * tickMs) / 1000;
    let due = 0;
    const probeEvery = Math.max(1, Math.round(1000 / (PROBES_PER_PAIR_PER_SECOND * tickMs)));
    let tick = 0;
    const t2 = performance.now();
    const timer = setInterval(() => {
      due += perTick;
      for (; due >= 1; due--) {
        const p = peers[next++ % peers.length]!;
        p.socket.write(p.update);
      }
      if (tick++ % probeEvery === 0) {
        for (const [i, pair] of pairs.entries()) {
          const s = ++seq;
          sentAt.set(s, performance.now());
          pair[0]!.write(announce(id('a', i), id('q', i), undefined, `o${String(s).padStart(19, '0')}`));
        }
      }
    }, tickMs);
    await sleep(SECONDS * 1000);
    clearInterval(timer);
    const loadAnswered = (counts.replies - loadStart) / ((performance.now() - t2) / 1000);
    await drain(counts);
    await sleep(200);
    latencies.sort((a, b) => a - b);

    for (const p of peers) p.socket.destroy();
    for (const pair of pairs) for (const s of pair) s.destroy();
    return {
      tracker: kind,
      peers: n,
      heapPerPeer: (loaded.heapUsed - base.heapUsed) / n,
      rssPerPeer: (loaded.rss - base.rss) / n,
      announcesPerSecond: answered / elapsed,
      trackerCpu: (t1.cpuMs - t0.cpuMs) / 1000 / wall,
      cpuPerAnnounce: ((t1.cpuMs - t0.cpuMs) * 1000) / answered,
      loadCpu: (loadCpu.user + loadCpu.system) / 1000 / (elapsed * 1000),
      relaysPerSecond: relayed / elapsed,
      failures: counts.failures,
      load: LOAD,
      loadAnswered,
      relayP50: quantile(latencies, 0.5),
      relayP99: quantile(latencies, 0.99),
      probes: seq,
      probesLost: seq - latencies.length,
    };
  } finally {
    await tracker.close();
  }
}

interface Capacity {
  tracker: 'plain' | 'ours';
  /** Live heap per (swarm, peer) entry in a swarm that exists anyway, and per swarm. */
  heapPerMembership: number;
  heapPerSwarm: number;
}

/** Live heap per swarm membership and per swarm: 100 sockets × 100 swarms, in swarms of their own and in 100 shared ones. */
async function capacity(kind: 'plain' | 'ours'): Promise<Capacity> {
  const perMembership = [];
  for (const shared of [false, true]) {
    const tracker = await startTrackerProcess({ plain: kind === 'plain', cpu: 0, limits: kind === 'ours' ? { messagesPerSecond: 1e9, burst: 1e9 } : {} });
    try {
      const sockets = await Promise.all(Array.from({ length: 100 }, () => RawSocket.connect(tracker.port)));
      await sleep(300);
      const base = await tracker.measure();
      let replies = 0;
      for (const [i, s] of sockets.entries()) {
        s.onMessage = () => replies++;
        for (let k = 0; k < 100; k++) s.write(announce(id('p', i), id('s', shared ? k : i * 100 + k), 'started'));
      }
      while (replies < 10_000) await sleep(20);
      const m = await tracker.measure();
      if (m.stats.peers !== 10_000) throw new Error(`${kind}: ${m.stats.peers} memberships, not 10000`);
      perMembership.push((m.heapUsed - base.heapUsed) / 10_000);
      for (const s of sockets) s.destroy();
    } finally {
      await tracker.close();
    }
  }
  const [own, shared] = perMembership as [number, number];
  return { tracker: kind, heapPerMembership: shared, heapPerSwarm: own - shared };
}

/** Waits until replies stop coming (the tracker has answered what was sent). */
async function drain(counts: Counts): Promise<void> {
  for (let last = -1; last !== counts.replies + counts.relays;) {
    last = counts.replies + counts.relays;
    await sleep(300);
  }
}

const placement = pin();
console.log(`tracker benchmark: ${PEERS.join(', ')} peers, ${SECONDS} s per phase, relay latency at ${LOAD} announces/s, ${ROUNDS} round(s); ${placement}`);
const all: Row[] = [];
for (let round = 0; round < ROUNDS; round++) {
  for (const n of PEERS) {
    for (const kind of round % 2 === 0 ? KINDS : [...KINDS].reverse()) {
      const row = await run(kind, n);
      all.push(row);
      console.log(
        `${kind.padEnd(5)} ${String(n).padStart(6)} peers: ${Math.round(row.announcesPerSecond)} announces/s (tracker CPU ${(row.trackerCpu * 100).toFixed(0)}%, ` +
          `${row.cpuPerAnnounce.toFixed(1)} µs per announce; load CPU ${(row.loadCpu * 100).toFixed(0)}%), ` +
          `${(row.heapPerPeer / 1024).toFixed(1)} KiB heap + ${(row.rssPerPeer / 1024).toFixed(1)} KiB RSS per peer, ` +
          `relay p50 ${row.relayP50.toFixed(1)} ms p99 ${row.relayP99.toFixed(1)} ms at ${Math.round(row.loadAnswered)}/s` +
          (row.failures ? `, ${row.failures} failures` : '') +
          (row.probesLost ? `, ${row.probesLost} of ${row.probes} probes lost` : ''),
      );
    }
  }
}

const capacities: Capacity[] = [];
for (const kind of KINDS) {
  const c = await capacity(kind);
  capacities.push(c);
  console.log(`${kind.padEnd(5)} ${Math.round(c.heapPerMembership)} B of live heap per further swarm membership, ${Math.round(c.heapPerSwarm)} B per swarm`);
}

/** Per tracker and number of peers, the median of each figure over the rounds. */
const rows = PEERS.flatMap((n) =>
  KINDS.map((kind) => {
    const runs = all.filter((r) => r.tracker === kind && r.peers === n);
    const m = (f: (r: Row) => number): number => median(runs.map(f))!;
    return {
      tracker: kind,
      peers: n,
      rounds: runs.length,
      announcesPerSecond: Math.round(m((r) => r.announcesPerSecond)),
      trackerCpu: Number(m((r) => r.trackerCpu).toFixed(2)),
      cpuPerAnnounce: Number(m((r) => r.cpuPerAnnounce).toFixed(1)),
      heapPerPeer: Math.round(m((r) => r.heapPerPeer)),
      rssPerPeer: Math.round(m((r) => r.rssPerPeer)),
      relayP50: Number(m((r) => r.relayP50).toFixed(1)),
      relayP99: Number(m((r) => r.relayP99).toFixed(1)),
      failures: runs.reduce((a, r) => a + r.failures, 0),
      probesLost: runs.reduce((a, r) => a + r.probesLost, 0),
    };
  }),
);
const kib = (b: number): string => (b / 1024).toFixed(1);
console.log(
  `\n| tracker | peers | announces/s answered | tracker CPU | CPU per announce | announces per core-second | live heap / peer | RSS / peer | relay p50 | relay p99 (at ${LOAD}/s) |`,
);
console.log('|---|---|---|---|---|---|---|---|---|---|');
for (const r of rows) {
  const name = r.tracker === 'plain' ? 'bittorrent-tracker 11.2.3 as shipped' : 'tabswarm (scripts/tracker-server.mjs)';
  console.log(
    `| ${name} | ${r.peers.toLocaleString('en-US')} | ${r.announcesPerSecond.toLocaleString('en-US')} | ${(r.trackerCpu * 100).toFixed(0)}% | ${r.cpuPerAnnounce} µs | ` +
      `${(Math.round(1e6 / r.cpuPerAnnounce / 100) * 100).toLocaleString('en-US')} | ` +
      `${kib(r.heapPerPeer)} KiB | ${kib(r.rssPerPeer)} KiB | ${r.relayP50} ms | ${r.relayP99} ms |`,
  );
}
console.log(
  JSON.stringify({
    bench: 'tracker',
    placement,
    seconds: SECONDS,
    load: LOAD,
    rounds: ROUNDS,
    rows,
    capacity: capacities.map((c) => ({ tracker: c.tracker, heapPerMembership: Math.round(c.heapPerMembership), heapPerSwarm: Math.round(c.heapPerSwarm) })),
  }),
);
if (rows.some((r) => r.failures > 0)) process.exitCode = 1;
