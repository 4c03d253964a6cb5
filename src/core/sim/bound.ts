/**
 * The lower bound on the time for every peer of a swarm to finish (the fluid model of Kumar and
 * Ross): the seeder must upload the file at least once, the swarm must upload N copies with all its
 * upload capacity together, and the slowest downloader must take the whole file in.
 */
export interface SwarmCapacity {
  /** File size, bytes. */
  fileSize: number;
  /** Seeder upload, bytes/s. */
  seederUpload: number;
  /** Each leecher's upload, bytes/s. */
  peerUploads: readonly number[];
  /** Each leecher's download, bytes/s. */
  peerDownloads: readonly number[];
}

/** Seconds. */
export function completionLowerBound(c: SwarmCapacity): number {
  const n = c.peerUploads.length;
  const totalUpload = c.seederUpload + c.peerUploads.reduce((a, b) => a + b, 0);
  const dMin = Math.min(...c.peerDownloads);
  return Math.max(c.fileSize / c.seederUpload, (n * c.fileSize) / totalUpload, c.fileSize / dMin);
}
