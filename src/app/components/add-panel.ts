import { LitElement, css, html } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import { filesFromInput } from '../drop.js';
import { emit } from '../events.js';
import { icons } from '../icons.js';
import { controls } from '../styles.js';

/**
 * The two ways in: share (pick files or a folder; dropping anywhere works too) and receive (paste a
 * magnet or share link, or open a .torrent file).
 *
 * @fires ts-seed - files picked to share
 * @fires ts-add - a link pasted, or a .torrent file opened
 */
@customElement('ts-add-panel')
export class TsAddPanel extends LitElement {
  static override styles = [
    controls,
    css`
      :host {
        display: grid;
        grid-template-columns: repeat(auto-fit, minmax(min(100%, 22rem), 1fr));
        gap: 1rem;
      }
      section {
        background: var(--ts-surface);
        border: 1px solid var(--ts-border);
        border-radius: 0.875rem;
        padding: 1.1rem 1.25rem 1.25rem;
        box-shadow: var(--ts-shadow);
        min-width: 0;
      }
      h2 {
        display: flex;
        align-items: center;
        gap: 0.5rem;
        margin: 0 0 0.35rem;
        font-size: 1.125rem;
      }
      h2 .icon {
        color: var(--ts-accent);
      }
      p {
        margin: 0 0 0.9rem;
      }
      .buttons {
        display: flex;
        flex-wrap: wrap;
        gap: 0.5rem;
      }
      .drop-hint {
        margin-top: 0.9rem;
        padding: 0.6rem 0.75rem;
        border: 2px dashed var(--ts-border);
        border-radius: 0.6rem;
        text-align: center;
        font-size: 0.875rem;
      }
      form {
        display: flex;
        flex-wrap: wrap;
        gap: 0.5rem;
        margin-bottom: 0.75rem;
      }
      form input {
        flex: 1 1 12rem;
        min-width: 0;
      }
      .or {
        display: flex;
        align-items: center;
        flex-wrap: wrap;
        gap: 0.5rem;
        font-size: 0.875rem;
      }
      input[type='file'] {
        display: none;
      }
      label.private {
        display: flex;
        align-items: center;
        gap: 0.45rem;
        margin-top: 0.9rem;
        font-weight: 600;
        font-size: 0.9375rem;
      }
      label.private .icon {
        color: var(--ts-accent);
      }
      .private-help {
        margin: 0.25rem 0 0;
        font-size: 0.8125rem;
      }
      :host([compact]) .private-help {
        display: none;
      }
      :host([compact]) .intro {
        display: none;
      }
      :host([compact]) h2 {
        margin-bottom: 0.75rem;
      }
      @media (max-width: 30rem) {
        section {
          padding: 0.9rem 1rem 1rem;
        }
        .drop-hint {
          display: none;
        }
        form input {
          flex-basis: 100%;
        }
      }
    `,
  ];

  /** No WebRTC, or the client is not ready: the buttons are disabled. */
  @property({ type: Boolean }) disabled = false;
  /** Files shared become private shares (the setting; the checkbox changes it). */
  @property({ type: Boolean }) sharePrivate = false;
  /** Leaves out the explanations (there are torrents already: the person knows the app). */
  @property({ type: Boolean, reflect: true }) compact = false;
  @state() private link = '';
  @query('#files') private filesInput!: HTMLInputElement;
  @query('#folder') private folderInput!: HTMLInputElement;
  @query('#torrent-file') private torrentInput!: HTMLInputElement;

  override render() {
    const d = this.disabled;
    return html`
      <section aria-labelledby="share-heading">
        <h2 id="share-heading">${icons.upload} Share files</h2>
        <p class="intro muted">Pick files or a folder: you get a link at once. Whoever opens it downloads straight from this tab.</p>
        <div class="buttons">
          <button class="primary" ?disabled=${d} @click=${() => this.filesInput.click()}>${icons.file} Choose files</button>
          <button ?disabled=${d} @click=${() => this.folderInput.click()}>${icons.folder} Choose a folder</button>
        </div>
        <input id="files" type="file" multiple aria-label="Files to share" @change=${(e: Event) => this.onFiles(e)} />
        <input id="folder" type="file" webkitdirectory aria-label="Folder to share" @change=${(e: Event) => this.onFiles(e)} />
        <p class="drop-hint muted" aria-hidden="true">…or drop files and folders anywhere on this page</p>
        <label class="private">
          <input
            id="share-private"
            type="checkbox"
            .checked=${this.sharePrivate}
            ?disabled=${d}
            aria-describedby="share-private-help"
            @change=${(e: Event) => emit(this, 'ts-share-private', { private: (e.target as HTMLInputElement).checked })}
          />
          ${icons.lock} Private link (end-to-end encrypted)
        </label>
        <p class="private-help muted" id="share-private-help">
          Files are encrypted in this tab before they are shared; the key is only in the link. Trackers and peers without the link, WebTorrent apps among them,
          can pass the pieces on but not read them, nor see the file names.
        </p>
      </section>
      <section aria-labelledby="receive-heading">
        <h2 id="receive-heading">${icons.download} Download</h2>
        <p class="intro muted">Opening a share link starts the download. You can also paste a link here.</p>
        <form @submit=${(e: SubmitEvent) => this.onSubmit(e)}>
          <label class="visually-hidden" for="magnet">Magnet or share link</label>
          <input
            id="magnet"
            type="text"
            inputmode="url"
            autocomplete="off"
            spellcheck="false"
            placeholder="Paste a magnet or share link"
            .value=${this.link}
            @input=${(e: Event) => (this.link = (e.target as HTMLInputElement).value)}
            ?disabled=${d}
          />
          <button class="primary" type="submit" ?disabled=${d || this.link.trim() === ''}>Download</button>
        </form>
        <div class="or">
          <span class="muted">Have a .torrent file?</span>
          <button ?disabled=${d} @click=${() => this.torrentInput.click()}>Open .torrent file</button>
          <input
            id="torrent-file"
            type="file"
            accept=".torrent,application/x-bittorrent"
            aria-label=".torrent file to open"
            @change=${(e: Event) => this.onTorrentFile(e)}
          />
        </div>
      </section>
    `;
  }

  private onFiles(e: Event): void {
    const input = e.target as HTMLInputElement;
    const files = filesFromInput(input.files ?? []);
    input.value = ''; // picking the same files again fires change again
    if (files.length > 0) emit(this, 'ts-seed', { files });
  }

  private async onTorrentFile(e: Event): Promise<void> {
    const input = e.target as HTMLInputElement;
    const file = input.files?.[0];
    input.value = '';
    if (!file) return;
    emit(this, 'ts-add', { source: new Uint8Array(await file.arrayBuffer()), from: 'torrent-file' });
  }

  private onSubmit(e: SubmitEvent): void {
    e.preventDefault();
    const text = this.link.trim();
    if (!text) return;
    // A share link becomes a magnet link where it is added (which explains a broken one).
    emit(this, 'ts-add', { source: text, from: 'link' });
  }

  /** Empties the link field (after the link was added; a wrong one stays, to be corrected). */
  clearLink(): void {
    this.link = '';
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'ts-add-panel': TsAddPanel;
  }
}
