import { BLOCK_SIZE } from '../geometry.js';

/**
 * How many block requests to keep outstanding at a peer. Enough to cover the bandwidth-delay
 * product, so the peer never idles waiting for our next request: its measured rate times (the
 * round trip + a target queue time), in blocks. Clamped: at least `min` (a new or slow peer still
 * gets a pipeline), at most `max`. The cap stays modest because WebTorrent (like most clients)
 * limits how many requests it queues per peer and drops or ignores the excess; raise it only for
 * peers that advertise a larger BEP 10 `reqq`.
 */
export interface PipelineOptions {
  /** Round-trip time to the peer, seconds. */
  readonly latency: number;
  /** Seconds of data to keep queued beyond one round trip. */
  readonly targetSeconds: number;
  readonly min: number;
  readonly max: number;
  readonly blockSize: number;
}

export const DEFAULT_PIPELINE: PipelineOptions = { latency: 0, targetSeconds: 1, min: 2, max: 64, blockSize: BLOCK_SIZE };

/** Requests to keep outstanding at a peer that sends us `bytesPerSecond`; the second argument is the latency in seconds or options. */
export function pipelineDepth(bytesPerSecond: number, options: number | Partial<PipelineOptions> = {}): number {
  const given: Partial<PipelineOptions> = typeof options === 'number' ? { latency: options } : options;
  // Fields passed as undefined (e.g. `{ max: config.maxPipeline }` when unset) keep their defaults.
  const o: PipelineOptions = {
    latency: given.latency ?? DEFAULT_PIPELINE.latency,
    targetSeconds: given.targetSeconds ?? DEFAULT_PIPELINE.targetSeconds,
    min: given.min ?? DEFAULT_PIPELINE.min,
    max: given.max ?? DEFAULT_PIPELINE.max,
    blockSize: given.blockSize ?? DEFAULT_PIPELINE.blockSize,
  };
  const min = Math.max(1, Math.floor(o.min));
  const max = Math.max(min, Math.floor(o.max));
  const rate = bytesPerSecond > 0 ? bytesPerSecond : 0; // NaN and negatives: unknown
  const latency = Number.isFinite(o.latency) && o.latency > 0 ? o.latency : 0;
  const depth = Math.ceil((rate * (latency + o.targetSeconds)) / o.blockSize);
  return Math.min(max, Math.max(min, depth));
}
