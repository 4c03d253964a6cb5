import { LitElement, html, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { property } from 'lit/decorators.js';
import { styleMap } from 'lit/directives/style-map.js';
import { downloadThroughFrame } from '../shared/download-frame.js';
import type { Torrent, TorrentFile } from '../client/index.js';
import { displayName, formatBytes, formatPercent, formatRate } from '../shared/format.js';
import { EmbedController, type EmbedHost, type Phase } from './controller.js';
import { pathInTorrent } from './source.js';
import { styles } from './styles.js';

/**
 * Streams through tabswarm's service worker (tabswarm-sw.js beside the module, or
 * `configureTabSwarm({ workerUrl })`); where none can run, the file is shown from a Blob once
 * complete, with a message saying why. Every element of a page shares one client (see
 * `tabSwarmClient`); removing an element stops its download and frees what it held.
 *
 * @summary One file of a torrent in any page: a video or audio file plays while it downloads, an image is shown, any other file gets a card with its progress, peers, speed and a save button.
 *
 * @element tab-swarm
 *
 * @attr src - A magnet link, a tabswarm share link (a private one too: its key, after the `.`, opens it in the page and never leaves it), or the URL of a `.torrent` file.
 * @attr file - The file to show: its index (`0`) or its path in the torrent; by default the largest video or audio file, else the largest image, else the largest file.
 * @attr announce - More trackers (WebSocket URLs), separated by spaces.
 * @attr label - The accessible name of the player or image (by default the file's name).
 * @attr autoplay - Plays as soon as it can (browsers allow it when `muted`).
 * @attr muted - Starts muted.
 * @attr controls - Shows the player's controls.
 *
 * @fires {CustomEvent<TabSwarmProgressDetail>} tabswarm-progress - `{ torrent, file, progress, downloadSpeed, uploadSpeed, numPeers }` while downloading.
 * @fires {CustomEvent<TabSwarmReadyDetail>} tabswarm-ready - `{ torrent, file, kind, streaming }` once the file to show is known.
 * @fires {CustomEvent<TabSwarmDoneDetail>} tabswarm-done - `{ torrent, file }` once every byte of the file is verified.
 * @fires {CustomEvent<TabSwarmWaitingDetail>} tabswarm-waiting - `{ reason, waitedMs, numPeers, secureContext, message }` when nothing has arrived for 5 s (or there is no tracker), once per reason: `no-tracker`, `no-peers`, `no-metadata`, `no-data`.
 * @fires {CustomEvent<TabSwarmErrorDetail>} tabswarm-error - `{ error, message }` for a bad `src`, a `.torrent` URL that does not load, no such `file`, a storage error, a file the browser cannot play.
 *
 * @csspart media - The `<video>`, `<audio>` or `<img>`.
 * @csspart status - The line under the player or image: progress, details, save.
 * @csspart card - The box of a file that is not shown, and of the loading and error states.
 * @csspart name - The file's name in the card.
 * @csspart progress - The progress bar's track.
 * @csspart progress-bar - The progress bar's filled part.
 * @csspart details - Progress, size, peers and speed, as text.
 * @csspart save - The save button.
 * @csspart message - Why the file does not stream here (no service worker), or why nothing arrives yet.
 * @csspart error - The error message.
 *
 * @cssprop --tab-swarm-accent - Progress bar and save button (default `#0b5cd5`).
 * @cssprop --tab-swarm-accent-color - Text on the accent colour (default `#ffffff`).
 * @cssprop --tab-swarm-color - Text (default: inherited).
 * @cssprop --tab-swarm-muted - Secondary text (default: the text colour at 72 %).
 * @cssprop --tab-swarm-background - The card's background (default transparent).
 * @cssprop --tab-swarm-border - The card's border colour (default: the text colour at 25 %).
 * @cssprop --tab-swarm-track - The progress bar's track (default: the text colour at 15 %).
 * @cssprop --tab-swarm-radius - Corner radius (default `0.5rem`).
 * @cssprop --tab-swarm-font - Font family (default: inherited).
 * @cssprop --tab-swarm-media-background - Behind the video (default `#000000`).
 * @cssprop --tab-swarm-error - Error text and border (default `#b3261e`).
 */
export class TabSwarmElement extends LitElement implements EmbedHost {
  static override styles = styles;

  @property() src = '';
  @property() file = '';
  @property() announce = '';
  @property() label = '';
  @property({ type: Boolean }) autoplay = false;
  @property({ type: Boolean }) muted = false;
  @property({ type: Boolean }) controls = false;

  private readonly view = new EmbedController(this);

  /** The torrent, once added to the page's client. */
  get torrent(): Torrent | undefined {
    return this.view.torrent;
  }
  /** The file shown, once the torrent's file list is known. */
  get selectedFile(): TorrentFile | undefined {
    return this.view.file;
  }
  /** `idle` (no `src`), `loading`, `ready` (the file is known) or `error`. */
  get phase(): Phase {
    return this.view.phase;
  }
  /** Whether every byte of the file shown is verified. */
  get done(): boolean {
    return this.view.done;
  }
  /** The error shown, if any. */
  get error(): Error | undefined {
    return this.view.error;
  }

  /**
   * Stops the player's or image's request (a stream the service worker is answering) and lets go
   * of its source; the element does it itself when it is removed or its `src` changes.
   */
  releaseMedia(): void {
    for (const media of this.shadowRoot?.querySelectorAll('video, audio, img') ?? []) {
      if (media instanceof HTMLMediaElement) {
        media.pause();
        media.removeAttribute('src');
        media.load(); // ends the request to the service worker
      } else {
        media.removeAttribute('src');
      }
    }
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    super.willUpdate(changed);
    this.view.sync();
  }

  override render() {
    const v = this.view;
    if (v.phase === 'idle') return nothing;
    if (v.phase === 'error') return html`<div part="card" class="card error" role="alert"><p part="error">${v.errorMessage}</p></div>`;
    const t = v.torrent;
    const file = v.file;
    if (v.phase === 'loading' || !t || !file) {
      const name = t && t.name !== t.infoHash ? displayName(t.name) : undefined;
      return html`<div part="card" class="card" aria-busy="true">
        ${name ? html`<p part="name" class="name">${name}</p>` : nothing}
        <p part="details" class="muted" role="status">${v.waiting ?? v.status}</p>
      </div>`;
    }
    const name = displayName(pathInTorrent(file, t.name));
    if (v.url && v.kind !== 'card') {
      return html`${this.renderMedia(v.url, this.label || name)}
        <div part="status" class="status">
          ${this.renderProgress(file, name)}<span part="details" class="details">${this.details(t, file)}</span>${this.renderSave(file, name)}
        </div>
        ${v.waiting ? html`<p part="message" class="message" role="status">${v.waiting}</p>` : nothing}`;
    }
    return html`<div part="card" class="card">
      <div class="head">
        <span part="name" class="name">${name}</span>
        <span class="muted">${formatBytes(file.length)}</span>
      </div>
      ${this.renderProgress(file, name)}
      <p part="details" class="muted">${this.details(t, file)}</p>
      ${v.notice ? html`<p part="message" class="message">${v.notice}</p>` : nothing}
      ${v.waiting ? html`<p part="message" class="message" role="status">${v.waiting}</p>` : nothing} ${this.renderSave(file, name)}
    </div>`;
  }

  private renderMedia(url: string, label: string): TemplateResult {
    switch (this.view.kind) {
      case 'video':
        return html`<video
          part="media"
          aria-label=${label}
          ?controls=${this.controls}
          ?autoplay=${this.autoplay}
          ?muted=${this.muted}
          .muted=${this.muted}
          playsinline
          preload="auto"
          src=${url}
          @error=${this.onMediaError}
        ></video>`;
      case 'audio':
        return html`<audio
          part="media"
          aria-label=${label}
          ?controls=${this.controls}
          ?autoplay=${this.autoplay}
          ?muted=${this.muted}
          .muted=${this.muted}
          preload="auto"
          src=${url}
          @error=${this.onMediaError}
        ></audio>`;
      default:
        return html`<img part="media" alt=${label} src=${url} @error=${this.onMediaError} />`;
    }
  }

  private renderProgress(file: TorrentFile, name: string): TemplateResult {
    const progress = file.progress;
    return html`<div
      part="progress"
      class="track"
      role="progressbar"
      aria-label=${`Progress of ${name}`}
      aria-valuemin="0"
      aria-valuemax="100"
      aria-valuenow=${Math.floor(progress * 100)}
    >
      <div part="progress-bar" class="fill" style=${styleMap({ width: `${progress * 100}%` })}></div>
    </div>`;
  }

  private renderSave(file: TorrentFile, name: string): TemplateResult {
    const url = this.view.saveUrl;
    const hidden = html`<span class="visually-hidden"> ${name}</span>`;
    if (!url) return html`<button part="save" class="save" disabled>Save (once downloaded)${hidden}</button>`;
    // A link (it can be copied, or saved with the browser's own menu), but a click saves through save().
    return html`<a
      part="save"
      class="save"
      href=${url}
      download=${file.name || 'file'}
      @click=${(e: Event) => {
        e.preventDefault();
        this.save(url, file.name);
      }}
      >Save${hidden}</a
    >`;
  }

  /**
   * Saves the file: through the service worker while it streams (a hidden frame, which every browser
   * sends through the worker, unlike an `<a download>` click in Chromium), else from the complete
   * file's object URL.
   */
  private save(url: string, name: string): void {
    if (this.view.streaming && !url.startsWith('blob:')) {
      downloadThroughFrame(url, { createElement: (tag) => document.createElement(tag), append: (node) => this.renderRoot.append(node) });
      return;
    }
    const a = document.createElement('a');
    a.href = url;
    a.download = name || 'file';
    a.hidden = true;
    this.renderRoot.append(a);
    a.click();
    a.remove();
  }

  private details(t: Torrent, file: TorrentFile): string {
    const peers = `${t.numPeers} ${t.numPeers === 1 ? 'peer' : 'peers'}`;
    if (this.view.done) return `${formatBytes(file.length)} · ${peers} · ↑ ${formatRate(t.uploadSpeed)}`;
    return `${formatPercent(file.progress)} of ${formatBytes(file.length)} · ${peers} · ↓ ${formatRate(t.downloadSpeed)}`;
  }

  private readonly onMediaError = (e: Event): void => {
    const target = e.target;
    if (target instanceof Element) this.view.mediaFailed(target.getAttribute('src') ?? '');
  };
}

declare global {
  interface HTMLElementTagNameMap {
    'tab-swarm': TabSwarmElement;
  }
}
