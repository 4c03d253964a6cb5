import { LitElement, css, html } from 'lit';
import { customElement, query, state } from 'lit/decorators.js';
import type { Torrent } from '../../client/index.js';
import { emit } from '../events.js';
import { formatBytes } from '../../shared/format.js';
import { controls, dialogSurface } from '../styles.js';

/**
 * Confirms removing a torrent, and whether to keep its downloaded data in the browser (adding it
 * again then resumes at once) or delete it.
 *
 * @fires ts-remove-confirm - `{ torrent, deleteData }`
 */
@customElement('ts-remove-dialog')
export class TsRemoveDialog extends LitElement {
  static override styles = [
    controls,
    dialogSurface,
    css`
      dialog {
        width: min(30rem, calc(100vw - 1.5rem));
        padding: 1.25rem;
      }
      h2 {
        margin: 0 0 0.75rem;
        font-size: 1.2rem;
        overflow-wrap: anywhere;
      }
      fieldset {
        border: 0;
        padding: 0;
        margin: 0 0 1.25rem;
        display: grid;
        gap: 0.6rem;
      }
      legend {
        padding: 0;
        margin-bottom: 0.6rem;
      }
      label {
        display: flex;
        gap: 0.6rem;
        align-items: flex-start;
        padding: 0.6rem 0.75rem;
        border: 1px solid var(--ts-border);
        border-radius: 0.6rem;
        cursor: pointer;
      }
      label:has(input:checked) {
        border-color: var(--ts-accent);
        background: var(--ts-accent-soft);
      }
      input {
        margin-top: 0.15rem;
      }
      small {
        display: block;
        color: var(--ts-muted);
      }
      .buttons {
        display: flex;
        flex-wrap: wrap;
        justify-content: flex-end;
        gap: 0.5rem;
      }
    `,
  ];

  @state() private torrent: Torrent | undefined;
  @state() private deleteData = false;
  @query('dialog') private dialog!: HTMLDialogElement;

  async show(torrent: Torrent): Promise<void> {
    this.torrent = torrent;
    this.deleteData = false;
    await this.updateComplete;
    if (!this.dialog.open) this.dialog.showModal();
  }

  override render() {
    const t = this.torrent;
    const stored = t ? formatBytes(Math.round(t.progress * t.length)) : '';
    return html`<dialog aria-labelledby="remove-title" aria-describedby="remove-legend">
      <form method="dialog" @submit=${(e: SubmitEvent) => this.onSubmit(e)}>
        <h2 id="remove-title">Remove “${t?.name ?? ''}”?</h2>
        <fieldset>
          <legend id="remove-legend">It stops downloading and sharing. Its data in this browser:</legend>
          <label>
            <input type="radio" name="data" .checked=${!this.deleteData} @change=${() => (this.deleteData = false)} />
            <span>Keep it<small>Adding the same link again resumes at once.</small></span>
          </label>
          <label>
            <input type="radio" name="data" .checked=${this.deleteData} @change=${() => (this.deleteData = true)} />
            <span>Delete it<small>Frees ${stored} of browser storage. Files you saved stay on your device.</small></span>
          </label>
        </fieldset>
        <div class="buttons">
          <button type="button" @click=${() => this.dialog.close()}>Cancel</button>
          <button class="primary danger" type="submit">Remove</button>
        </div>
      </form>
    </dialog>`;
  }

  private onSubmit(e: SubmitEvent): void {
    e.preventDefault();
    const t = this.torrent;
    this.dialog.close();
    if (t) emit(this, 'ts-remove-confirm', { torrent: t, deleteData: this.deleteData });
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'ts-remove-dialog': TsRemoveDialog;
  }
}
