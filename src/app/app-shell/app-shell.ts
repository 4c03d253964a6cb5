import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import { repeat } from 'lit/directives/repeat.js';
import type { Torrent } from '../../client/index.js';
import { errorMessage } from '../../core/errors.js';
import '../components/activity-log.js';
import '../components/add-panel.js';
import type { TsAddPanel } from '../components/add-panel.js';
import '../components/drop-zone.js';
import '../components/embed-docs.js';
import '../components/notices.js';
import '../components/remove-dialog.js';
import type { TsRemoveDialog } from '../components/remove-dialog.js';
import '../components/settings-dialog.js';
import type { TsSettingsDialog } from '../components/settings-dialog.js';
import { copyText } from '../components/share-panel.js';
import '../components/torrent-card.js';
import { dropIntent } from '../drop.js';
import type { AppEventDetails, AppEventName } from '../events.js';
import { displayName, formatBytes, formatPercent } from '../../shared/format.js';
import { icons } from '../icons.js';
import { saveTorrent, saveTorrentFile } from '../save-torrent.js';
import { appUrl, magnetFromLocation, shareLink } from '../../shared/share-link.js';
import { ClientController, type PendingSeed } from '../state/client-controller.js';
import type { Notice } from '../state/notices.js';
import type { Theme } from '../state/settings.js';
import { controls, progressTrack, themeTokens } from '../styles.js';

/**
 * The tabswarm application: share files by link, download from links, watch and control transfers.
 * State comes from a {@link ClientController}; the components it renders only display it and send
 * `ts-*` events back here.
 *
 * @csspart header - the page header
 */
@customElement('tabswarm-app')
export class TabswarmApp extends LitElement {
  static override styles = [
    themeTokens,
    controls,
    progressTrack,
    css`
      :host {
        display: block;
        font-family:
          system-ui,
          -apple-system,
          'Segoe UI',
          Roboto,
          sans-serif;
        line-height: 1.45;
        color: var(--ts-fg);
        background: var(--ts-bg);
        min-height: 100vh;
        min-height: 100dvh;
        -webkit-text-size-adjust: 100%;
      }
      header {
        display: flex;
        flex-wrap: wrap;
        align-items: center;
        gap: 0.5rem 1rem;
        padding: 0.75rem max(1rem, calc((100% - 60rem) / 2));
        background: var(--ts-surface);
        border-bottom: 1px solid var(--ts-border);
      }
      .brand {
        display: flex;
        align-items: center;
        gap: 0.5rem;
        color: var(--ts-accent);
      }
      .brand .icon {
        width: 1.75rem;
        height: 1.75rem;
      }
      h1 {
        margin: 0;
        font-size: 1.4rem;
        letter-spacing: -0.01em;
        color: var(--ts-fg);
      }
      .tagline {
        margin: 0;
        font-size: 0.9375rem;
      }
      header nav {
        margin-left: auto;
      }
      main {
        padding: 1.25rem 1rem 2rem;
        max-width: 62rem;
        margin: 0 auto;
      }
      .torrents {
        display: grid;
        gap: 0.9rem;
        min-width: 0;
        margin-top: 1.5rem;
      }
      ts-activity-log {
        margin-top: 1.25rem;
      }
      ts-torrent-card {
        scroll-margin-top: 0.75rem;
      }
      h2 {
        margin: 0.25rem 0 0;
        font-size: 1.125rem;
      }
      h2 .count {
        font-weight: 400;
        color: var(--ts-muted);
      }
      .empty {
        margin: 0;
        padding: 1.5rem;
        text-align: center;
        border: 2px dashed var(--ts-border);
        border-radius: 0.875rem;
      }
      .pending {
        display: grid;
        gap: 0.5rem;
        padding: 1rem 1.25rem;
        background: var(--ts-surface);
        border: 1px solid var(--ts-border);
        border-radius: 0.875rem;
      }
      .pending strong {
        overflow-wrap: anywhere;
      }
      .pending .row {
        display: flex;
        align-items: center;
        gap: 0.75rem;
      }
      .pending p {
        margin: 0;
        font-size: 0.875rem;
      }
      footer {
        max-width: 62rem;
        margin: 0 auto;
        padding: 0 1rem 2rem;
        font-size: 0.875rem;
      }
      footer p {
        margin: 0;
      }
      @media (max-width: 30rem) {
        .tagline {
          display: none;
        }
        main {
          padding: 0.9rem 0.75rem 1.5rem;
        }
      }
    `,
  ];

  /** The colour theme, from the settings: `system` follows `prefers-color-scheme`. */
  @property({ reflect: true }) theme: Theme = 'system';
  /** What the page shows: the torrents, or how to embed them (`#embed`). */
  @state() private page: 'torrents' | 'embed' = pageOf(location.hash);

  private readonly app = new ClientController(this);
  @query('ts-settings-dialog') private settingsDialog!: TsSettingsDialog;
  @query('ts-remove-dialog') private removeDialog!: TsRemoveDialog;
  @query('ts-add-panel') private addPanel!: TsAddPanel;

