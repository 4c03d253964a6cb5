/**
 * The phases of a torrent's download that its session reports by event, marked on its timeline
 * (core/session/timeline.ts): the first peer connected, the metadata, the first verified piece, done.
 */
import type { TorrentSession } from '../core/session/session.js';
import type { Timeline } from '../core/session/timeline.js';

export function markSessionPhases(timeline: Timeline, session: TorrentSession): void {
  if (session.metainfo) timeline.mark('metadata');
  session.on('metadata', () => timeline.mark('metadata'));
  session.on('peer', (p) => {
    if (p.event === 'connected') timeline.mark('peer');
  });
  session.on('piece', () => timeline.mark('piece'));
  session.on('done', () => timeline.mark('done'));
}
