/**
 * The app's custom events: typed, prefixed `ts-`, bubbling and composed (they leave shadow roots),
 * handled by `<tabswarm-app>` (but for the preview's, which only change what a torrent card shows).
 * Components never change the client themselves.
 */
import type { Torrent } from '../client/index.js';
import type { PickedFile } from './drop.js';
import type { Notice } from './state/notices.js';
import type { Settings } from './state/settings.js';

export interface AppEventDetails {
  /** Share these files. */
  'ts-seed': { files: PickedFile[] };
  /** Add a magnet link (or share link) or a .torrent file's bytes. */
  'ts-add': { source: string | Uint8Array; from: 'link' | 'torrent-file' };
  /** Files dropped on the page (the shell decides: one .torrent is added, anything else shared). */
  'ts-drop': { files: PickedFile[] };
  'ts-pause': { torrent: Torrent };
  'ts-resume': { torrent: Torrent };
  /** Asks to remove (the shell confirms with a dialog). */
  'ts-remove': { torrent: Torrent };
  'ts-remove-confirm': { torrent: Torrent; deleteData: boolean };
  'ts-select-file': { torrent: Torrent; index: number; selected: boolean };
  /** Show file `index` in the page (play it, view it) while it downloads; handled by its torrent card. */
  'ts-preview': { torrent: Torrent; index: number };
  /** Close the file shown. */
  'ts-preview-close': Record<string, never>;
  /** Save one file (`index`) or all of them; dispatched from the click, so the picker may open. */
  'ts-save': { torrent: Torrent; index?: number };
  'ts-settings-save': { settings: Settings };
  'ts-open-settings': Record<string, never>;
  'ts-notice-action': { notice: Notice };
  'ts-notice-dismiss': { id: string };
  /** Files shared from now on become private shares (end-to-end encrypted), or not. */
  'ts-share-private': { private: boolean };
  /** A message for the screen-reader status region ("Link copied"). */
  'ts-announce': { message: string };
}

export type AppEventName = keyof AppEventDetails;

export function emit<K extends AppEventName>(from: EventTarget, type: K, detail: AppEventDetails[K]): void {
  from.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true }));
}

declare global {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type -- it merges the events into the global map, which only an interface can do
  interface HTMLElementEventMap extends Readonly<{ [K in AppEventName]: CustomEvent<AppEventDetails[K]> }> {}
}
