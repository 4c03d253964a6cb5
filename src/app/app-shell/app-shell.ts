import { LitElement, css, html } from 'lit';
import { customElement } from 'lit/decorators.js';

/**
 * The tabswarm application shell.
 *
 * @csspart header - the page header
 */
@customElement('tabswarm-app')
export class TabswarmApp extends LitElement {
  static override styles = css`
    :host {
      display: block;
      font-family: system-ui, sans-serif;
      color: var(--tabswarm-fg, CanvasText);
      background: var(--tabswarm-bg, Canvas);
      min-height: 100vh;
    }
    header {
      padding: 1rem 1.5rem;
      border-bottom: 1px solid color-mix(in srgb, currentColor 15%, transparent);
    }
    h1 {
      margin: 0;
      font-size: 1.5rem;
    }
    main {
      padding: 1.5rem;
      max-width: 60rem;
      margin: 0 auto;
    }
  `;

  override render() {
    return html`
      <header part="header"><h1>tabswarm</h1></header>
      <main>
        <p>BitTorrent in a browser tab. Drop a file to share it by link; open a link to download it from every tab that has it.</p>
      </main>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'tabswarm-app': TabswarmApp;
  }
}
