import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import { errorMessage } from '../../core/errors.js';
import { emit } from '../events.js';
import { icons } from '../icons.js';
import { fieldsToSettings, settingsToFields, type FieldErrors, type SettingsFields } from '../state/settings-form.js';
import { DEFAULT_SETTINGS, type Settings, type ShareVersion, type Theme } from '../state/settings.js';
import { controls, dialogSurface } from '../styles.js';

/** Whether this page may offer to open `magnet:` links (a secure context with the API). */
export function canRegisterMagnetHandler(): boolean {
  return typeof navigator.registerProtocolHandler === 'function' && window.isSecureContext;
}

const THEMES: { value: Theme; label: string }[] = [
  { value: 'system', label: 'As the system' },
  { value: 'light', label: 'Light' },
  { value: 'dark', label: 'Dark' },
];

const SHARE_VERSIONS: { value: ShareVersion; label: string }[] = [
  { value: 'v1', label: 'BitTorrent v1 (every client, WebTorrent too)' },
  { value: 'hybrid', label: 'Hybrid v1 and v2 (every client; v2 clients verify each 16 KiB block)' },
  { value: 'v2', label: 'BitTorrent v2 only (v2 clients only: not WebTorrent)' },
];

/**
 * The settings panel, a modal `<dialog>`: trackers, ICE servers, peer limits, rate limits, the kind of
 * torrent shared files become, and theme,
 * checked field by field, and the offer to open magnet links with tabswarm.
 *
 * @fires ts-settings-save - `{ settings }`, valid settings to save and apply
 */
@customElement('ts-settings-dialog')
export class TsSettingsDialog extends LitElement {
  static override styles = [
    controls,
    dialogSurface,
    css`
      dialog {
        width: min(40rem, calc(100vw - 1.5rem));
        max-height: calc(100dvh - 1.5rem);
        padding: 0;
      }
      form {
        display: grid;
        gap: 1.1rem;
        padding: 1.25rem;
      }
      .title {
        display: flex;
        align-items: center;
        justify-content: space-between;
        gap: 1rem;
      }
      h2 {
        margin: 0;
        font-size: 1.25rem;
      }
      button.close {
        width: 2.5rem;
        padding: 0;
      }
      fieldset {
        border: 1px solid var(--ts-border);
        border-radius: 0.75rem;
        padding: 0.75rem 1rem 1rem;
        margin: 0;
        display: grid;
        gap: 0.85rem;
        min-width: 0;
      }
      legend {
        font-weight: 700;
        padding: 0 0.35rem;
      }
      label {
        display: block;
        font-weight: 600;
        font-size: 0.9375rem;
        margin-bottom: 0.3rem;
      }
      textarea {
        width: 100%;
        min-height: 4.5rem;
        resize: vertical;
        font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace;
        font-size: 0.8125rem;
      }
      .pair {
        display: grid;
        grid-template-columns: repeat(auto-fit, minmax(min(100%, 12rem), 1fr));
        gap: 0.85rem 1rem;
      }
      .pair input {
        width: 100%;
      }
      .help {
        margin: 0.3rem 0 0;
        font-size: 0.8125rem;
        color: var(--ts-muted);
      }
      .error {
        margin: 0.3rem 0 0;
        font-size: 0.875rem;
        color: var(--ts-danger);
        font-weight: 600;
      }
      [aria-invalid='true'] {
        border-color: var(--ts-danger);
      }
      .note {
        margin: 0;
        padding: 0.6rem 0.75rem;
        border-radius: 0.5rem;
        background: var(--ts-info-soft);
        font-size: 0.875rem;
      }
      .radios {
        display: flex;
        flex-wrap: wrap;
        gap: 0.5rem 1.25rem;
      }
      .radios label {
        display: flex;
        align-items: center;
        gap: 0.45rem;
        font-weight: 400;
        margin: 0;
        cursor: pointer;
      }
      .buttons {
        display: flex;
        flex-wrap: wrap;
        justify-content: flex-end;
        gap: 0.5rem;
      }
      p {
        margin: 0;
      }
      @media (max-width: 30rem) {
        form {
          padding: 1rem;
        }
        fieldset {
          padding: 0.6rem 0.75rem 0.85rem;
        }
      }
    `,
  ];

