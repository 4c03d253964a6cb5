import { LitElement, css, html, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { repeat } from 'lit/directives/repeat.js';
import { emit } from '../events.js';
import { icons } from '../icons.js';
import type { Notice } from '../state/notices.js';
import { controls } from '../styles.js';
import { displayName } from '../../shared/format.js';

/**
 * Notices: what went wrong (or what the app is waiting for) and the next step, each with an
 * optional action button and a dismiss button. A polite live region, so new ones are read out.
 *
 * @fires ts-notice-action - `{ notice }`
 * @fires ts-notice-dismiss - `{ id }`
 */
@customElement('ts-notices')
export class TsNotices extends LitElement {
  static override styles = [
    controls,
    css`
      :host {
        display: block;
      }
      ul {
        list-style: none;
        margin: 0;
        padding: 0;
        display: grid;
        gap: 0.6rem;
      }
      ul.some {
        margin-bottom: 1.25rem;
      }
      li {
        display: flex;
        gap: 0.75rem;
        align-items: flex-start;
        padding: 0.75rem 0.9rem;
        border-radius: 0.75rem;
        border: 1px solid var(--ts-border);
        border-left-width: 4px;
        background: var(--ts-surface);
        color: var(--ts-fg);
      }
      li.error {
        border-color: var(--ts-danger);
        background: var(--ts-danger-soft);
      }
      li.warning {
        border-color: var(--ts-warning);
        background: var(--ts-warning-soft);
      }
      li.info {
        border-color: var(--ts-accent);
        background: var(--ts-info-soft);
      }
      .sign {
        flex: none;
        margin-top: 0.15rem;
      }
      li.error .sign {
        color: var(--ts-danger);
      }
      li.warning .sign {
        color: var(--ts-warning);
      }
      li.info .sign {
        color: var(--ts-accent);
      }
      .body {
        flex: 1;
        min-width: 0;
        overflow-wrap: anywhere;
      }
      strong {
        display: block;
      }
      p {
        margin: 0.2rem 0 0;
        font-size: 0.9375rem;
      }
      .buttons {
        display: flex;
        flex-wrap: wrap;
        gap: 0.5rem;
        margin-top: 0.6rem;
      }
      .buttons button {
        min-height: 2.25rem;
        padding: 0.35rem 0.8rem;
      }
      button.dismiss {
        flex: none;
        min-height: 2.25rem;
        width: 2.25rem;
        padding: 0;
      }
    `,
  ];

  @property({ attribute: false }) notices: Notice[] = [];

  override render() {
    return html`<ul class=${this.notices.length > 0 ? 'some' : ''} aria-live="polite" aria-label="Notices">
      ${repeat(
        this.notices,
        (n) => n.id,
        (n) =>
          html`<li class=${n.level}>
            <span class="sign">${n.level === 'info' ? icons.info : icons.alert}</span>
            <div class="body">
              <strong>${displayName(n.title)}</strong>
              <p>${displayName(n.message)}</p>
              ${
                n.action
                  ? html`<div class="buttons"><button @click=${() => emit(this, 'ts-notice-action', { notice: n })}>${n.action.label}</button></div>`
                  : nothing
              }
            </div>
            ${
              n.dismissible
                ? html`<button class="dismiss quiet" title="Dismiss" @click=${() => emit(this, 'ts-notice-dismiss', { id: n.id })}>
                    ${icons.close}<span class="visually-hidden">Dismiss: ${displayName(n.title)}</span>
                  </button>`
                : nothing
            }
          </li>`,
      )}
    </ul>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'ts-notices': TsNotices;
  }
}
