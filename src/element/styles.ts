/**
 * The styles of `<tab-swarm>`. Everything a page may change is a custom property (inherited, so it
 * can be set on the element or on any ancestor) or a `::part` (see the element's JSDoc). The
 * defaults follow the page's text colour, so the element fits light and dark pages alike.
 */
import { css } from 'lit';

export const styles = css`
  :host {
    --_accent: var(--tab-swarm-accent, #0b5cd5);
    --_accent-fg: var(--tab-swarm-accent-color, #ffffff);
    --_muted: var(--tab-swarm-muted, color-mix(in srgb, currentColor 72%, transparent));
    --_border: var(--tab-swarm-border, color-mix(in srgb, currentColor 25%, transparent));
    --_track: var(--tab-swarm-track, color-mix(in srgb, currentColor 15%, transparent));
    --_radius: var(--tab-swarm-radius, 0.5rem);
    display: block;
    max-width: 100%;
    box-sizing: border-box;
    font-family: var(--tab-swarm-font, inherit);
    color: var(--tab-swarm-color, inherit);
    line-height: 1.4;
  }
  :host([hidden]) {
    display: none;
  }
  *,
  *::before,
  *::after {
    box-sizing: border-box;
  }
  p {
    margin: 0;
  }
  video,
  img {
    display: block;
    max-width: 100%;
    border-radius: var(--_radius);
  }
  video {
    width: 100%;
    background: var(--tab-swarm-media-background, #000000);
  }
  img {
    height: auto;
  }
  audio {
    display: block;
    width: 100%;
  }
  .card {
    display: grid;
    gap: 0.5rem;
    padding: 0.85rem 1rem;
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    background: var(--tab-swarm-background, transparent);
    min-width: 0;
  }
  .head {
    display: flex;
    flex-wrap: wrap;
    align-items: baseline;
    gap: 0.25rem 0.75rem;
  }
  .name {
    flex: 1 1 10rem;
    min-width: 0;
    font-weight: 600;
    overflow-wrap: anywhere;
  }
  .muted,
  .status {
    color: var(--_muted);
  }
  .track {
    height: 0.5rem;
    border-radius: 1rem;
    background: var(--_track);
    overflow: hidden;
  }
  .fill {
    height: 100%;
    background: var(--_accent);
  }
  .status {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: 0.25rem 0.75rem;
    margin-top: 0.4rem;
    font-size: 0.875em;
  }
  .status .track {
    flex: 1 1 6rem;
    min-width: 4rem;
  }
  .status .details {
    overflow-wrap: anywhere;
  }
  .message {
    font-size: 0.9375em;
  }
  .save {
    justify-self: start;
    display: inline-flex;
    align-items: center;
    justify-content: center;
    min-height: 2.25rem;
    padding: 0.4rem 0.9rem;
    border: 0;
    border-radius: var(--_radius);
    background: var(--_accent);
    color: var(--_accent-fg);
    font: inherit;
    font-weight: 600;
    text-decoration: none;
    cursor: pointer;
  }
  .save:disabled {
    opacity: 0.6;
    cursor: not-allowed;
  }
  .status .save {
    min-height: 1.5rem;
    padding: 0.1rem 0.6rem;
    font-weight: 600;
  }
  :focus-visible {
    outline: 3px solid var(--_accent);
    outline-offset: 2px;
  }
  .error {
    color: var(--tab-swarm-error, #b3261e);
    border-color: currentColor;
  }
  .visually-hidden {
    position: absolute;
    width: 1px;
    height: 1px;
    margin: -1px;
    padding: 0;
    overflow: hidden;
    clip: rect(0 0 0 0);
    white-space: nowrap;
    border: 0;
  }
`;
