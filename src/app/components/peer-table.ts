import { LitElement, css, html } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { Torrent } from '../../client/index.js';
import { NO_VALUE, formatPercent, formatRate } from '../../shared/format.js';
import { controls } from '../styles.js';

/** One connected peer (the client's index does not export its type). */
export type TorrentPeer = ReturnType<Torrent['peers']>[number];

/** A peer's client name, or a short form of its id when it gave none. */
export function peerName(p: Pick<TorrentPeer, 'client' | 'id'>): string {
  return p.client?.trim() || `Peer ${p.id.slice(0, 8)}`;
}

/** How a peer's connection goes: straight to it, or through a TURN relay (unknown for a moment after it connects). */
export function connectionLabel(kind: TorrentPeer['connection']): string {
  return kind === 'relay' ? 'Relayed' : kind === 'direct' ? 'Direct' : NO_VALUE;
}

/**
 * The swarm of one torrent: each connected peer's client, how the connection goes (direct or
 * relayed), transfer rates both ways and progress.
 */
@customElement('ts-peer-table')
export class TsPeerTable extends LitElement {
  static override styles = [
    controls,
    css`
      :host {
        display: block;
      }
      .scroll {
        overflow-x: auto;
      }
      table {
        width: 100%;
        border-collapse: collapse;
        font-size: 0.875rem;
        font-variant-numeric: tabular-nums;
      }
      th,
      td {
        padding: 0.4rem 0.5rem;
        text-align: right;
        border-bottom: 1px solid var(--ts-border);
        white-space: nowrap;
      }
      th:first-child,
      td:first-child {
        text-align: left;
        white-space: normal;
        overflow-wrap: break-word;
        min-width: 7rem;
        padding-left: 0;
      }
      th {
        white-space: normal;
        vertical-align: bottom;
      }
      th:last-child,
      td:last-child {
        padding-right: 0;
      }
      th {
        font-weight: 600;
        color: var(--ts-muted);
      }
      .bar {
        display: inline-block;
        width: 3rem;
        height: 0.4rem;
        margin-right: 0.4rem;
        vertical-align: middle;
        border-radius: 1rem;
        background: var(--ts-piece-missing);
        overflow: hidden;
      }
      .bar span {
        display: block;
        height: 100%;
        background: var(--ts-piece-verified);
      }
      p {
        margin: 0;
        font-size: 0.875rem;
      }
      @media (max-width: 30rem) {
        .bar {
          display: none;
        }
      }
    `,
  ];

  @property({ attribute: false }) peers: TorrentPeer[] = [];

  override render() {
    if (this.peers.length === 0) return html`<p class="muted">No peers connected.</p>`;
    return html`<div class="scroll">
      <table>
        <caption class="visually-hidden">
          Connected peers
        </caption>
        <thead>
          <tr>
            <th scope="col">Client</th>
            <th scope="col">Connection</th>
            <th scope="col"><span aria-hidden="true">↓</span> From them</th>
            <th scope="col"><span aria-hidden="true">↑</span> To them</th>
            <th scope="col">Has</th>
          </tr>
        </thead>
        <tbody>
          ${this.peers.map(
            (p) =>
              html`<tr>
                <td>${peerName(p)}</td>
                <td>${connectionLabel(p.connection)}</td>
                <td>${formatRate(p.downloadSpeed)}</td>
                <td>${formatRate(p.uploadSpeed)}</td>
                <td>
                  <span class="bar" aria-hidden="true"><span style="width:${Math.round(p.progress * 100)}%"></span></span>${formatPercent(p.progress)}
                </td>
              </tr>`,
          )}
        </tbody>
      </table>
    </div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'ts-peer-table': TsPeerTable;
  }
}
