import { describe, expect, it } from 'vitest';
import { DEFAULT_PIPELINE, pipelineDepth } from '../../../src/core/picker/index.js';

describe('pipelineDepth', () => {
  it('keeps at least the minimum for a new, idle or unmeasurable peer', () => {
    expect(pipelineDepth(0)).toBe(2);
    expect(pipelineDepth(-5)).toBe(2);
    expect(pipelineDepth(Number.NaN)).toBe(2);
    expect(pipelineDepth(1000)).toBe(2);
  });

  it('covers rate × (latency + target) in blocks', () => {
    expect(pipelineDepth(16384 * 10)).toBe(10);
    expect(pipelineDepth(1_000_000)).toBe(Math.ceil(1_000_000 / 16384));
    expect(pipelineDepth(16384 * 10, 0.5)).toBe(15);
    expect(pipelineDepth(16384 * 10, { latency: 1, targetSeconds: 2 })).toBe(30);
  });

  it('caps at a modest default, configurable', () => {
    expect(DEFAULT_PIPELINE.max).toBe(64);
    expect(pipelineDepth(100_000_000)).toBe(64);
    expect(pipelineDepth(100_000_000, { max: 250 })).toBe(250);
    expect(pipelineDepth(0, { min: 5, max: 3 })).toBe(5);
    expect(pipelineDepth(Infinity)).toBe(64);
    // An unset option passed through as undefined keeps the default.
    const unset: number | undefined = undefined;
    expect(pipelineDepth(100_000_000, { max: unset })).toBe(64);
  });
});
