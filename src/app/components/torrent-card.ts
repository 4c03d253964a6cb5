import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import type { StreamServer, Torrent } from '../../client/index.js';
import { previewKindOf } from '../../sw/http.js';
import { blobPreviewUrl } from '../blob-preview.js';
import { emit } from '../events.js';
import { displayName, formatBytes, formatDuration, formatPercent, formatRate, formatRatio, NO_VALUE } from '../../shared/format.js';
import { icons } from '../icons.js';
import { stateInput } from '../state/client-controller.js';
import { STATE_LABELS, pathInTorrent, torrentState, verifiedBytes, type TorrentState } from '../state/torrent-status.js';
import { controls, progressTrack } from '../styles.js';
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
  static override styles = [
    controls,
    progressTrack,
    css`
      :host {
        display: block;
      }
      article {
        background: var(--ts-surface);
        border: 1px solid var(--ts-border);
        border-radius: 0.875rem;
        padding: 1rem 1.25rem;
        box-shadow: var(--ts-shadow);
        display: grid;
        gap: 0.85rem;
        min-width: 0;
      }
      .head {
        display: flex;
        flex-wrap: wrap;
        align-items: baseline;
        gap: 0.25rem 0.75rem;
      }
      h3 {
        margin: 0;
        font-size: 1.0625rem;
        overflow-wrap: anywhere;
        flex: 1 1 12rem;
        min-width: 0;
      }
      .badge {
        font-size: 0.8125rem;
        font-weight: 600;
        padding: 0.15rem 0.6rem;
        border-radius: 1rem;
        background: var(--ts-surface-2);
        color: var(--ts-fg);
        border: 1px solid var(--ts-border);
        white-space: nowrap;
      }
      .badge.downloading,
      .badge.metadata {
        background: var(--ts-accent-soft);
        border-color: transparent;
      }
      .badge.seeding,
      .badge.done {
        background: var(--ts-success-soft);
        color: var(--ts-success);
        border-color: transparent;
      }
      .badge.error {
        background: var(--ts-danger-soft);
        color: var(--ts-danger);
        border-color: transparent;
      }
      .hint {
        margin: -0.5rem 0 0;
        font-size: 0.875rem;
      }
      .unreachable {
        margin: 0;
        font-size: 0.875rem;
      }
      .unreachable button {
        margin-left: 0.25rem;
        padding: 0.1rem 0.5rem;
        font-size: 0.8125rem;
      }
      .progress {
        display: flex;
        align-items: center;
        gap: 0.75rem;
      }
      .fill {
        transition: width 0.4s ease;
      }
      .done .fill,
      .seeding .fill {
        background: var(--ts-piece-verified);
      }
      .pct {
        font-weight: 600;
        font-variant-numeric: tabular-nums;
        min-width: 3.2rem;
        text-align: right;
      }
      dl {
        display: grid;
        grid-template-columns: repeat(auto-fit, minmax(7rem, 1fr));
        gap: 0.6rem 1rem;
        margin: 0;
      }
      dl div {
        min-width: 0;
      }
      dl .wide {
        grid-column: span 2;
      }
      dt {
        font-size: 0.8125rem;
        color: var(--ts-muted);
      }
      dd {
        margin: 0.1rem 0 0;
        font-weight: 600;
        font-variant-numeric: tabular-nums;
        overflow-wrap: anywhere;
      }
      .actions {
        display: flex;
        flex-wrap: wrap;
        gap: 0.5rem;
      }
      .actions .remove {
        margin-left: auto;
      }
      details {
        border-top: 1px solid var(--ts-border);
        padding-top: 0.6rem;
        /* A wide table (the peers) scrolls inside its section instead of widening the page. */
        min-width: 0;
      }
      summary {
        cursor: pointer;
        font-weight: 600;
        padding: 0.3rem 0;
        border-radius: 0.25rem;
        list-style-position: inside;
      }
      summary .count {
        font-weight: 400;
        color: var(--ts-muted);
      }
      details[open] summary {
        margin-bottom: 0.6rem;
      }
      @media (max-width: 30rem) {
        article {
          padding: 0.9rem;
        }
        .actions button {
          flex: 1 1 auto;
        }
        .actions .remove {
          margin-left: 0;
        }
      }
    `,
  ];

  @property({ attribute: false }) torrent: Torrent | undefined;
  /** Changes on every refresh, so the numbers are read again. */
  @property({ type: Number }) revision = 0;
  /** The share link for this torrent. */
  @property() link = '';
  /** The share section starts open (a torrent shared just now). */
  @property({ type: Boolean }) shareOpen = false;
  /** A TURN server is configured: failed connections get no advice to configure one. */
  @property({ type: Boolean }) turnConfigured = false;
  /** Serves files to the service worker (they play while they download); undefined where it cannot. */
  @property({ attribute: false }) streaming: StreamServer | undefined;
  /** The file shown in the page, if any. */
  @state() private previewing: number | undefined;
  /** The previewed file's object URL, when no service worker serves it. */
  @state() private wholeFile: { index: number; url: string } | undefined;
  /** The Files section is unfolded (the list is rendered only then). */
  @state() private filesOpen = false;

  constructor() {
    super();
    this.addEventListener('ts-preview', (e) => {
      if (e.detail.torrent !== this.torrent) return;
      this.previewing = e.detail.index;
      if (!this.streaming) void this.showWholeFile(e.detail.torrent, e.detail.index);
    });
    this.addEventListener('ts-preview-close', () => {
      this.previewing = undefined;
      this.dropWholeFile();
    });
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.dropWholeFile();
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
    return html`<article class=${state} aria-labelledby="name">
      <div class="head">
        <h3 id="name">${displayName(t.name)}</h3>
        <span class="badge ${state}">${STATE_LABELS[state]}</span>
      </div>
      ${hint ? html`<p class="hint muted">${hint}</p>` : nothing}
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
          <dd>${formatRate(t.downloadSpeed)}</dd>
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
        ${
          t.files.length > 1
            ? html`<button class="primary" ?disabled=${saveable === 0} @click=${() => emit(this, 'ts-save', { torrent: t })}>
                ${icons.download} Save all (.zip)
              </button>`
            : html`<button class="primary" ?disabled=${saveable === 0} @click=${() => emit(this, 'ts-save', { torrent: t, index: 0 })}>
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
        <ts-share-panel .link=${this.link} .magnet=${t.magnetURI} .name=${t.name} .torrentFile=${known ? this.torrentFileOf : undefined}></ts-share-panel>
      </details>
      <details @toggle=${(e: Event) => (this.filesOpen = (e.target as HTMLDetailsElement).open)}>
        <summary>Files <span class="count">(${known ? t.files.length : '…'})</span></summary>
        ${this.filesOpen ? html`<ts-file-list .torrent=${t} .revision=${this.revision} ?streamable=${this.streaming !== undefined}></ts-file-list>` : nothing}
      </details>
      <details>
        <summary>Peers <span class="count">(${peers.length})</span></summary>
        <ts-peer-table .peers=${peers}></ts-peer-table>
      </details>
    </article>`;
  }

  private renderPreview(t: Torrent) {
    const index = this.previewing;
    const file = index === undefined ? undefined : t.files[index];
    if (index === undefined || !file) return nothing;
    const src = this.streaming ? this.streaming.fileUrl(t, index) : this.wholeFile?.index === index ? this.wholeFile.url : undefined;
    if (!src) return nothing;
    return html`<ts-file-preview .src=${src} .kind=${previewKindOf(file.name)} .name=${pathInTorrent(file.path, t.name)}></ts-file-preview>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'ts-torrent-card': TsTorrentCard;
  }
}
