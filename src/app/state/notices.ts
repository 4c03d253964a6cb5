/**
 * Notices: problems told to the person with what to do next. Pure builders from errors and states,
 * so their wording is tested in Node; `<ts-notices>` renders them.
 */
// The same classes the client exports, imported from the core so this module loads in Node without WebRTC.
import { MagnetError, TabswarmError, TorrentError, errorMessage } from '../../core/errors.js';
import { StorageError } from '../../core/session/store.js';

export type NoticeLevel = 'error' | 'warning' | 'info';

/** What a notice's button does; the shell carries it out. */
export type NoticeAction =
  { kind: 'open-settings'; label: string } | { kind: 'resume'; label: string; infoHash: string } | { kind: 'copy-link'; label: string; infoHash: string };

export interface Notice {
  /** Stable for the same problem, so a dismissed notice stays dismissed. */
  id: string;
  level: NoticeLevel;
  title: string;
  /** What happened and the next step, in a sentence or two. */
  message: string;
  action?: NoticeAction;
  dismissible: boolean;
}

/** The error's message as a sentence: capitalised, with a full stop. */
export function sentence(text: string): string {
  const t = text.trim();
  if (!t) return '';
  const capital = t[0]!.toUpperCase() + t.slice(1);
  return /[.!?…]$/.test(capital) ? capital : `${capital}.`;
}

/** Where something to add came from: a pasted or opened link, or a .torrent file. */
export type AddSource = 'link' | 'torrent-file';

/** A link or .torrent file that could not be added. */
export function addErrorNotice(error: unknown, source: AddSource, id = 'add-error'): Notice {
  if (error instanceof MagnetError) {
    return {
      id,
      level: 'error',
      title: 'This link does not work',
      message: `${sentence(error.message)} Check that you copied the whole link, or ask the sender for it again.`,
      dismissible: true,
    };
  }
  if (error instanceof TorrentError) {
    return {
      id,
      level: 'error',
      title: 'This .torrent file cannot be opened',
      message: `${sentence(error.message)} Ask the sender for the file again, or for a share link instead.`,
      dismissible: true,
    };
  }
  if (error instanceof StorageError) return storageNotice(id, 'The download could not start', error);
  const what = source === 'link' ? 'link' : '.torrent file';
  return {
    id,
    level: 'error',
    title: `The ${what} could not be added`,
    message: `${sentence(errorMessage(error))} Try again in a moment; if it keeps failing, reload the page.`,
    dismissible: true,
  };
}

/** Files that could not be shared (hashing or storing them failed). */
export function seedErrorNotice(error: unknown, id = 'seed-error'): Notice {
  if (error instanceof StorageError) return storageNotice(id, 'The files could not be shared', error);
  const detail = error instanceof TabswarmError ? sentence(error.message) : sentence(errorMessage(error));
  // Advice about the files only when the files are what failed: the torrent could not be made of them
  // (a TorrentError), or the browser could not read them (a File read fails with one of these).
  const fileProblem = error instanceof TorrentError || (error instanceof Error && ['NotReadableError', 'NotFoundError'].includes(error.name));
  const advice = fileProblem
    ? 'Check that the files are still there and readable (not empty), then choose them again.'
    : 'Your files are not the cause: reload the page and try again.';
  return { id, level: 'error', title: 'The files could not be shared', message: `${detail} ${advice}`, dismissible: true };
}

function storageNotice(id: string, title: string, error: StorageError): Notice {
  return error.quotaExceeded
    ? {
        id,
        level: 'error',
        title: `${title}: storage is full`,
        message: 'This browser has no room left for this site. Remove torrents you no longer need (and delete their data), or free disk space, then try again.',
        dismissible: true,
      }
    : {
        id,
        level: 'error',
        title,
        message: `${sentence(error.message)} The browser's storage failed; reload the page and try again.`,
        dismissible: true,
      };
}

/** A torrent that stopped on an error (its `lastError`): storage full, or another failure. */
export function torrentErrorNotice(t: { infoHash: string; name: string }, error: Error): Notice {
  const id = `torrent-error:${t.infoHash}`;
  const action: NoticeAction = { kind: 'resume', label: 'Resume', infoHash: t.infoHash };
  if (error instanceof StorageError && error.quotaExceeded) {
    return {
      id,
      level: 'error',
      title: `“${t.name}” stopped: storage is full`,
      message: 'This browser has no room left for this site. Remove torrents you no longer need (and delete their data), or free disk space, then resume.',
      action,
      dismissible: false,
    };
  }
  return {
    id,
    level: 'error',
    title: `“${t.name}” stopped`,
    message: `${sentence(error.message)} Resume to try again.`,
    action,
    dismissible: false,
  };
}

/** A torrent not done that has had no peer for a while. */
export function waitingForPeersNotice(t: { infoHash: string; name: string; hasMetadata: boolean }): Notice {
  return {
    id: `waiting:${t.infoHash}`,
    level: 'info',
    title: `“${t.name}”: waiting for peers`,
    message: t.hasMetadata
      ? 'No one who has this is online right now. Keep this tab open: the download continues as soon as someone with the link opens it.'
      : 'No one who has this is online yet, so its file list is still unknown. Keep this tab open, and ask the sender to keep theirs open too.',
    action: { kind: 'copy-link', label: 'Copy share link', infoHash: t.infoHash },
    dismissible: true,
  };
}

/** No tracker can be reached: new peers cannot find this tab. */
export function trackerNotice(urls: readonly string[]): Notice | undefined {
  if (urls.length === 0) return undefined;
  const which = urls.length === 1 ? `the tracker ${urls[0]}` : `any of the ${urls.length} trackers`;
  return {
    id: 'trackers',
    level: 'warning',
    title: 'No tracker reachable',
    message: `tabswarm cannot reach ${which}, so no new peer can find this tab (it keeps retrying). Check your connection, or set another tracker in Settings.`,
    action: { kind: 'open-settings', label: 'Open settings' },
    dismissible: true,
  };
}

/** The browser has no WebRTC: nothing can be shared or downloaded. */
export function noWebRtcNotice(): Notice {
  return {
    id: 'no-webrtc',
    level: 'error',
    title: 'This browser cannot connect to peers',
    message:
      'tabswarm moves files directly between browsers over WebRTC, which this browser does not offer (or has turned off). Open this page in a current Firefox, Chrome, Edge or Safari to share or download.',
    dismissible: false,
  };
}

/**
 * IndexedDB cannot be used here (a private window, or site data blocked): downloads and shared files
 * live in this tab's memory and are gone after a reload. `reason` is the client's (StorageStatus).
 */
export function memoryStorageNotice(reason: string): Notice {
  return {
    id: 'storage-memory',
    level: 'warning',
    title: 'Downloads will not survive a reload',
    message: `${sentence(reason)} Save what you download before you close or reload this tab. In a private window this is expected; in a normal one, allow this site to store data.`,
    dismissible: true,
  };
}

/** The client could not be started (its storage could not be opened, say). */
export function startErrorNotice(error: unknown): Notice {
  return {
    id: 'start-error',
    level: 'error',
    title: 'tabswarm could not start',
    message: `${sentence(errorMessage(error))} Reload the page; in a private window, storage may be unavailable.`,
    dismissible: true,
  };
}
