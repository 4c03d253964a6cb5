import { LitElement, css, html, nothing, type PropertyValues } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { PreviewKind } from '../../sw/http.js';
import { emit } from '../events.js';
import { icons } from '../icons.js';
import { controls } from '../styles.js';

/**
 * One file shown in the page from its stream URL (the service worker's): a video or audio player,
 * an image, a PDF or text in a frame. It plays while the file downloads: the worker waits for the
 * pieces the player reads, and those are fetched first.
 *
 * @fires ts-preview-close - the close button was pressed
 * @csspart media - the player, image or frame
 */
@customElement('ts-file-preview')
export class TsFilePreview extends LitElement {
  static override styles = [
    controls,
    css`
      :host {
        display: block;
      }
      /* Out of sight but laid out: a player hidden with display: none reads its first bytes but, in
         Chromium, does not decode its first frame until shown. */
      :host([held]) {
        position: absolute;
        width: 1px;
        height: 1px;
        overflow: hidden;
        clip-path: inset(50%);
        pointer-events: none;
      }
      figure {
        margin: 0;
        display: grid;
        gap: 0.5rem;
      }
      figcaption {
        display: flex;
        align-items: center;
        gap: 0.75rem;
        font-size: 0.9375rem;
      }
      figcaption span {
        flex: 1;
        min-width: 0;
        overflow-wrap: anywhere;
      }
      video,
      img,
      iframe {
        display: block;
        width: 100%;
        max-height: 70vh;
        border-radius: 0.5rem;
        background: #000;
      }
      img {
        width: auto;
        max-width: 100%;
        background: none;
      }
      iframe {
        height: 60vh;
        border: 1px solid var(--ts-border);
        background: var(--ts-surface-2);
      }
      audio {
        width: 100%;
      }
      button {
        min-height: 2.25rem;
        padding: 0.35rem 0.7rem;
      }
    `,
  ];

  /** The stream URL. */
  @property() src = '';
  @property() kind: PreviewKind | undefined;
  /** The file's name (and path), for the caption and the accessible names. */
  @property() name = '';
  /**
   * Loaded ahead and out of sight: a player is made and reads its first bytes, paused, until this
   * turns false (Play pressed); then it shows and plays at once.
   */
  @property({ type: Boolean, reflect: true }) held = false;

  override render() {
    if (!this.src || !this.kind) return nothing;
    return html`<figure ?inert=${this.held} aria-hidden=${this.held ? 'true' : nothing}>
      <figcaption>
        <span>${this.name}</span>
        <button @click=${() => emit(this, 'ts-preview-close', {})}>${icons.close} Close<span class="visually-hidden"> ${this.name}</span></button>
      </figcaption>
      ${this.renderMedia()}
    </figure>`;
  }

  protected override updated(changed: PropertyValues<this>): void {
    // Play pressed on a player loaded ahead: `autoplay` no longer applies to it, so it is started
    // (within the click's user activation).
    if (changed.get('held') === true && !this.held) {
      const media = this.renderRoot.querySelector<HTMLMediaElement>('video, audio');
      media?.play().catch(() => {
        // Refused (no user activation left, say): its controls still start it.
      });
    }
  }

  private renderMedia() {
    const label = this.name;
    switch (this.kind) {
      case 'video':
        return html`<video part="media" src=${this.src} controls ?autoplay=${!this.held} playsinline preload="auto" aria-label=${label}></video>`;
      case 'audio':
        return html`<audio part="media" src=${this.src} controls ?autoplay=${!this.held} preload="auto" aria-label=${label}></audio>`;
      case 'image':
        return html`<img part="media" src=${this.src} alt=${label} />`;
      case 'pdf':
        return html`<iframe part="media" src=${this.src} title=${label}></iframe>`;
      case 'text':
        return html`<iframe part="media" src=${this.src} title=${label} sandbox=""></iframe>`;
      default:
        return nothing;
    }
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'ts-file-preview': TsFilePreview;
  }
}
