import { LitElement, css, html } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { Torrent } from '../../client/index.js';
import { ATTRIBUTES, CSS_PROPERTIES, EVENTS, EVENTS_SNIPPET, OPTIONS_SNIPPET, PARTS, STYLE_SNIPPET, embedSnippet, type Entry } from '../embed-reference.js';
import { emit } from '../events.js';
import { icons } from '../icons.js';
import { controls } from '../styles.js';
import { copyText } from './share-panel.js';

/**
 * The Embed page: how to put a torrent in any page with `<tab-swarm>`, snippets to copy (one for each
 * of the person's torrents), and links to the example page (public/embed.html), which shows the
 * element live.
 *
 * @fires ts-announce - after copying a snippet
 */
@customElement('ts-embed-docs')
export class TsEmbedDocs extends LitElement {
  static override styles = [
    controls,
    css`
      :host {
        display: block;
      }
      article {
        display: grid;
        gap: 1.25rem;
      }
      section {
        display: grid;
        gap: 0.6rem;
        min-width: 0;
        padding: 1rem 1.25rem;
        background: var(--ts-surface);
        border: 1px solid var(--ts-border);
        border-radius: 0.875rem;
      }
      h2 {
        margin: 0;
        font-size: 1.35rem;
      }
      h3 {
        margin: 0;
        font-size: 1.0625rem;
      }
      p,
      ol {
        margin: 0;
      }
      ol {
        padding-left: 1.25rem;
        display: grid;
        gap: 0.35rem;
      }
      a {
        color: var(--ts-accent);
      }
      a.button {
        justify-self: start;
      }
      .snippet {
        display: grid;
        gap: 0.4rem;
        min-width: 0;
      }
      .snippet-head {
        display: flex;
        flex-wrap: wrap;
        align-items: center;
        justify-content: space-between;
        gap: 0.4rem 0.75rem;
      }
      .snippet-head strong {
        overflow-wrap: anywhere;
        min-width: 0;
      }
      pre {
        margin: 0;
        padding: 0.65rem 0.8rem;
        background: var(--ts-surface-2);
        border: 1px solid var(--ts-border);
        border-radius: 0.5rem;
        font-size: 0.8125rem;
        white-space: pre-wrap;
        overflow-wrap: anywhere;
      }
      code {
        font-family: ui-monospace, 'SFMono-Regular', Menlo, Consolas, monospace;
      }
      dl {
        margin: 0;
        display: grid;
        gap: 0.5rem;
      }
      dl div {
        display: grid;
        gap: 0.1rem;
      }
      dt code {
        font-weight: 600;
      }
      dd {
        margin: 0;
        overflow-wrap: anywhere;
      }
      button {
        min-height: 2.25rem;
        padding: 0.35rem 0.7rem;
      }
    `,
  ];

  /** The person's torrents: each gets a snippet of its own. */
  @property({ attribute: false }) torrents: Torrent[] = [];
  /** The app's URL (the example page and the module are beside it). */
  @property() base = '';

  override render() {
    const example = new URL('embed.html', this.base || location.href).href;
    return html`<article aria-labelledby="embed-title">
      <h2 id="embed-title">Embed a torrent in any page</h2>
      <section aria-labelledby="how">
        <h3 id="how">How</h3>
        <ol>
          <li>
            Put <a href="tabswarm-element.js" download>tabswarm-element.js</a> and <a href="tabswarm-sw.js" download>tabswarm-sw.js</a> in one folder of your
            site, such as its root (<code>npm run build</code> writes both to <code>dist/</code>).
          </li>
          <li>Add the element to a page, with a magnet link, a share link or the URL of a .torrent file.</li>
        </ol>
        ${this.renderSnippet('The snippet', embedSnippet('magnet:?xt=urn:btih:…'))}
        <p>
          A video or audio file plays while it downloads, streamed by the service worker (the page must be inside the worker’s folder, and served over https or
          from localhost); an image is shown; any other file gets a card with its progress, peers, speed and a save button. Where no service worker can run, the
          file is shown once it is downloaded. All elements of a page share one connection to the swarm, and an element removed from the page stops its
          download.
        </p>
        <a class="button" href=${example} target="_blank" rel="noopener">See the example page</a>
      </section>
      <section aria-labelledby="yours">
        <h3 id="yours">Your torrents</h3>
        ${
          this.torrents.length === 0
            ? html`<p class="muted">Share a file, and a snippet that shows it appears here.</p>`
            : this.torrents.map(
                (t) =>
                  html`${this.renderSnippet(t.name, embedSnippet(t.magnetURI))}
                    <a href=${`${example}#${t.magnetURI}`} target="_blank" rel="noopener">Open ${t.name} in the example page</a>`,
              )
        }
      </section>
      <section aria-labelledby="attributes">
        <h3 id="attributes">Attributes</h3>
        ${this.renderList(ATTRIBUTES)}
      </section>
      <section aria-labelledby="events">
        <h3 id="events">Events</h3>
        <p>They bubble and leave shadow roots (composed).</p>
        ${this.renderList(EVENTS)} ${this.renderSnippet('Listening', EVENTS_SNIPPET)}
      </section>
      <section aria-labelledby="styling">
        <h3 id="styling">Styling</h3>
        <p>Custom properties, set on the element or any ancestor:</p>
        ${this.renderList(CSS_PROPERTIES)}
        <p>Parts, styled with <code>tab-swarm::part(name)</code>:</p>
        ${this.renderList(PARTS)} ${this.renderSnippet('For example', STYLE_SNIPPET)}
      </section>
      <section aria-labelledby="options">
        <h3 id="options">Trackers, STUN and TURN servers, the worker’s place</h3>
        <p>
          Options for every element of the page, set before the first one loads. Without them, each torrent announces to the trackers of its link, peers connect
          only where they reach each other directly, and the worker is the <code>tabswarm-sw.js</code> beside the module. A TURN server relays peers that cannot
          reach each other; <code>rtcConfig</code> takes a whole <code>RTCConfiguration</code> instead (<code>iceTransportPolicy: 'relay'</code> connects only
          through it).
        </p>
        ${this.renderSnippet('Options', OPTIONS_SNIPPET)}
      </section>
    </article>`;
  }

  private renderList(entries: Entry[]) {
    return html`<dl>
      ${entries.map(
        (e) =>
          html`<div>
            <dt><code>${e.name}</code></dt>
            <dd>${e.description}</dd>
          </div>`,
      )}
    </dl>`;
  }

  private renderSnippet(title: string, code: string) {
    return html`<div class="snippet">
      <div class="snippet-head">
        <strong>${title}</strong>
        <button @click=${() => void this.copy(title, code)}>${icons.copy} Copy<span class="visually-hidden"> ${title}</span></button>
      </div>
      <pre><code>${code}</code></pre>
    </div>`;
  }

  private async copy(title: string, code: string): Promise<void> {
    const outcome = await copyText(code, null);
    emit(this, 'ts-announce', { message: outcome === 'copied' ? `${title}: copied.` : `${title}: select the code and copy it.` });
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'ts-embed-docs': TsEmbedDocs;
  }
}
