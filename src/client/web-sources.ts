/**
 * A torrent's HTTP sources: its web seeds (BEP 19), connected as backup peers, and its exact
 * sources (a magnet link's `xs=`), .torrent files fetched while the metadata is unknown.
 */
import { parseTorrent, type Metainfo } from '../core/metainfo.js';
import { errorMessage } from '../core/errors.js';
import type { TorrentSession } from '../core/session/session.js';
import { WebSeedChannel, type RangeFetcher } from '../core/webseed.js';
import { webSeedPeerId } from './webseed-http.js';

export interface WebSourcesInit {
  infoHash: string;
  /** The torrent's web seeds; those of a fetched .torrent file are added to it. */
  urlList: string[];
  exactSource: readonly string[];
  /** HTTP for web seeds; absent: the web seeds are not used. */
  fetchRange?: RangeFetcher;
  /** HTTP for .torrent files; absent: the exact sources are not fetched. */
  fetchTorrentFile?: (url: string) => Promise<Uint8Array>;
  warn(message: string): void;
}

export class WebSources {
  /** Web seeds that failed (HTTP errors): not tried again while the page lives. */
  private readonly failedWebSeeds = new Set<string>();

  constructor(private readonly o: WebSourcesInit) {}

  /** Connects the web seeds not connected yet (nor failed) to `session` as backup peers, unless it is done. */
  addWebSeeds(session: Pick<TorrentSession, 'done' | 'hasPeer' | 'addPeer'>, metainfo: Metainfo): void {
    const fetch = this.o.fetchRange;
    if (!fetch || session.done) return;
    for (const url of this.o.urlList) {
      const id = `webseed ${url}`;
      if (this.failedWebSeeds.has(url) || session.hasPeer(id)) continue;
      const channel = new WebSeedChannel({
        url,
        metainfo,
        fetch,
        peerId: webSeedPeerId(url),
        onError: (e) => {
          this.failedWebSeeds.add(url);
          this.o.warn(e.message);
        },
      });
      session.addPeer(channel, id, { backup: true });
    }
  }

  /**
   * Fetches the .torrent file from each exact source (`xs=`) in turn until one holds this torrent,
   * and gives its metadata to `session`; its web seeds (`url-list`) join the magnet link's. So a
   * magnet link with `xs=` and `ws=` downloads from a web server when no peer is online (metadata
   * comes only from peers otherwise). A source that fails or holds another torrent is a warning.
   * Stops as soon as `moot` says the metadata is no longer wanted from here.
   */
  async fetchMetadata(session: Pick<TorrentSession, 'provideMetadata'>, moot: () => boolean): Promise<void> {
    const fetchFile = this.o.fetchTorrentFile;
    if (!fetchFile) return;
    for (const url of this.o.exactSource) {
      if (moot()) return;
      if (!/^https?:\/\//i.test(url)) {
        this.o.warn(`the exact source ${url} is not an http(s) URL; ignored`);
        continue;
      }
      try {
        const metainfo = await parseTorrent(await fetchFile(url));
        if (metainfo.infoHash !== this.o.infoHash) {
          this.o.warn(`the .torrent file at ${url} (exact source) is of another torrent (${metainfo.infoHash}); ignored`);
          continue;
        }
        if (moot()) return;
        for (const ws of metainfo.urlList) if (!this.o.urlList.includes(ws)) this.o.urlList.push(ws);
        await session.provideMetadata(metainfo.infoBytes);
        return;
      } catch (e) {
        this.o.warn(`could not use the exact source ${url}: ${errorMessage(e)}`);
      }
    }
  }
}
