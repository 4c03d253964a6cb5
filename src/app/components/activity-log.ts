import { LitElement, css, html, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { LogEntry } from '../state/client-controller.js';
import { controls } from '../styles.js';
import { formatClockTime } from '../../shared/format.js';

/** The client's warnings, newest first, folded away: for the curious and for bug reports. */
@customElement('ts-activity-log')
export class TsActivityLog extends LitElement {
  static override styles = [
    controls,
    css`
      :host {
        display: block;
      }
      summary {
        cursor: pointer;
        font-size: 0.875rem;
        padding: 0.3rem 0;
        border-radius: 0.25rem;
      }
      ol {
        list-style: none;
        margin: 0.5rem 0 0;
        padding: 0.5rem 0.75rem;
        max-height: 14rem;
        overflow: auto;
        background: var(--ts-surface);
        border: 1px solid var(--ts-border);
        border-radius: 0.5rem;
        font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace;
        font-size: 0.8125rem;
      }
      li {
        padding: 0.15rem 0;
        overflow-wrap: anywhere;
      }
      time {
        color: var(--ts-muted);
        margin-right: 0.5rem;
      }
    `,
  ];

  @property({ attribute: false }) entries: LogEntry[] = [];

  override render() {
    if (this.entries.length === 0) return nothing;
    return html`<details>
      <summary class="muted">Activity log (${this.entries.length})</summary>
      <ol tabindex="0" aria-label="Activity log">
        ${[...this.entries].reverse().map((e) => html`<li><time datetime=${new Date(e.time).toISOString()}>${formatClockTime(e.time)}</time>${e.message}</li>`)}
      </ol>
    </details>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'ts-activity-log': TsActivityLog;
  }
}