  /** The settings the panel opens with. */
  @property({ attribute: false }) settings: Settings = DEFAULT_SETTINGS;
  /** The app's default trackers, shown when the person set none. */
  @property({ attribute: false }) defaults: string[] = [];
  /** The site's STUN/TURN servers (config.json), used when the person set none; their URLs are shown. */
  @property({ attribute: false }) iceDefaults: RTCIceServer[] = [];
  @state() private fields: SettingsFields = settingsToFields(DEFAULT_SETTINGS);
  @state() private errors: FieldErrors = {};
  @state() private handlerStatus = '';
  /** Null until the first render. */
  @query('dialog') private dialog!: HTMLDialogElement | null;

  get open(): boolean {
    return this.dialog?.open ?? false;
  }

  /** Opens the panel with the current settings. */
  async show(): Promise<void> {
    this.fields = settingsToFields(this.settings);
    this.errors = {};
    this.handlerStatus = '';
    await this.updateComplete;
    const dialog = this.dialog!; // rendered by now
    if (!dialog.open) dialog.showModal();
  }

  close(): void {
    this.dialog?.close();
  }

  override render() {
    const f = this.fields;
    const e = this.errors;
    return html`<dialog aria-labelledby="settings-title" @close=${() => (this.errors = {})}>
      <form method="dialog" novalidate @submit=${(e: SubmitEvent) => this.onSubmit(e)}>
        <div class="title">
          <h2 id="settings-title">Settings</h2>
          <button class="close quiet" type="button" @click=${() => this.close()}>${icons.close}<span class="visually-hidden">Close settings</span></button>
        </div>

        <fieldset>
          <legend>Connections</legend>
          <p class="note">
            Changing trackers, ICE servers or peer limits reconnects tabswarm: transfers pause for a moment and your torrents come back by themselves.
          </p>
          <div>
            <label for="trackers">Trackers</label>
            <textarea
              id="trackers"
              rows="3"
              spellcheck="false"
              placeholder=${this.defaults.join('\n')}
              aria-describedby="trackers-help${e.trackers ? ' trackers-error' : ''}"
              aria-invalid=${e.trackers ? 'true' : 'false'}
              .value=${f.trackers}
              @input=${(ev: Event) => this.set('trackers', (ev.target as HTMLTextAreaElement).value)}
            ></textarea>
            <p class="help" id="trackers-help">
              One ws:// or wss:// URL per line; they help peers find each other. Empty: the
              default${this.defaults.length > 0 ? ` (${this.defaults.join(', ')})` : ''}.
            </p>
            ${e.trackers ? html`<p class="error" id="trackers-error">${e.trackers}</p>` : nothing}
          </div>
          <div>
            <label for="ice">ICE servers (STUN and TURN)</label>
            <textarea
              id="ice"
              rows="3"
              spellcheck="false"
              placeholder="stun:stun.example.org:3478&#10;turn:turn.example.org:3478 user secret"
              aria-describedby="ice-help${e.iceServers ? ' ice-error' : ''}"
              aria-invalid=${e.iceServers ? 'true' : 'false'}
              .value=${f.iceServers}
              @input=${(ev: Event) => this.set('iceServers', (ev.target as HTMLTextAreaElement).value)}
            ></textarea>
            <p class="help" id="ice-help">
              One per line: <code>stun:host:port</code>, or <code>turn:host:port username credential</code>. They let peers behind different routers connect; a
              TURN server relays peers that cannot reach each other at all.
              ${
                this.iceDefaults.length > 0
                  ? `Empty: this site's (${this.iceDefaults.flatMap((s) => (typeof s.urls === 'string' ? [s.urls] : s.urls)).join(', ')}).`
                  : 'Empty: only peers that can reach each other directly connect.'
              }
            </p>
            ${e.iceServers ? html`<p class="error" id="ice-error">${e.iceServers}</p>` : nothing}
          </div>
          <div class="pair">
            ${this.numberField('maxPeers', 'Peers at most, in all', '1 to 1000')}
            ${this.numberField('maxPeersPerTorrent', 'Peers at most, per torrent', '1 to 1000')}
          </div>
        </fieldset>

        <fieldset>
          <legend>Speed limits</legend>
          <p class="help">Apply at once. Leave empty (or 0) for no limit.</p>
          <div class="pair">
            ${this.numberField('uploadLimit', 'Upload limit (KiB/s)', 'No limit')} ${this.numberField('downloadLimit', 'Download limit (KiB/s)', 'No limit')}
          </div>
        </fieldset>

