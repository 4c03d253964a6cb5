/** Classifying IndexedDB failures (plain Node: DOMException exists there too). */
import { describe, expect, it } from 'vitest';
import { StorageError } from '../../../src/core/session/store.js';
import { describeError, isQuotaError, toStorageError } from '../../../src/store/errors.js';

describe('store errors', () => {
  it('recognises quota errors, also wrapped', () => {
    const quota = new DOMException('The quota has been exceeded.', 'QuotaExceededError');
    expect(isQuotaError(quota)).toBe(true);
    expect(isQuotaError(new Error('write failed', { cause: quota }))).toBe(true);
    expect(isQuotaError({ name: 'AbortError', error: { inner: quota } })).toBe(true);
    expect(isQuotaError({ name: 'NS_ERROR_DOM_QUOTA_REACHED' })).toBe(true);
    expect(isQuotaError(new DOMException('Disk is full', 'UnknownError'))).toBe(true);
    expect(isQuotaError(new StorageError('full', true))).toBe(true);
  });

  it('does not take other failures for quota errors, and survives cycles', () => {
    expect(isQuotaError(new DOMException('Internal error.', 'UnknownError'))).toBe(false);
    expect(isQuotaError(null)).toBe(false);
    expect(isQuotaError('QuotaExceededError')).toBe(false);
    const cyclic: { name: string; cause?: unknown } = { name: 'AbortError' };
    cyclic.cause = { cause: cyclic };
    expect(isQuotaError(cyclic)).toBe(false);
  });

  it('wraps failures in a StorageError that keeps the original as cause', () => {
    const quota = new DOMException('The quota has been exceeded.', 'QuotaExceededError');
    const full = toStorageError(quota, 'store piece 3');
    expect(full).toBeInstanceOf(StorageError);
    expect(full.quotaExceeded).toBe(true);
    expect(full.message).toMatch(/^could not store piece 3: .*quota/);
    expect(full.cause).toBe(quota);
    const other = toStorageError(null, 'list pieces');
    expect(other.quotaExceeded).toBe(false);
    expect(other.message).toMatch(/the transaction was aborted/);
    expect(toStorageError(full, 'anything')).toBe(full);
    expect(describeError(new TypeError('boom'))).toBe('TypeError: boom');
  });
});
