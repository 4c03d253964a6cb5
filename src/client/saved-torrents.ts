/**
 * The client's torrent list as its records keep it across reloads (see ClientEnvironment.records):
 * each torrent saved as a record, the list read back at start, a removed torrent's record deleted.
 */
import { parseMagnet } from '../core/magnet.js';
import { errorMessage } from '../core/errors.js';
import { toBase64Url } from '../core/bytes.js';
import type { TorrentRecord } from '../store/torrent-records.js';
import type { Torrent } from './torrent.js';

/** Where the records are kept (see ClientEnvironment.records). */
export interface TorrentRecords {
  save(record: TorrentRecord): Promise<void>;
  load(warn: (message: string) => void): Promise<TorrentRecord[]>;
  delete(infoHash: string): Promise<void>;
}

export class SavedTorrents {
  /**
   * @param records absent: nothing is remembered
   * @param kept false while storage is memory (after a fallback): the list is then neither saved nor read
   */
  constructor(
    private readonly records: TorrentRecords | undefined,
    private readonly kept: () => boolean,
    private readonly warn: (message: string, torrent?: Torrent) => void,
  ) {}

  /** Saves a torrent's record; a failure is a warning. */
  async save(t: Torrent, addedAt: number, seeding: boolean): Promise<void> {
    if (!this.records || !this.kept()) return;
    try {
      await this.records.save({
        infoHash: t.infoHash,
        name: t.name,
        infoBytes: t.metainfo?.infoBytes,
        magnetURI: t.magnetURI,
        announce: t.announce,
        urlList: t.urlList,
        paused: t.paused,
        addedAt,
        seeding,
        selection: t.selection,
        // A private share's key stays in this browser (it is what the link holder needs after a reload).
        ...(t.secret ? { secret: toBase64Url(t.secret) } : {}),
      });
    } catch (e) {
      this.warn(`could not save the torrent list: ${errorMessage(e)}`, t);
    }
  }

  /** The saved records; none without storage, or when they cannot be read (a warning). */
  async load(): Promise<TorrentRecord[]> {
    // Without storage there is no list to read (and reading it would fail, or wait forever).
    if (!this.records || !this.kept()) return [];
    try {
      return await this.records.load((m) => this.warn(m));
    } catch (e) {
      this.warn(`could not read the saved torrents: ${errorMessage(e)}`);
      return [];
    }
  }

  /** The saved record of one torrent, if there is one (records that cannot be read are passed over quietly). */
  async find(infoHash: string): Promise<TorrentRecord | undefined> {
    if (!this.records || !this.kept()) return undefined;
    const all = await this.records.load(() => undefined);
    return all.find((r) => r.infoHash === infoHash);
  }

  async delete(infoHash: string): Promise<void> {
    await this.records?.delete(infoHash);
  }
}

/** A saved magnet link's SHA-256 info hash (v2-only: its swarm's hash is the truncated one), if it has one. */
export function v2HashOf(magnetURI: string): string | undefined {
  try {
    return parseMagnet(magnetURI).infoHashV2;
  } catch {
    return undefined;
  }
}

/** The exact sources (`xs=`) of a saved magnet link: a magnet link still without metadata keeps them there. */
export function exactSourceOf(magnetURI: string): string[] {
  try {
    return parseMagnet(magnetURI).exactSource;
  } catch {
    return [];
  }
}
