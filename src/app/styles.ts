/**
 * Shared styles. The colour tokens are custom properties set on `<tabswarm-app>` (light, dark, or
 * following `prefers-color-scheme`); they inherit into every component's shadow root.
 *
 * @cssprop --ts-bg - page background
 * @cssprop --ts-surface - cards and dialogs
 * @cssprop --ts-surface-2 - insets within cards (inputs, tables)
 * @cssprop --ts-fg - text
 * @cssprop --ts-muted - secondary text (at least 4.5:1 on the surfaces)
 * @cssprop --ts-border - borders
 * @cssprop --ts-accent - buttons and links
 * @cssprop --ts-accent-fg - text on the accent colour
 * @cssprop --ts-focus - focus ring
 */
import { css } from 'lit';

const lightTokens = css`
  --ts-bg: #f3f4f7;
  --ts-surface: #ffffff;
  --ts-surface-2: #f6f7f9;
  --ts-fg: #1b1f24;
  --ts-muted: #565e68;
  --ts-border: #cfd5dd;
  --ts-accent: #0b5cd5;
  --ts-accent-hover: #094db3;
  --ts-accent-fg: #ffffff;
  --ts-accent-soft: #e4eefc;
  --ts-focus: #0b5cd5;
  --ts-danger: #b3261e;
  --ts-danger-soft: #fdecea;
  --ts-warning: #7a4f00;
  --ts-warning-soft: #fff4d6;
  --ts-success: #1b7a36;
  --ts-success-soft: #e3f4e8;
  --ts-info-soft: #e8f0fd;
  --ts-piece-verified: #2e8b46;
  --ts-piece-downloading: #e0a100;
  --ts-piece-missing: #dde1e6;
  --ts-shadow: 0 1px 2px rgb(16 24 40 / 0.06), 0 1px 3px rgb(16 24 40 / 0.08);
  color-scheme: light;
`;

const darkTokens = css`
  --ts-bg: #0e1116;
  --ts-surface: #171b22;
  --ts-surface-2: #1e232c;
  --ts-fg: #e7eaee;
  --ts-muted: #a3adba;
  --ts-border: #333a46;
  --ts-accent: #6aa8ff;
  --ts-accent-hover: #8dbcff;
  --ts-accent-fg: #0b1220;
  --ts-accent-soft: #1c2b44;
  --ts-focus: #8dbcff;
  --ts-danger: #ff8a80;
  --ts-danger-soft: #3a1d1c;
  --ts-warning: #ffd166;
  --ts-warning-soft: #362b12;
  --ts-success: #6fdc8c;
  --ts-success-soft: #17301f;
  --ts-info-soft: #18253a;
  --ts-piece-verified: #4cc46e;
  --ts-piece-downloading: #f0b429;
  --ts-piece-missing: #2e343f;
  --ts-shadow: 0 1px 2px rgb(0 0 0 / 0.4);
  color-scheme: dark;
`;

/** For `<tabswarm-app>`: the tokens by its `theme` attribute (`light`, `dark`, or absent/`system`). */
export const themeTokens = css`
  :host {
    ${lightTokens}
  }
  @media (prefers-color-scheme: dark) {
    :host(:not([theme='light'])) {
      ${darkTokens}
    }
  }
  :host([theme='dark']) {
    ${darkTokens}
  }
`;

/** Buttons, inputs, focus rings and helpers every component uses. */
export const controls = css`
  :host {
    box-sizing: border-box;
  }
  *,
  *::before,
  *::after {
    box-sizing: inherit;
  }
  button,
  .button {
    font: inherit;
    font-size: 0.9375rem;
    line-height: 1.2;
    display: inline-flex;
    align-items: center;
    justify-content: center;
    gap: 0.4em;
    min-height: 2.5rem;
    padding: 0.5rem 0.9rem;
    border-radius: 0.5rem;
    border: 1px solid var(--ts-border);
    background: var(--ts-surface);
    color: var(--ts-fg);
    cursor: pointer;
    text-decoration: none;
    white-space: nowrap;
  }
  button:hover:not(:disabled) {
    background: var(--ts-surface-2);
  }
  button.primary {
    background: var(--ts-accent);
    border-color: var(--ts-accent);
    color: var(--ts-accent-fg);
    font-weight: 600;
  }
  button.primary:hover:not(:disabled) {
    background: var(--ts-accent-hover);
  }
  button.danger {
    color: var(--ts-danger);
  }
  button.danger.primary {
    background: var(--ts-danger);
    border-color: var(--ts-danger);
    color: var(--ts-surface);
  }
  button.quiet {
    border-color: transparent;
    background: transparent;
  }
  button:disabled {
    cursor: not-allowed;
    opacity: 0.55;
  }
  input,
  textarea,
  select {
    font: inherit;
    color: var(--ts-fg);
    background: var(--ts-surface-2);
    border: 1px solid var(--ts-border);
    border-radius: 0.5rem;
    padding: 0.5rem 0.65rem;
    min-height: 2.5rem;
    max-width: 100%;
  }
  input[type='checkbox'],
  input[type='radio'] {
    min-height: auto;
    width: 1.15rem;
    height: 1.15rem;
    margin: 0;
    accent-color: var(--ts-accent);
  }
  :focus-visible {
    outline: 3px solid var(--ts-focus);
    outline-offset: 2px;
  }
  input:focus-visible,
  textarea:focus-visible {
    outline-offset: 0;
  }
  .visually-hidden {
    position: absolute !important;
    width: 1px;
    height: 1px;
    padding: 0;
    margin: -1px;
    overflow: hidden;
    clip: rect(0 0 0 0);
    white-space: nowrap;
    border: 0;
  }
  .muted {
    color: var(--ts-muted);
  }
  .icon {
    width: 1.1em;
    height: 1.1em;
    flex: none;
    fill: none;
    stroke: currentColor;
    stroke-width: 2;
    stroke-linecap: round;
    stroke-linejoin: round;
  }
`;

/** A progress bar: a `.track` holding a `.fill` whose width is the share done. */
export const progressTrack = css`
  .track {
    flex: 1;
    height: 0.6rem;
    border-radius: 1rem;
    background: var(--ts-piece-missing);
    overflow: hidden;
  }
  .fill {
    height: 100%;
    border-radius: 1rem;
    background: var(--ts-accent);
  }
`;

/** A modal `<dialog>`: the surface, its border and shadow, and the backdrop (each sets its width and padding). */
export const dialogSurface = css`
  dialog {
    border: 1px solid var(--ts-border);
    border-radius: 1rem;
    background: var(--ts-surface);
    color: var(--ts-fg);
    box-shadow: 0 10px 40px rgb(0 0 0 / 0.3);
  }
  dialog::backdrop {
    background: rgb(0 0 0 / 0.45);
  }
`;
