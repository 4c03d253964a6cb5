import { LitElement, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import type { StreamServer, Torrent } from '../../client/index.js';
import { previewKindOf } from '../../sw/http.js';
import { blobPreviewUrl, blobPreviewable } from '../blob-preview.js';
import { emit } from '../events.js';
import { displayName, formatBytes, formatDuration, formatPercent, formatRate, formatRatio, NO_VALUE } from '../../shared/format.js';
import { icons } from '../icons.js';
import { isComplete } from '../save-torrent.js';
import { stateInput } from '../state/torrent-watch.js';
import { firstScreen, type FirstScreen } from '../state/first-screen.js';
import { privateNote } from '../state/private-note.js';
import { STATE_LABELS, pathInTorrent, torrentState, verifiedBytes, type TorrentState } from '../state/torrent-status.js';
import { controls, progressTrack } from '../styles.js';
import { cardStyles } from './torrent-card-styles.js';
import './file-list.js';
import './file-preview.js';
import './peer-table.js';
import './piece-map.js';
import './share-panel.js';

const HINTS: Partial<Record<TorrentState, string>> = {
  metadata: 'Asking peers for the file list…',
  done: 'Complete. Others can download it from this tab while it stays open.',
  paused: 'Not downloading or sharing until you resume.',
};

/** The line a card shows while another tab of this browser runs the torrent. */
export const ELSEWHERE_HINT = 'Running in another tab of this browser, which this one shows and controls; it takes over if that tab closes.';

/** The line a card shows when connections to peers failed and no TURN server is configured. */
export const UNREACHABLE_HINT =
  'Some peers could not be reached directly. A TURN server relays such connections: add one in Settings, or ask the operator of this site for one.';

/**
 * One torrent: name, state, progress, rates, peers, time left and ratio; connections that failed,
 * and what would help; its piece map; buttons to save, pause or resume and remove it; the file being
 * played or viewed, if any; and, folded, how to share it, its files and its peers.
 *
 * @fires ts-pause @fires ts-resume @fires ts-remove @fires ts-save @fires ts-open-settings
 */
@customElement('ts-torrent-card')
export class TsTorrentCard extends LitElement {
  static override styles = [controls, progressTrack, cardStyles];

  @property({ attribute: false }) torrent: Torrent | undefined;
  /** Changes on every refresh, so the numbers are read again. */
  @property({ type: Number }) revision = 0;
  /** The share link for this torrent. */
  @property() link = '';
  /** The share section starts open (a torrent shared just now). */
  @property({ type: Boolean }) shareOpen = false;
  /**
   * Opened from the page's link: the video or audio file the card offers to play is loaded ahead,
   * out of sight and paused (the player made, its first bytes read and decoded while the person
   * looks at the card), so that Play shows it and starts it at once.
   */
  @property({ type: Boolean }) warm = false;
  /** A TURN server is configured: failed connections get no advice to configure one. */
  @property({ type: Boolean }) turnConfigured = false;
  /** Serves files to the service worker (they play while they download); undefined where it cannot. */
  @property({ attribute: false }) streaming: StreamServer | undefined;
  /** The file shown in the page, if any. */
  @state() private previewing: number | undefined;
  /** The player loaded ahead (see `warm`) was closed: it is not loaded ahead again. */
  private warmClosed = false;
  /** The previewed file's object URL, when no service worker serves it. */
  @state() private wholeFile: { index: number; url: string } | undefined;
  /** The Files section is unfolded (the list is rendered only then). */
  @state() private filesOpen = false;
  /** The torrent whose first screen was set up (once its file list is known), and what it is. */
  private arranged: Torrent | undefined;
  private lead: FirstScreen['lead'];
  /** A file to show as soon as it can be (streamed, or complete without a service worker). */
  private showWhenReady: number | undefined;

  constructor() {
    super();
    this.addEventListener('ts-preview', (e) => {
      if (e.detail.torrent !== this.torrent) return;
      this.previewing = e.detail.index;
      if (!this.streaming) void this.showWholeFile(e.detail.torrent, e.detail.index);
    });
    this.addEventListener('ts-preview-close', () => {
      this.previewing = undefined;
      this.warmClosed = true;
      this.dropWholeFile();
    });
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.dropWholeFile();
  }

  /**
   * The first screen (first-screen.ts), set up once the file list is known: Play in the card for one
   * video or audio file, one image shown, several files listed. A torrent just shared from this page
   * opens its share section instead, and shows nothing by itself.
   */
  protected override willUpdate(): void {
    const t = this.torrent;
    // A private share's files are known once its manifest is decrypted.
    if (!t?.metainfo || t.privateShare?.status === 'opening') return;
    if (this.arranged !== t) {
      this.arranged = t;
      const first = firstScreen(t.files);
      this.lead = first.lead;
      this.previewing = undefined;
      this.showWhenReady = undefined;
      if (!this.shareOpen) {
        // In a task of its own: a list of many files is not rendered in the same task as the card.
        if (first.filesOpen) {
          setTimeout(() => {
            if (this.arranged === t) this.filesOpen = true;
          });
        }
        if (first.lead?.kind === 'image') this.showWhenReady = first.lead.index;
      }
    }
    const index = this.showWhenReady;
    const file = index === undefined ? undefined : t.files[index];
    if (index === undefined || !file || this.previewing !== undefined) return;
    if (this.streaming) {
      this.showWhenReady = undefined;
      this.previewing = index;
    } else if (isComplete(file) && blobPreviewable(file.name)) {
      this.showWhenReady = undefined;
      this.previewing = index;
      void this.showWholeFile(t, index);
    }
  }

  /** Without a service worker: the complete file shown from an object URL (blob-preview.ts). */
  private async showWholeFile(torrent: Torrent, index: number): Promise<void> {
    const file = torrent.files[index];
    if (!file) return;
    this.dropWholeFile();
    let url: string | undefined;
    try {
      url = await blobPreviewUrl(file);
    } catch {
      url = undefined;
    }
    if (this.previewing !== index || this.torrent !== torrent) {
      if (url) URL.revokeObjectURL(url);
      return;
    }
    if (url) this.wholeFile = { index, url };
    else this.previewing = undefined;
  }

  private dropWholeFile(): void {
    if (this.wholeFile) URL.revokeObjectURL(this.wholeFile.url);
    this.wholeFile = undefined;
  }

  /** Encodes the .torrent only when asked for (a stable function, so the panel does not re-render). */
  private readonly torrentFileOf = (): Uint8Array | undefined => {
    const t = this.torrent;
    return t?.torrentFile;
  };

  override render() {
    const t = this.torrent;
    if (!t) return nothing;
    const state = torrentState(stateInput(t));
    const known = t.metainfo !== undefined;
    const progress = t.progress;
    const pct = formatPercent(progress);
    const size = !known ? NO_VALUE : t.isDone ? formatBytes(t.length) : `${formatBytes(verifiedBytes(progress, t.length))} of ${formatBytes(t.length)}`;
    const remaining = state === 'downloading' ? formatDuration(t.timeRemaining) : NO_VALUE;
    const peers = t.peers();
    const saveable = t.completeFiles;
    const failed = t.failedConnections;
    const hint = state === 'error' ? t.lastError?.message : HINTS[state];
    const note = privateNote(t);
    const filesKnown = known && note?.kind !== 'opening';
    return html`<article class=${state} aria-labelledby="name">
      <div class="head">
        <h3 id="name">${displayName(t.name)}</h3>
        <span class="badge ${state}">${STATE_LABELS[state]}</span>
      </div>
      ${hint ? html`<p class="hint muted">${hint}</p>` : nothing} ${t.following ? html`<p class="hint muted elsewhere">${ELSEWHERE_HINT}</p>` : nothing}
      ${note ? html`<p class="private-note ${note.kind}" role=${note.kind === 'failed' ? 'alert' : 'note'}>${icons.lock} ${note.text}</p>` : nothing}
      <div class="progress">
        <div
          class="track"
          role="progressbar"
          aria-label=${`Progress of ${displayName(t.name)}`}
          aria-valuemin="0"
          aria-valuemax="100"
          aria-valuenow=${Math.floor(progress * 100)}
          aria-valuetext=${known ? `${pct}, ${size}` : pct}
        >
          <div class="fill" style="width:${progress * 100}%"></div>
        </div>
        <span class="pct" aria-hidden="true">${pct}</span>
      </div>
      <dl>
        <div class="wide">
          <dt>Size</dt>
          <dd>${size}</dd>
        </div>
        <div>
          <dt><span aria-hidden="true">↓ </span>Download</dt>
          <dd>${t.isDone ? NO_VALUE : formatRate(t.downloadSpeed)}</dd>
        </div>
        <div>
          <dt><span aria-hidden="true">↑ </span>Upload</dt>
          <dd>${formatRate(t.uploadSpeed)}</dd>
        </div>
        <div>
          <dt>Peers</dt>
          <dd>${t.numPeers}</dd>
        </div>
        <div>
          <dt>Time left</dt>
          <dd>${remaining}</dd>
        </div>
        <div>
          <dt>Ratio</dt>
          <dd>${formatRatio(t.ratio)}</dd>
        </div>
        ${
          failed > 0
            ? html`<div class="failed">
                <dt>Failed connections</dt>
                <dd>${failed}</dd>
              </div>`
            : nothing
        }
      </dl>
      ${
        failed > 0 && !this.turnConfigured
          ? html`<p class="unreachable" role="note">
              ${UNREACHABLE_HINT}<button type="button" class="quiet" @click=${() => emit(this, 'ts-open-settings', {})}>Open settings</button>
            </p>`
          : nothing
      }
      ${known ? html`<ts-piece-map .states=${t.pieceStates()}></ts-piece-map>` : nothing}
      <div class="actions">
        ${this.renderPlay(t)}
        ${
          t.files.length > 1
            ? html`<button class="primary" ?disabled=${saveable === 0} @click=${() => emit(this, 'ts-save', { torrent: t })}>
                ${icons.download} Save all (.zip)
              </button>`
            : html`<button
                class=${this.playsHere() ? '' : 'primary'}
                ?disabled=${saveable === 0}
                @click=${() => emit(this, 'ts-save', { torrent: t, index: 0 })}
              >
                ${icons.download} Save
              </button>`
        }
        ${
          t.paused
            ? html`<button @click=${() => emit(this, 'ts-resume', { torrent: t })}>${icons.play} Resume</button>`
            : html`<button @click=${() => emit(this, 'ts-pause', { torrent: t })}>${icons.pause} Pause</button>`
        }
        <button class="remove danger" @click=${() => emit(this, 'ts-remove', { torrent: t })}>${icons.trash} Remove</button>
      </div>
      ${this.renderPreview(t)}
      <details ?open=${this.shareOpen}>
        <summary>Share</summary>
        <ts-share-panel
          .link=${this.link}
          .magnet=${t.magnetURI}
          .name=${t.secret ? (t.metainfo?.name ?? t.name) : t.name}
          ?private=${t.secret !== undefined}
          .torrentFile=${known ? this.torrentFileOf : undefined}
        ></ts-share-panel>
      </details>
      <details ?open=${this.filesOpen} @toggle=${(e: Event) => (this.filesOpen = (e.target as HTMLDetailsElement).open)}>
        <summary>Files <span class="count">(${filesKnown ? t.files.length : '…'})</span></summary>
        ${
          this.filesOpen
            ? html`<ts-file-list
                .torrent=${t}
                .revision=${this.revision}
                ?streamable=${this.streaming !== undefined}
                .lead=${this.playsHere() ? this.lead?.index : undefined}
              ></ts-file-list>`
            : nothing
        }
      </details>
      <details>
        <summary>Peers <span class="count">(${peers.length})</span></summary>
        <ts-peer-table .peers=${peers}></ts-peer-table>
      </details>
    </article>`;
  }

  /** The torrent is one video or audio file, which the card offers to play. */
  private playsHere(): boolean {
    return this.lead?.kind === 'video' || this.lead?.kind === 'audio';
  }

  /** Play for the one video or audio file, while it is not playing already. */
  private renderPlay(t: Torrent) {
    const index = this.lead?.index;
    const file = index === undefined ? undefined : t.files[index];
    if (!this.playsHere() || index === undefined || !file || this.previewing === index) return nothing;
    const now = this.streaming !== undefined || isComplete(file);
    const title = this.streaming
      ? 'Play it now, while it downloads'
      : now
        ? 'Play it now'
        : 'Plays here once complete: playing while it downloads needs a secure page';
    return html`<button class="primary" ?disabled=${!now} title=${title} @click=${() => emit(this, 'ts-preview', { torrent: t, index })}>
      ${icons.play} Play<span class="visually-hidden"> ${pathInTorrent(file.path, t.name)}</span>
    </button>`;
  }

  /** The file shown in the page, or the player loaded ahead of Play (`held`; the same element either way). */
  private renderPreview(t: Torrent) {
    const held = this.previewing === undefined;
    const index = this.previewing ?? this.warmIndex();
    const file = index === undefined ? undefined : t.files[index];
    if (index === undefined || !file) return nothing;
    const src = this.streaming ? this.streaming.fileUrl(t, index) : this.wholeFile?.index === index ? this.wholeFile.url : undefined;
    if (!src) return nothing;
    return html`<ts-file-preview ?held=${held} .src=${src} .kind=${previewKindOf(file.name)} .name=${pathInTorrent(file.path, t.name)}></ts-file-preview>`;
  }

  /** The file to load ahead of Play (see `warm`): the one the card offers to play, streamed. */
  private warmIndex(): number | undefined {
    return this.warm && !this.warmClosed && this.streaming && this.playsHere() ? this.lead?.index : undefined;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'ts-torrent-card': TsTorrentCard;
  }
}
