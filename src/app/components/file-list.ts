import { LitElement, css, html, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { flow } from '@lit-labs/virtualizer/layouts/flow.js';
import { virtualize } from '@lit-labs/virtualizer/virtualize.js';
import type { Torrent, TorrentFile } from '../../client/index.js';
import { emit } from '../events.js';
import { formatBytes, formatPercent } from '../../shared/format.js';
import { icons } from '../icons.js';
import { isComplete } from '../save-torrent.js';
import { blobPreviewable } from '../blob-preview.js';
import { previewKindOf } from '../../sw/http.js';
import { pathInTorrent } from '../state/torrent-status.js';
import { controls } from '../styles.js';

/**
 * Lists shorter than this are rendered whole: every row is in the page, for find-in-page, a screen
 * reader's browse mode and full-page captures. Longer ones are rendered virtually.
 */
export const VIRTUAL_FROM = 200;

/** Rows one under the other, each as tall as its content (a long path wraps on a phone). */
const LAYOUT = flow();

/**
 * The files of one torrent: a checkbox to download it or not, its size and progress, a button to
 * play or view it in the page (media, images, PDFs, text; at once, while it downloads) when files
 * can be streamed here, and a save button once it is complete.
 *
 * A list of VIRTUAL_FROM files or more is virtual (@lit-labs/virtualizer): only the rows in view and a
 * screenful around them are in the page, so a torrent of 100,000 files costs what one of a few dozen
 * does, on every refresh. Such a list scrolls within its own box; each row says which of how many it is.
 *
 * @fires ts-select-file - `{ torrent, index, selected }`
 * @fires ts-preview - `{ torrent, index }`
 * @fires ts-save - `{ torrent, index }`
 */
/** Per torrent, whether any file can be shown once complete (worked out once: a torrent may have 100,000 files). */
const playable = new WeakMap<Torrent, boolean>();

@customElement('ts-file-list')
export class TsFileList extends LitElement {
  static override styles = [
    controls,
    css`
      :host {
        display: block;
      }
      .scroll {
        max-height: min(32rem, 70vh);
        overflow-y: auto;
      }
      ul {
        list-style: none;
        margin: 0;
        padding: 0;
      }
      li {
        width: 100%;
        display: flex;
        flex-wrap: wrap;
        align-items: center;
        gap: 0.35rem 0.75rem;
        padding: 0.5rem 0;
        border-bottom: 1px solid var(--ts-border);
      }
      li.last {
        border-bottom: 0;
      }
      label {
        display: flex;
        align-items: center;
        gap: 0.6rem;
        flex: 1 1 12rem;
        min-width: 0;
        cursor: pointer;
      }
      input[type='checkbox'] {
        flex: none;
      }
      .path {
        overflow-wrap: anywhere;
        font-size: 0.9375rem;
      }
      .meta {
        display: flex;
        flex-wrap: wrap;
        justify-content: flex-end;
        align-items: center;
        gap: 0.5rem 0.75rem;
        margin-left: auto;
        font-size: 0.875rem;
        font-variant-numeric: tabular-nums;
      }
      .bar {
        width: 4rem;
        height: 0.4rem;
        border-radius: 1rem;
        background: var(--ts-piece-missing);
        overflow: hidden;
      }
      .bar span {
        display: block;
        height: 100%;
        background: var(--ts-piece-verified);
      }
      .pct {
        min-width: 3.2rem;
        text-align: right;
      }
      button {
        min-height: 2.25rem;
        padding: 0.35rem 0.7rem;
      }
      p {
        margin: 0;
        font-size: 0.875rem;
      }
    `,
  ];

  @property({ attribute: false }) torrent: Torrent | undefined;
  /** Changes on every refresh, so the numbers are read again. */
  @property({ type: Number }) revision = 0;
  /** Files can be played while they download (a service worker serves them). */
  @property({ type: Boolean }) streamable = false;
  /** The file the card itself offers to play (its row has no Play button of its own). */
  @property({ attribute: false }) lead: number | undefined;

  override render() {
    const t = this.torrent;
    if (!t) return html``;
    if (!t.metainfo) return html`<p class="muted">The file list comes with the metadata, from the first peer.</p>`;
    const files = t.files;
    const row = (f: TorrentFile) => this.renderFile(t, f, files.length);
    // Two templates, so that the virtualizer's styles on its list never stay on a whole one.
    return html`${this.renderWholeOnlyNote(files)}${
      files.length < VIRTUAL_FROM
        ? html`<ul aria-label="Files">
            ${files.map(row)}
          </ul>`
        : html`<div class="scroll">
            <ul aria-label="Files">
              ${virtualize({ items: files, layout: LAYOUT, keyFunction: (f: TorrentFile) => f.index, renderItem: row })}
            </ul>
          </div>`
    }`;
  }

  /** Without a service worker (not a secure context), one line says what playing can do here. */
  private renderWholeOnlyNote(files: readonly TorrentFile[]) {
    if (this.streamable || !this.torrent) return nothing;
    let any = playable.get(this.torrent);
    if (any === undefined) playable.set(this.torrent, (any = files.some((f) => blobPreviewable(f.name))));
    if (!any) return nothing;
    return html`<p class="muted whole-only">
      Files play here once complete: playing while they download needs a secure page (https, or this computer's own address).
    </p>`;
  }

  /** One row: called for the rows in view only. */
  private renderFile(t: Torrent, f: TorrentFile, count: number) {
    const i = f.index;
    const progress = f.progress;
    const complete = isComplete(f);
    const path = pathInTorrent(f.path, t.name);
    return html`<li class=${i === count - 1 ? 'last' : ''} aria-setsize=${count} aria-posinset=${i + 1}>
      <label>
        <input
          type="checkbox"
          .checked=${f.selected}
          ?disabled=${count < 2 || t.secret !== undefined}
          title=${t.secret ? 'A private share is downloaded whole' : ''}
          @change=${(e: Event) => emit(this, 'ts-select-file', { torrent: t, index: i, selected: (e.target as HTMLInputElement).checked })}
        />
        <span class="path"><span class="visually-hidden">Download </span>${path}</span>
      </label>
      <span class="meta">
        <span class="muted">${formatBytes(f.length)}</span>
        <span class="bar" role="progressbar" aria-label=${`${path} progress`} aria-valuemin="0" aria-valuemax="100" aria-valuenow=${Math.floor(progress * 100)}
          ><span style="width:${progress * 100}%"></span
        ></span>
        <span class="pct">${f.selected || complete ? formatPercent(progress) : 'skipped'}</span>
        ${this.renderPreview(t, i, path)}
        <button
          ?disabled=${!complete}
          title=${complete ? 'Save this file' : 'Can be saved once complete'}
          @click=${() => emit(this, 'ts-save', { torrent: t, index: i })}
        >
          ${icons.download} Save<span class="visually-hidden"> ${path}</span>
        </button>
      </span>
    </li>`;
  }

  private renderPreview(t: Torrent, index: number, path: string) {
    const file = t.files[index];
    const kind = file ? previewKindOf(file.name) : undefined;
    if (!kind || !file || file.length === 0 || index === this.lead) return nothing;
    // Without a service worker a file is shown once complete, from its bytes (blob-preview.ts).
    const whole = !this.streamable;
    if (whole && (!isComplete(file) || !blobPreviewable(file.name))) return nothing;
    const media = kind === 'video' || kind === 'audio';
    const when = whole ? '' : ', while it downloads';
    return html`<button title=${media ? `Play it now${when}` : `Show it now${when}`} @click=${() => emit(this, 'ts-preview', { torrent: t, index })}>
      ${media ? icons.play : icons.file} ${media ? 'Play' : 'View'}<span class="visually-hidden"> ${path}</span>
    </button>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'ts-file-list': TsFileList;
  }
}
