import { css } from 'lit';

/** The look of a torrent's card (torrent-card.ts): its layout, state badges, numbers and sections. */
export const cardStyles = css`
  :host {
    display: block;
  }
  article {
    background: var(--ts-surface);
    border: 1px solid var(--ts-border);
    border-radius: 0.875rem;
    padding: 1rem 1.25rem;
    box-shadow: var(--ts-shadow);
    display: grid;
    gap: 0.85rem;
    min-width: 0;
  }
  .head {
    display: flex;
    flex-wrap: wrap;
    align-items: baseline;
    gap: 0.25rem 0.75rem;
  }
  h3 {
    margin: 0;
    font-size: 1.0625rem;
    overflow-wrap: anywhere;
    flex: 1 1 12rem;
    min-width: 0;
  }
  .badge {
    font-size: 0.8125rem;
    font-weight: 600;
    padding: 0.15rem 0.6rem;
    border-radius: 1rem;
    background: var(--ts-surface-2);
    color: var(--ts-fg);
    border: 1px solid var(--ts-border);
    white-space: nowrap;
  }
  .badge.downloading,
  .badge.metadata {
    background: var(--ts-accent-soft);
    border-color: transparent;
  }
  .badge.seeding,
  .badge.done {
    background: var(--ts-success-soft);
    color: var(--ts-success);
    border-color: transparent;
  }
  .badge.error {
    background: var(--ts-danger-soft);
    color: var(--ts-danger);
    border-color: transparent;
  }
  .hint {
    margin: -0.5rem 0 0;
    font-size: 0.875rem;
  }
  .unreachable {
    margin: 0;
    font-size: 0.875rem;
  }
  .private-note {
    display: flex;
    gap: 0.45rem;
    align-items: flex-start;
    margin: 0;
    font-size: 0.875rem;
  }
  .private-note .icon {
    flex: none;
    color: var(--ts-accent);
  }
  .private-note.failed {
    color: var(--ts-danger);
  }
  .unreachable button {
    margin-left: 0.25rem;
    padding: 0.1rem 0.5rem;
    font-size: 0.8125rem;
  }
  .progress {
    display: flex;
    align-items: center;
    gap: 0.75rem;
  }
  .fill {
    transition: width 0.4s ease;
  }
  .done .fill,
  .seeding .fill {
    background: var(--ts-piece-verified);
  }
  .pct {
    font-weight: 600;
    font-variant-numeric: tabular-nums;
    min-width: 3.2rem;
    text-align: right;
  }
  dl {
    display: grid;
    grid-template-columns: repeat(auto-fit, minmax(7rem, 1fr));
    gap: 0.6rem 1rem;
    margin: 0;
  }
  dl div {
    min-width: 0;
  }
  dl .wide {
    grid-column: span 2;
  }
  dt {
    font-size: 0.8125rem;
    color: var(--ts-muted);
  }
  dd {
    margin: 0.1rem 0 0;
    font-weight: 600;
    font-variant-numeric: tabular-nums;
    overflow-wrap: anywhere;
  }
  .actions {
    display: flex;
    flex-wrap: wrap;
    gap: 0.5rem;
  }
  .actions .remove {
    margin-left: auto;
  }
  details {
    border-top: 1px solid var(--ts-border);
    padding-top: 0.6rem;
    /* A wide table (the peers) scrolls inside its section instead of widening the page. */
    min-width: 0;
  }
  summary {
    cursor: pointer;
    font-weight: 600;
    padding: 0.3rem 0;
    border-radius: 0.25rem;
    list-style-position: inside;
  }
  summary .count {
    font-weight: 400;
    color: var(--ts-muted);
  }
  details[open] summary {
    margin-bottom: 0.6rem;
  }
  @media (max-width: 30rem) {
    article {
      padding: 0.9rem;
    }
    .actions button {
      flex: 1 1 auto;
    }
    .actions .remove {
      margin-left: 0;
    }
  }
`;