  constructor() {
    super();
    this.on('ts-seed', ({ files }) => void this.app.seed(files));
    this.on('ts-share-private', ({ private: on }) => void this.app.applySettings({ ...this.app.settings, sharePrivate: on }));
    this.on('ts-drop', ({ files }) => void this.onDrop(files));
    this.on('ts-add', ({ source, from }) => void this.add(source, from));
    this.on('ts-pause', ({ torrent }) => this.app.pause(torrent));
    this.on('ts-resume', ({ torrent }) => this.app.resume(torrent));
    this.on('ts-remove', ({ torrent }) => void this.removeDialog.show(torrent));
    this.on('ts-remove-confirm', ({ torrent, deleteData }) => void this.app.remove(torrent, deleteData));
    this.on('ts-select-file', ({ torrent, index, selected }) => this.app.selectFile(torrent, index, selected));
    this.on('ts-save', ({ torrent, index }) => void this.save(torrent, index));
    this.on('ts-settings-save', ({ settings }) => void this.app.applySettings(settings));
    this.on('ts-open-settings', () => void this.settingsDialog.show());
    this.on('ts-notice-action', ({ notice }) => void this.onNoticeAction(notice));
    this.on('ts-notice-dismiss', ({ id }) => this.app.dismiss(id));
    this.on('ts-announce', ({ message }) => this.app.announce(message));
  }

  override connectedCallback(): void {
    super.connectedCallback();
    window.addEventListener('hashchange', this.onLocation);
    window.addEventListener('hashchange', this.onPage);
    void this.app.ready.then(this.onLocation);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    window.removeEventListener('hashchange', this.onLocation);
    window.removeEventListener('hashchange', this.onPage);
  }

  protected override willUpdate(): void {
    this.theme = this.app.settings.theme;
    // The page around the app (overscroll, scroll bars) follows the theme too.
    document.documentElement.style.colorScheme = this.theme === 'system' ? '' : this.theme;
  }

  protected override updated(): void {
    // The tab's title shows the download's progress, for whoever watches the tab strip.
    const active = this.app.torrents.filter((t) => t.metainfo && !t.isDone && !t.paused);
    const length = active.reduce((n, t) => n + t.length, 0);
    const progress = length > 0 ? active.reduce((n, t) => n + t.progress * t.length, 0) / length : 0;
    const title = active.length > 0 ? `↓ ${formatPercent(progress)} · tabswarm` : 'tabswarm';
    if (document.title !== title) document.title = title;
  }

  override render() {
    const app = this.app;
    const disabled = !app.webrtc || app.phase === 'restarting';
    return html`
      <ts-drop-zone ?disabled=${disabled || this.page === 'embed'}></ts-drop-zone>
      <header part="header">
        <div class="brand">
          ${icons.swarm}
          <h1>tabswarm</h1>
        </div>
        <p class="tagline muted">Share files straight from this tab</p>
        <nav aria-label="Pages">
          ${
            this.page === 'embed'
              ? html`<a class="button" href="#">${icons.file} Your torrents</a>`
              : html`<a class="button" href="#embed">${icons.link} Embed</a>`
          }
        </nav>
        <button @click=${() => void this.settingsDialog.show()}>${icons.sliders} Settings</button>
      </header>
      ${this.page === 'embed' ? this.renderEmbed() : this.renderTorrents()}
      <div class="visually-hidden" role="status" aria-live="polite" aria-atomic="true">${app.status}</div>
      <ts-settings-dialog .settings=${app.settings} .defaults=${app.defaults} .iceDefaults=${app.operatorIce.iceServers}></ts-settings-dialog>
      <ts-remove-dialog></ts-remove-dialog>
    `;
  }

  private renderEmbed() {
    return html`<main>
      <ts-notices .notices=${this.app.notices}></ts-notices>
      <ts-embed-docs .torrents=${this.app.torrents} .base=${appUrl(location.href)}></ts-embed-docs>
    </main>`;
  }

  private renderTorrents() {
    const app = this.app;
    const disabled = !app.webrtc || app.phase === 'restarting';
    const torrents = app.torrents;
    const base = appUrl(location.href);
    return html`
      <main>
        <ts-notices .notices=${app.notices}></ts-notices>
        <ts-add-panel ?disabled=${disabled} ?compact=${torrents.length > 0} ?sharePrivate=${app.settings.sharePrivate}></ts-add-panel>
        <section class="torrents" aria-labelledby="torrents-title">
          <h2 id="torrents-title">Your torrents <span class="count">(${torrents.length})</span></h2>
          ${app.phase === 'restarting' ? html`<p class="muted" role="status">Reconnecting with the new settings…</p>` : nothing}
          ${app.pending.map((p) => this.renderPending(p))}
          ${repeat(
            torrents,
            (t) => t.infoHash,
            (t) =>
              html`<ts-torrent-card
                .torrent=${t}
                .revision=${app.revision}
                .link=${shareLink(base, t, app.defaults)}
                ?shareOpen=${app.fresh.has(t.infoHash)}
                ?warm=${app.linked.has(t.infoHash)}
                ?turnConfigured=${app.turnConfigured}
                .streaming=${app.streaming}
              ></ts-torrent-card>`,
          )}
          ${
            torrents.length === 0 && app.pending.length === 0 && app.phase !== 'starting'
              ? html`<p class="empty muted">Nothing here yet. Drop files anywhere on this page to share them, or open a share link to download.</p>`
              : nothing
          }
        </section>
        <ts-activity-log .entries=${app.log}></ts-activity-log>
      </main>
      <footer class="muted">
        <p>Files go straight from browser to browser; the tracker only introduces peers. Downloads are kept in this browser until you remove them.</p>
      </footer>
    `;
  }

