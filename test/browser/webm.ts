/**
 * Makes a WebM recorded by MediaRecorder seekable by byte ranges. Chromium writes a live stream:
 * unknown-size segment and clusters, no duration, no Cues, so a player can only seek by reading
 * forward. This adds the Duration to the segment's Info and a Cues element before the first cluster
 * (one cue per cluster that starts with a key frame; record with `videoKeyFrameIntervalDuration` to
 * get one every second), so that a player seeks by asking for the target cluster's bytes. The
 * clusters themselves are copied unchanged.
 */
import type { Page } from 'playwright-core';
import { concatBytes } from '../../src/core/bytes.js';

const ID = {
  ebml: 0x1a45dfa3,
  segment: 0x18538067,
  info: 0x1549a966,
  timecodeScale: 0x2ad7b1,
  duration: 0x4489,
  cluster: 0x1f43b675,
  timecode: 0xe7,
  simpleBlock: 0xa3,
  blockGroup: 0xa0,
  block: 0xa1,
  referenceBlock: 0xfb,
  cues: 0x1c53bb6b,
  cuePoint: 0xbb,
  cueTime: 0xb3,
  cueTrackPositions: 0xb7,
  cueTrack: 0xf7,
  cueClusterPosition: 0xf1,
} as const;

interface Header {
  id: number;
  /** Undefined: unknown size (the element runs to the end of its parent). */
  size: number | undefined;
  /** Where its data starts. */
  data: number;
}

function readHeader(b: Uint8Array, at: number): Header {
  const first = b[at]!;
  let idLength = 1;
  while (idLength <= 4 && !(first & (0x80 >> (idLength - 1)))) idLength++;
  let id = 0;
  for (let i = 0; i < idLength; i++) id = id * 256 + b[at + i]!;
  const s = at + idLength;
  const lead = b[s]!;
  let sizeLength = 1;
  while (sizeLength <= 8 && !(lead & (0x80 >> (sizeLength - 1)))) sizeLength++;
  if (sizeLength > 8) throw new Error(`bad EBML size at ${s}`);
  let size = lead & (0xff >> sizeLength);
  let allOnes = size === 0xff >> sizeLength;
  for (let i = 1; i < sizeLength; i++) {
    size = size * 256 + b[s + i]!;
    allOnes &&= b[s + i] === 0xff;
  }
  return { id, size: allOnes ? undefined : size, data: s + sizeLength };
}

function readUint(b: Uint8Array, at: number, length: number): number {
  let v = 0;
  for (let i = 0; i < length; i++) v = v * 256 + b[at + i]!;
  return v;
}

function idBytes(id: number): number[] {
  const out: number[] = [];
  for (let v = id; v > 0; v = Math.floor(v / 256)) out.unshift(v & 0xff);
  return out;
}

/** An element with an 8-byte size, so that its length does not depend on its value. */
function element(id: number, payload: Uint8Array | number[]): Uint8Array {
  const body = payload instanceof Uint8Array ? payload : Uint8Array.from(payload);
  const size = [0x01, 0, 0, 0, 0, 0, 0, 0];
  for (let i = 7, v = body.length; i >= 1; i--, v = Math.floor(v / 256)) size[i] = v & 0xff;
  return concatBytes([Uint8Array.from(idBytes(id)), Uint8Array.from(size), body]);
}

function uint64(v: number): number[] {
  const out = new Array<number>(8).fill(0);
  for (let i = 7, x = v; i >= 0; i--, x = Math.floor(x / 256)) out[i] = x & 0xff;
  return out;
}

export interface SeekableWebm {
  bytes: Uint8Array;
  /** Seconds. */
  duration: number;
  /** Cue points written (key-frame clusters). */
  cues: number;
}

interface Layout {
  /** Where the Segment element starts (after the EBML header). */
  segmentAt: number;
  /** Where its content ends. */
  end: number;
  /** The Info's children but Duration; the segment's other elements before the first cluster but Cues. */
  infoChildren: Uint8Array[];
  others: Uint8Array[];
  scale: number;
  firstCluster: number;
  /** Each cluster: where it starts, where its Timecode element lies, its time, whether its first block is a key frame. */
  clusters: { at: number; timecode: [number, number]; time: number; key: boolean }[];
  /** The last block's time (ticks). */
  lastTime: number;
}

