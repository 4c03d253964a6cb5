import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { errorMessage } from '../../core/errors.js';
import { droppedItems, filesFromDrop } from '../drop.js';
import { emit } from '../events.js';
import { icons } from '../icons.js';
import { controls } from '../styles.js';

/** Hides the overlay when no `dragover` came for this long (the drag left, or was cancelled). */
const DRAG_IDLE_MS = 400;

const carriesFiles = (e: DragEvent): boolean => e.dataTransfer?.types.includes('Files') ?? false;

/**
 * Lets files and folders be dropped anywhere on the page: shows a full-page overlay while files are
 * dragged over the window and fires `ts-drop` with what was dropped, folders walked (relative paths
 * kept). While `disabled`, drops are swallowed (the browser does not navigate to the file).
 *
 * @fires ts-drop - `{ files }`
 */
@customElement('ts-drop-zone')
export class TsDropZone extends LitElement {
  static override styles = [
    controls,
    css`
      .overlay {
        position: fixed;
        inset: 0;
        z-index: 100;
        display: grid;
        place-items: center;
        padding: 1rem;
        background: color-mix(in srgb, var(--ts-bg) 80%, transparent);
        backdrop-filter: blur(2px);
        pointer-events: none;
      }
      .target {
        display: grid;
        justify-items: center;
        gap: 0.75rem;
        width: min(36rem, 100%);
        padding: 3rem 1.5rem;
        border: 3px dashed var(--ts-accent);
        border-radius: 1rem;
        background: var(--ts-surface);
        color: var(--ts-fg);
        text-align: center;
        box-shadow: var(--ts-shadow);
      }
      .target .icon {
        width: 3rem;
        height: 3rem;
        color: var(--ts-accent);
      }
      strong {
        font-size: 1.35rem;
      }
    `,
  ];

  @property({ type: Boolean }) disabled = false;
  @state() private dragging = false;
  private idleTimer: ReturnType<typeof setTimeout> | undefined;

  override connectedCallback(): void {
    super.connectedCallback();
    window.addEventListener('dragover', this.onDragOver);
    window.addEventListener('dragleave', this.onDragLeave);
    window.addEventListener('drop', this.onDrop);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    window.removeEventListener('dragover', this.onDragOver);
    window.removeEventListener('dragleave', this.onDragLeave);
    window.removeEventListener('drop', this.onDrop);
    clearTimeout(this.idleTimer);
  }

  override render() {
    if (!this.dragging) return nothing;
    return html`<div class="overlay" part="overlay">
      <div class="target">
        ${icons.upload}
        <strong>${this.disabled ? 'Sharing is not available in this browser' : 'Drop to share'}</strong>
        <span class="muted">${this.disabled ? '' : 'Files and folders are shared at once. A single .torrent file is opened to download instead.'}</span>
      </div>
    </div>`;
  }

  private readonly onDragOver = (e: DragEvent): void => {
    if (!carriesFiles(e)) return;
    e.preventDefault();
    if (e.dataTransfer) e.dataTransfer.dropEffect = this.disabled ? 'none' : 'copy';
    this.dragging = true;
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => (this.dragging = false), DRAG_IDLE_MS);
  };

  private readonly onDragLeave = (e: DragEvent): void => {
    // relatedTarget is null when the pointer leaves the window.
    if (e.relatedTarget === null) this.dragging = false;
  };

  private readonly onDrop = (e: DragEvent): void => {
    if (!carriesFiles(e)) return;
    e.preventDefault();
    this.dragging = false;
    clearTimeout(this.idleTimer);
    if (this.disabled || !e.dataTransfer) return;
    // Items are only readable during the event: take their entries now, read them after.
    const items = droppedItems(e.dataTransfer);
    void filesFromDrop(items).then(
      (files) => {
        if (files.length > 0) emit(this, 'ts-drop', { files });
      },
      (error: unknown) => emit(this, 'ts-announce', { message: `The dropped files could not be read: ${errorMessage(error)}` }),
    );
  };
}

declare global {
  interface HTMLElementTagNameMap {
    'ts-drop-zone': TsDropZone;
  }
}