  private renderPending(p: PendingSeed) {
    const fraction = p.total > 0 ? p.done / p.total : 0;
    return html`<div class="pending">
      <strong>Preparing “${displayName(p.name)}”</strong>
      <div class="row">
        <div
          class="track"
          role="progressbar"
          aria-label=${`Preparing ${displayName(p.name)}`}
          aria-valuemin="0"
          aria-valuemax="100"
          aria-valuenow=${Math.floor(fraction * 100)}
        >
          <div class="fill" style="width:${fraction * 100}%"></div>
        </div>
        <span aria-hidden="true">${formatPercent(fraction)}</span>
      </div>
      <p class="muted">Reading and fingerprinting ${formatBytes(p.total)}; the share link appears when done.</p>
    </div>`;
  }

  // ---- actions ----------------------------------------------------------------------------------

  private on<K extends AppEventName>(type: K, handler: (detail: AppEventDetails[K]) => void): void {
    this.addEventListener(type, (e: Event) => handler((e as CustomEvent<AppEventDetails[K]>).detail));
  }

  private readonly onPage = (): void => {
    this.page = pageOf(location.hash);
    window.scrollTo(0, 0);
  };

  private readonly onLocation = (): void => {
    let carriesLink: boolean;
    try {
      carriesLink = magnetFromLocation(location.href) !== undefined;
    } catch {
      carriesLink = true; // a broken share link: adding it says what is wrong
    }
    if (!carriesLink) return;
    void this.app.add(location.href, 'link').then(async (torrent) => {
      if (!torrent) return;
      // Forget the link once added: a reload restores the torrent, and removing it stays removed.
      history.replaceState(history.state, '', appUrl(location.href));
      // What the link brought comes into view (on a phone it starts below the add panels).
      await this.updateComplete;
      const card = [...this.renderRoot.querySelectorAll('ts-torrent-card')].find((c) => c.torrent === torrent);
      if (card && card.getBoundingClientRect().top > innerHeight / 2) card.scrollIntoView({ block: 'start' });
    });
  };

  private async add(source: string | Uint8Array, from: 'link' | 'torrent-file'): Promise<void> {
    const torrent = await this.app.add(source, from);
    if (torrent && from === 'link') this.addPanel.clearLink();
  }

  private async onDrop(files: AppEventDetails['ts-drop']['files']): Promise<void> {
    const intent = dropIntent(files);
    if (intent.kind === 'add') await this.app.add(new Uint8Array(await intent.file.arrayBuffer()), 'torrent-file');
    else if (intent.kind === 'seed') await this.app.seed(intent.files);
  }

  /** Runs in the click's task (events are dispatched synchronously), so the save picker may open. */
  private async save(torrent: Torrent, index: number | undefined): Promise<void> {
    const file = index === undefined ? undefined : torrent.files[index];
    const name = file ? file.name : torrent.name;
    try {
      const streaming = this.app.streaming;
      const outcome = file ? await saveTorrentFile(torrent, file, streaming) : await saveTorrent(torrent, streaming);
      if (outcome !== 'cancelled') this.app.announce(`Saved ${name}.`);
    } catch (e) {
      const message = `${name} could not be saved: ${errorMessage(e)}`;
      this.app.logMessage(message);
      this.app.announce(message);
    }
  }

  private async onNoticeAction(notice: Notice): Promise<void> {
    const action = notice.action;
    if (!action) return;
    if (action.kind === 'open-settings') {
      await this.settingsDialog.show();
      return;
    }
    const torrent = this.app.torrents.find((t) => t.infoHash === action.infoHash);
    if (!torrent) return;
    if (action.kind === 'resume') {
      this.app.resume(torrent);
    } else {
      const outcome = await copyText(shareLink(appUrl(location.href), torrent, this.app.defaults), null);
      this.app.announce(outcome === 'copied' ? 'Share link copied.' : 'Open the torrent’s Share section to copy its link.');
    }
  }
}

function pageOf(hash: string): 'torrents' | 'embed' {
  return hash === '#embed' ? 'embed' : 'torrents';
}

declare global {
  interface HTMLElementTagNameMap {
    'tabswarm-app': TabswarmApp;
  }
}