function layout(webm: Uint8Array): Layout {
  const ebml = readHeader(webm, 0);
  if (ebml.id !== ID.ebml || ebml.size === undefined) throw new Error('not a WebM: no EBML header');
  const segmentAt = ebml.data + ebml.size;
  const segment = readHeader(webm, segmentAt);
  if (segment.id !== ID.segment) throw new Error('not a WebM: no Segment');
  const end = segment.size === undefined ? webm.length : segment.data + segment.size;

  // The segment's head (everything before the first cluster), with Info's children kept apart.
  let at = segment.data;
  let infoChildren: Uint8Array[] | undefined;
  let scale = 1_000_000;
  const others: Uint8Array[] = [];
  let firstCluster = -1;
  while (at < end) {
    const h = readHeader(webm, at);
    if (h.id === ID.cluster) {
      firstCluster = at;
      break;
    }
    if (h.size === undefined) throw new Error('an unknown-size element before the first cluster');
    const next = h.data + h.size;
    if (h.id === ID.info) {
      infoChildren = [];
      for (let c = h.data; c < next;) {
        const ch = readHeader(webm, c);
        const chEnd = ch.data + ch.size!;
        if (ch.id === ID.timecodeScale) scale = readUint(webm, ch.data, ch.size!);
        if (ch.id !== ID.duration) infoChildren.push(webm.subarray(c, chEnd));
        c = chEnd;
      }
    } else if (h.id !== ID.cues) {
      others.push(webm.subarray(at, next));
    }
    at = next;
  }
  if (!infoChildren || firstCluster < 0) throw new Error('not a WebM: no Info or no cluster');

  const clusters: Layout['clusters'] = [];
  let current: { at: number; timecode: [number, number]; time: number; key: boolean; blocks: number } | undefined;
  let lastTime = 0;
  /** A block (or simple block) at `blockAt`: track number (a vint), 16-bit signed relative time, flags. */
  const onBlock = (blockAt: number, key: ((flags: number) => boolean) | boolean) => {
    if (!current) return;
    const lead = webm[blockAt]!;
    let n = 1;
    while (n < 8 && !(lead & (0x80 >> (n - 1)))) n++;
    const p = blockAt + n;
    const relative = (((webm[p]! << 8) | webm[p + 1]!) << 16) >> 16;
    lastTime = Math.max(lastTime, current.time + relative);
    if (current.blocks++ === 0) current.key = typeof key === 'boolean' ? key : key(webm[p + 2]!);
  };
  for (at = firstCluster; at < end;) {
    const h = readHeader(webm, at);
    if (h.id === ID.cluster) {
      current = { at, timecode: [h.data, h.data], time: 0, key: false, blocks: 0 };
      clusters.push(current);
      at = h.data; // into the cluster: its children follow (its end is the next cluster when its size is unknown)
      continue;
    }
    if (h.size === undefined) throw new Error(`an unknown-size element 0x${h.id.toString(16)} inside a cluster`);
    if (h.id === ID.timecode && current) {
      current.time = readUint(webm, h.data, h.size);
      current.timecode = [at, h.data + h.size];
    }
    if (h.id === ID.simpleBlock) onBlock(h.data, (flags) => (flags & 0x80) !== 0);
    if (h.id === ID.blockGroup) {
      let block = -1;
      let referenced = false;
      for (let c = h.data; c < h.data + h.size;) {
        const ch = readHeader(webm, c);
        if (ch.id === ID.block) block = ch.data;
        if (ch.id === ID.referenceBlock) referenced = true;
        c = ch.data + ch.size!;
      }
      if (block >= 0) onBlock(block, !referenced);
    }
    at = h.data + h.size;
  }
  return { segmentAt, end, infoChildren, others, scale, firstCluster, clusters, lastTime };
}

/**
 * A longer live WebM: the clusters of `webm` (as MediaRecorder writes it: unknown-size clusters)
 * played again and again, each copy's cluster times shifted past the previous copy, until the
 * result holds at least `minBytes`. Give the result to {@link makeSeekable}.
 */
