import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { emit } from '../events.js';
import { icons } from '../icons.js';
import { downloadTorrentFile } from '../save-torrent.js';
import { controls } from '../styles.js';
import './qr-code.js';

/**
 * Copies text to the clipboard; where the Clipboard API is missing or refused (an insecure page, no
 * permission), selects the text in `fallback` so the person can copy it, trying `execCommand` too.
 */
export async function copyText(text: string, fallback: HTMLInputElement | null): Promise<'copied' | 'selected'> {
  try {
    // Missing on insecure pages, whatever lib.dom says.
    const clipboard = (navigator as Partial<Navigator>).clipboard;
    if (!clipboard) throw new Error('no clipboard');
    await clipboard.writeText(text);
    return 'copied';
  } catch {
    if (!fallback) return 'selected';
    fallback.focus();
    fallback.select();
    try {
      // eslint-disable-next-line @typescript-eslint/no-deprecated -- the only synchronous copy left where the Clipboard API is unavailable
      if (document.execCommand('copy')) return 'copied';
    } catch {
      // Selected: the person copies it.
    }
    return 'selected';
  }
}

/**
 * How to share one torrent: the share link's QR code with a copy button beside it, the link itself,
 * the magnet link (with the name and every tracker, for other apps), and the .torrent file.
 *
 * @fires ts-announce - after copying ("Link copied")
 */
@customElement('ts-share-panel')
export class TsSharePanel extends LitElement {
  static override styles = [
    controls,
    css`
      :host {
        display: block;
      }
      .layout {
        display: grid;
        gap: 0.9rem;
        min-width: 0;
      }
      .qr-row {
        display: flex;
        align-items: center;
        gap: 0.75rem 1rem;
      }
      /* As large as the card allows beside its copy button, up to 16rem: at 360 px wide, ~190 px. */
      ts-qr-code {
        flex: 0 1 16rem;
        min-width: 9rem;
        border-radius: 0.5rem;
        overflow: hidden;
        border: 1px solid var(--ts-border);
      }
      .qr-side {
        flex: 1 1 6rem;
        min-width: 5.5rem;
        display: grid;
        gap: 0.6rem;
        justify-items: start;
      }
      label {
        display: block;
        font-weight: 600;
        font-size: 0.875rem;
        margin-bottom: 0.3rem;
      }
      .row {
        display: flex;
        gap: 0.5rem;
      }
      input {
        flex: 1;
        width: 100%;
        min-width: 0;
        box-sizing: border-box;
        font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace;
        font-size: 0.8125rem;
      }
      .copied {
        color: var(--ts-success);
      }
      .private-note {
        display: flex;
        gap: 0.5rem;
        align-items: flex-start;
        padding: 0.6rem 0.75rem;
        border-radius: 0.6rem;
        border: 1px solid var(--ts-border);
      }
      .private-note .icon {
        flex: none;
        color: var(--ts-accent);
      }
      p {
        margin: 0;
        font-size: 0.875rem;
      }
      @media (max-width: 30rem) {
        .qr-side p {
          display: none;
        }
      }
    `,
  ];

  /** The share link (src/shared/share-link.ts). */
  @property() link = '';
  @property() magnet = '';
  @property() name = '';
  /** A private share: the link holds its key, and the magnet link and .torrent file carry none. */
  @property({ type: Boolean }) private = false;
  /** Gives the .torrent file's bytes; absent until the metadata is known. */
  @property({ attribute: false }) torrentFile: (() => Uint8Array | undefined) | undefined;
  @state() private copied: 'link' | 'magnet' | undefined;
  private copiedTimer: ReturnType<typeof setTimeout> | undefined;

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearTimeout(this.copiedTimer);
  }

  override render() {
    const copiedLink = this.copied === 'link';
    return html`<div class="layout">
      <div class="qr-row">
        <ts-qr-code text=${this.link}></ts-qr-code>
        <div class="qr-side">
          <button class="primary" @click=${() => this.copy('link')}>
            ${copiedLink ? icons.check : icons.copy} ${copiedLink ? 'Copied' : 'Copy'}<span class="visually-hidden"> share link</span>
          </button>
          <p class="muted">Scan the code with a phone’s camera to open the link there.</p>
        </div>
      </div>
      <div>
        <label for="link">Share link</label>
        <input id="link" readonly .value=${this.link} @focus=${(e: FocusEvent) => (e.target as HTMLInputElement).select()} />
      </div>
      ${
        this.private
          ? html`<p class="private-note">
              ${icons.lock} Private link: the files were encrypted in this tab, and the key is the part after the “.” in this link. It is never sent to the
              tracker or to peers. Whoever has the link can read the files: send it only to them.
            </p>`
          : nothing
      }
      <p class="muted">Anyone who opens this link downloads from this tab and from everyone else who has the files. Keep this tab open while they do.</p>
      <div>
        <label for="magnet"
          >Magnet link
          <span class="muted"
            >${
              this.private
                ? '(no key: WebTorrent and other BitTorrent apps can carry the encrypted pieces, but not read them)'
                : '(for other BitTorrent apps that support WebRTC)'
            }</span
          ></label
        >
        <div class="row">
          <input id="magnet" readonly .value=${this.magnet} @focus=${(e: FocusEvent) => (e.target as HTMLInputElement).select()} />
          <button @click=${() => this.copy('magnet')}>
            ${this.copied === 'magnet' ? icons.check : icons.copy} ${this.copied === 'magnet' ? 'Copied' : 'Copy'}<span class="visually-hidden">
              magnet link</span
            >
          </button>
        </div>
      </div>
      <div>
        <button ?disabled=${!this.torrentFile} @click=${() => this.downloadTorrent()}>${icons.download} Download .torrent file</button>
      </div>
    </div>`;
  }

  private async copy(which: 'link' | 'magnet'): Promise<void> {
    const text = which === 'link' ? this.link : this.magnet;
    const input = this.renderRoot.querySelector<HTMLInputElement>(`#${which}`);
    const outcome = await copyText(text, input);
    const what = which === 'link' ? 'Share link' : 'Magnet link';
    if (outcome === 'copied') {
      this.copied = which;
      clearTimeout(this.copiedTimer);
      this.copiedTimer = setTimeout(() => (this.copied = undefined), 2000);
      emit(this, 'ts-announce', { message: `${what} copied.` });
    } else {
      emit(this, 'ts-announce', { message: `${what} selected: press Ctrl+C (⌘C on a Mac) to copy it.` });
    }
  }

  private downloadTorrent(): void {
    const bytes = this.torrentFile?.();
    if (bytes) downloadTorrentFile(this.name, bytes);
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'ts-share-panel': TsSharePanel;
  }
}
