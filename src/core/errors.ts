/**
 * Typed errors of the core. Every function that parses untrusted input throws only
 * subclasses of {@link TabswarmError}, with a message a person can act on.
 */
export class TabswarmError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** Malformed bencode. `offset` is the byte offset of what was rejected. */
export class BencodeError extends TabswarmError {
  readonly offset: number;
  constructor(message: string, offset: number) {
    super(`${message} (at byte ${offset})`);
    this.offset = offset;
  }
}

/** A .torrent file (or an info dictionary) that is malformed or inconsistent. */
export class TorrentError extends TabswarmError {}

/** A magnet link that is malformed. */
export class MagnetError extends TabswarmError {}

/** What a caught value says: an Error's message, anything else as a string. */
export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