export function loopWebm(webm: Uint8Array, minBytes: number): Uint8Array {
  const { end, firstCluster, clusters, lastTime, scale } = layout(webm);
  if (clusters.some((c) => readHeader(webm, c.at).size !== undefined)) throw new Error('clusters of a known size cannot be re-timed here');
  if (!clusters[0]?.key) throw new Error('the first cluster does not start with a key frame');
  const period = lastTime + Math.round(33_000_000 / scale);
  const head = webm.subarray(0, firstCluster);
  const parts: Uint8Array[] = [head];
  let total = head.length;
  for (let copy = 0; total < minBytes; copy++) {
    for (let i = 0; i < clusters.length; i++) {
      const c = clusters[i]!;
      const next = clusters[i + 1]?.at ?? end;
      const piece = concatBytes([webm.subarray(c.at, c.timecode[0]), element(ID.timecode, uint64(c.time + copy * period)), webm.subarray(c.timecode[1], next)]);
      parts.push(piece);
      total += piece.length;
    }
  }
  return concatBytes(parts);
}

export function makeSeekable(webm: Uint8Array): SeekableWebm {
  const { segmentAt, end, infoChildren, others, scale, firstCluster, clusters, lastTime } = layout(webm);
  const durationTicks = lastTime + Math.round(33_000_000 / scale); // plus about one frame
  const durationBytes = new Uint8Array(8);
  new DataView(durationBytes.buffer).setFloat64(0, durationTicks);
  const info = element(ID.info, concatBytes([...infoChildren, element(ID.duration, durationBytes)]));
  const head = concatBytes(others);
  const keyed = clusters.filter((c) => c.key);
  const cuePoint = (time: number, position: number) =>
    element(
      ID.cuePoint,
      concatBytes([
        element(ID.cueTime, uint64(time)),
        element(ID.cueTrackPositions, concatBytes([element(ID.cueTrack, uint64(1)), element(ID.cueClusterPosition, uint64(position))])),
      ]),
    );
  // Every cue point has the same length, so the Cues' length is known before the positions are.
  const cuesLength = element(ID.cues, concatBytes(keyed.map(() => cuePoint(0, 0)))).length;
  const shift = info.length + head.length + cuesLength;
  const cues = element(ID.cues, concatBytes(keyed.map((c) => cuePoint(c.time, shift + (c.at - firstCluster)))));
  const segmentHead = Uint8Array.from([...idBytes(ID.segment), 0x01, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]); // unknown size
  const bytes = concatBytes([webm.subarray(0, segmentAt), segmentHead, info, head, cues, webm.subarray(firstCluster, end)]);
  return { bytes, duration: (durationTicks * scale) / 1e9, cues: keyed.length };
}

/**
 * Records `seconds` of a canvas animation (moving shapes over noise, a key frame every second)
 * with MediaRecorder in the page: a WebM of a few MB per second, nothing downloaded.
 */
export async function recordWebm(page: Page, seconds: number): Promise<Uint8Array> {
  const base64 = await page.evaluate(async (seconds) => {
    const canvas = document.createElement('canvas');
    canvas.width = 640;
    canvas.height = 360;
    const g = canvas.getContext('2d')!;
    const recorder = new MediaRecorder(canvas.captureStream(30), {
      mimeType: 'video/webm;codecs=vp8',
      videoBitsPerSecond: 6_000_000,
      videoKeyFrameIntervalDuration: 1000,
    } as MediaRecorderOptions);
    const chunks: Blob[] = [];
    recorder.ondataavailable = (e) => chunks.push(e.data);
    let frame = 0;
    let running = true;
    let x = 12345;
    const random = () => (x = (x * 1103515245 + 12345) >>> 0) / 2 ** 32;
    const draw = () => {
      if (!running) return;
      frame++;
      g.fillStyle = `hsl(${(frame * 7) % 360} 70% 45%)`;
      g.fillRect(0, 0, 640, 360);
      for (let i = 0; i < 600; i++) {
        g.fillStyle = `rgb(${random() * 255} ${random() * 255} ${random() * 255})`;
        g.fillRect(random() * 640, random() * 360, 12, 12);
      }
      g.fillStyle = '#fff';
      g.fillRect((frame * 9) % 640, 150, 60, 60);
      requestAnimationFrame(draw);
    };
    draw();
    recorder.start(1000);
    await new Promise((r) => setTimeout(r, seconds * 1000));
    running = false;
    await new Promise((r) => {
      recorder.onstop = r;
      recorder.stop();
    });
    const url = await new Promise<string>((resolve) => {
      const reader = new FileReader();
      reader.onload = () => resolve(reader.result as string);
      reader.readAsDataURL(new Blob(chunks, { type: 'video/webm' }));
    });
    return url.slice(url.indexOf(',') + 1);
  }, seconds);
  return Uint8Array.from(Buffer.from(base64, 'base64'));
}