        <fieldset>
          <legend>Sharing</legend>
          <div>
            <label for="share-version">Torrents of shared files</label>
            <select
              id="share-version"
              aria-describedby="share-version-help"
              @change=${(ev: Event) => this.set('shareVersion', (ev.target as HTMLSelectElement).value as ShareVersion)}
            >
              ${SHARE_VERSIONS.map((v) => html`<option .value=${v.value} ?selected=${f.shareVersion === v.value}>${v.label}</option>`)}
            </select>
            <p class="help" id="share-version-help">
              For files you share from now on. A hybrid torrent pads each file to whole pieces; both kinds download in tabswarm.
            </p>
          </div>
          <div>
            <label
              ><input
                type="checkbox"
                id="settings-share-private"
                aria-describedby="share-private-help"
                .checked=${f.sharePrivate}
                @change=${(ev: Event) => this.set('sharePrivate', (ev.target as HTMLInputElement).checked)}
              />
              Private links (end-to-end encrypted)</label
            >
            <p class="help" id="share-private-help">
              Files are encrypted in this tab before they are shared, and the key travels only in the share link. The tracker and peers without the link
              (WebTorrent apps too) can carry the pieces but not read them or their names. Private shares are always BitTorrent v1.
            </p>
          </div>
          <div>
            <label
              ><input
                type="checkbox"
                id="settings-super-seeding"
                aria-describedby="super-seeding-help"
                .checked=${f.superSeeding}
                @change=${(ev: Event) => this.set('superSeeding', (ev.target as HTMLInputElement).checked)}
              />
              Spare my upload (super seeding)</label
            >
            <p class="help" id="super-seeding-help">
              Once every piece has left this tab once, each receiver is given only pieces the others do not have, so they pass the rest among themselves. This
              tab then uploads about one copy of the file instead of up to two; receivers finish later. Reconnects when changed.
            </p>
          </div>
        </fieldset>

        <fieldset>
          <legend>Theme</legend>
          <div class="radios">
            ${THEMES.map(
              (t) =>
                html`<label
                  ><input type="radio" name="theme" .value=${t.value} .checked=${f.theme === t.value} @change=${() => this.set('theme', t.value)} />
                  ${t.label}</label
                >`,
            )}
          </div>
        </fieldset>

        ${
          canRegisterMagnetHandler()
            ? html`<fieldset>
                <legend>Magnet links</legend>
                <p class="help">Let this browser open magnet: links (from other sites) in tabswarm.</p>
                <div><button type="button" @click=${() => this.registerHandler()}>Open magnet links with tabswarm</button></div>
                ${this.handlerStatus ? html`<p class="help" role="status">${this.handlerStatus}</p>` : nothing}
              </fieldset>`
            : nothing
        }

        <div class="buttons">
          <button type="button" @click=${() => this.close()}>Cancel</button>
          <button class="primary" type="submit">Save</button>
        </div>
      </form>
    </dialog>`;
  }

  private numberField(key: 'maxPeers' | 'maxPeersPerTorrent' | 'uploadLimit' | 'downloadLimit', label: string, placeholder: string) {
    const error = this.errors[key];
    return html`<div>
      <label for=${key}>${label}</label>
      <input
        id=${key}
        type="text"
        inputmode=${key === 'uploadLimit' || key === 'downloadLimit' ? 'decimal' : 'numeric'}
        autocomplete="off"
        placeholder=${placeholder}
        aria-invalid=${error ? 'true' : 'false'}
        aria-describedby=${error ? `${key}-error` : nothing}
        .value=${this.fields[key]}
        @input=${(ev: Event) => this.set(key, (ev.target as HTMLInputElement).value)}
      />
      ${error ? html`<p class="error" id="${key}-error">${error}</p>` : nothing}
    </div>`;
  }

  private set<K extends keyof SettingsFields>(key: K, value: SettingsFields[K]): void {
    this.fields = { ...this.fields, [key]: value };
  }

  private async onSubmit(e: SubmitEvent): Promise<void> {
    e.preventDefault();
    const result = fieldsToSettings(this.fields);
    if ('errors' in result) {
      this.errors = result.errors;
      await this.updateComplete;
      this.renderRoot.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
      return;
    }
    emit(this, 'ts-settings-save', { settings: result.ok });
    this.close();
  }

  private registerHandler(): void {
    try {
      navigator.registerProtocolHandler('magnet', `${location.origin}${location.pathname}?magnet=%s`);
      this.handlerStatus = 'Asked the browser: confirm in its prompt (in the address bar in some browsers).';
    } catch (e) {
      this.handlerStatus = `The browser refused: ${errorMessage(e)}`;
    }
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'ts-settings-dialog': TsSettingsDialog;
  }
}
