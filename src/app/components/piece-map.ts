import { LitElement, css, html } from 'lit';
import { customElement, property, query } from 'lit/decorators.js';

/** Piece states, one byte per piece in `TsPieceMap.states`. Any other value counts as missing. */
export const PIECE_MISSING = 0;
export const PIECE_DOWNLOADING = 1;
export const PIECE_VERIFIED = 2;

export interface PieceSummary {
  verified: number;
  downloading: number;
  missing: number;
}

export function summarisePieces(states: Uint8Array): PieceSummary {
  let verified = 0;
  let downloading = 0;
  for (const s of states) {
    if (s === PIECE_VERIFIED) verified++;
    else if (s === PIECE_DOWNLOADING) downloading++;
  }
  return { verified, downloading, missing: states.length - verified - downloading };
}

/** The accessible name of the map: "412 of 1024 pieces verified, 8 downloading". */
export function describePieces({ verified, downloading, missing }: PieceSummary): string {
  const total = verified + downloading + missing;
  const text = `${verified} of ${total} ${total === 1 ? 'piece' : 'pieces'} verified`;
  return downloading > 0 ? `${text}, ${downloading} downloading` : text;
}

/** Sizes in CSS pixels; `layout` scales them by the device pixel ratio. */
const MAX_CELL = 14;
const MAX_GRID_HEIGHT = 160;
const BAR_HEIGHT = 24;

export type PieceLayout =
  /** Nothing to draw: no pieces, or no width yet. */
  | { kind: 'empty'; width: number; height: 0 }
  /**
   * One cell per piece, row by row. Cells sit on a `pitch`-pixel grid (cell plus `gap`) vertically;
   * horizontally the `columns` are spread over the whole width, so the grid fills it exactly.
   */
  | { kind: 'grid'; width: number; height: number; columns: number; rows: number; pitch: number; gap: number }
  /** More pieces than pixels: one column per pixel, each covering a run of pieces (`columnRange`). */
  | { kind: 'bar'; width: number; height: number; columns: number };

export type GridLayout = Extract<PieceLayout, { kind: 'grid' }>;

/**
 * How to draw `count` pieces on a canvas `widthPx` device pixels wide. The grid uses the largest
 * cell pitch (up to 14 CSS px) that keeps it within 160 CSS px of height; with `count <= widthPx`
 * a pitch of one pixel always fits, so the grid is only given up when there are more pieces than pixels.
 */
export function layout(count: number, widthPx: number, dpr = 1): PieceLayout {
  const width = Math.floor(widthPx);
  if (count <= 0 || width <= 0) return { kind: 'empty', width: Math.max(0, width), height: 0 };
  const scale = Math.max(dpr, 0.5);
  if (count > width) return { kind: 'bar', width, height: Math.round(BAR_HEIGHT * scale), columns: width };
  const maxHeight = Math.round(MAX_GRID_HEIGHT * scale);
  let pitch = Math.max(1, Math.round(MAX_CELL * scale));
  let columns = Math.floor(width / pitch);
  let rows = columns > 0 ? Math.ceil(count / columns) : Infinity;
  while (pitch > 1 && (columns === 0 || rows * pitch > maxHeight)) {
    pitch--;
    columns = Math.floor(width / pitch);
    rows = Math.ceil(count / columns);
  }
  const gap = pitch < 3 ? 0 : Math.max(1, Math.min(Math.floor(scale), Math.floor(pitch / 4)));
  return { kind: 'grid', width, height: rows * pitch - gap, columns, rows, pitch, gap };
}

export interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** The device-pixel rectangle of piece `index` in a grid layout. */
export function cellRect(grid: GridLayout, index: number): Rect {
  const column = index % grid.columns;
  const row = Math.floor(index / grid.columns);
  const x = Math.floor((column * grid.width) / grid.columns);
  const next = Math.floor(((column + 1) * grid.width) / grid.columns);
  return { x, y: row * grid.pitch, w: next - x - grid.gap, h: grid.pitch - grid.gap };
}

/** The pieces `[start, end)` that bar column `column` of `columns` covers; never empty when count >= columns. */
export function columnRange(count: number, columns: number, column: number): [number, number] {
  return [Math.floor((column * count) / columns), Math.floor(((column + 1) * count) / columns)];
}

/**
 * How many pixels of a bar column of `height` pixels are verified and downloading, filled from the
 * bottom. Any verified piece shows at least one pixel, and only a fully verified column is full.
 */
export function columnFill(verified: number, downloading: number, total: number, height: number): { verifiedPx: number; downloadingPx: number } {
  if (total <= 0) return { verifiedPx: 0, downloadingPx: 0 };
  const px = (n: number): number => {
    if (n <= 0) return 0;
    if (n >= total) return height;
    return Math.min(height - 1, Math.max(1, Math.round((n / total) * height)));
  };
  const verifiedPx = px(verified);
  return { verifiedPx, downloadingPx: Math.max(0, px(verified + downloading) - verifiedPx) };
}

interface Colours {
  verified: string;
  downloading: string;
  missing: string;
}

const colourFor = (c: Colours, state: number | undefined): string =>
  state === PIECE_VERIFIED ? c.verified : state === PIECE_DOWNLOADING ? c.downloading : c.missing;

/**
 * A map of a torrent's pieces drawn on a canvas: a grid of cells filling the element's width, or a
 * bar of columns when there are more pieces than device pixels (each column then shows the share of
 * its pieces that are verified, above it those downloading).
 *
 * Set `states` to a new array to redraw, or change the array in place and call `requestUpdate()`;
 * only the cells that changed since the last drawing are repainted.
 *
 * @cssprop --ts-piece-verified - colour of verified pieces
 * @cssprop --ts-piece-downloading - colour of pieces being downloaded
 * @cssprop --ts-piece-missing - colour of missing pieces
 * @csspart canvas - the canvas
 */
@customElement('ts-piece-map')
export class TsPieceMap extends LitElement {
  static override styles = css`
    :host {
      display: block;
      --_verified: #2e7d32;
      --_downloading: #f9a825;
      --_missing: #dcdcdc;
    }
    @media (prefers-color-scheme: dark) {
      :host {
        --_verified: #66bb6a;
        --_downloading: #ffca28;
        --_missing: #3c3c3c;
      }
    }
    canvas {
      display: block;
      width: 100%;
      height: 0;
    }
    .sizer {
      height: 0;
    }
    .swatch {
      display: none;
    }
    .verified {
      color: var(--ts-piece-verified, var(--_verified));
    }
    .downloading {
      color: var(--ts-piece-downloading, var(--_downloading));
    }
    .missing {
      color: var(--ts-piece-missing, var(--_missing));
    }
  `;

  /** One byte per piece: 0 missing, 1 downloading, 2 verified. */
  @property({ attribute: false }) states: Uint8Array = new Uint8Array(0);

  @query('canvas') private canvas?: HTMLCanvasElement;
  @query('.sizer') private sizer?: HTMLElement;

  private deviceWidth = 0;
  private resizeObserver?: ResizeObserver;
  private darkScheme?: MediaQueryList;
  /** What is on the canvas now, to repaint only what changed. */
  private drawn?: { layout: PieceLayout; colours: Colours; states: Uint8Array };

  private readonly redraw = (): void => this.draw();
  /** A draw asked for by an update, at the next frame (see `updated`). */
  private frame?: number;

  override connectedCallback(): void {
    super.connectedCallback();
    this.darkScheme = window.matchMedia('(prefers-color-scheme: dark)');
    this.darkScheme.addEventListener('change', this.redraw);
    if (this.sizer) this.observe(this.sizer);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.darkScheme?.removeEventListener('change', this.redraw);
    this.resizeObserver?.disconnect();
    this.resizeObserver = undefined;
    if (this.frame !== undefined) cancelAnimationFrame(this.frame);
    this.frame = undefined;
  }

  override render() {
    return html`
      <div class="sizer"></div>
      <canvas part="canvas" role="img" aria-label=${describePieces(summarisePieces(this.states))}></canvas>
      <span class="swatch verified"></span><span class="swatch downloading"></span><span class="swatch missing"></span>
    `;
  }

  protected override firstUpdated(): void {
    if (this.sizer) this.observe(this.sizer);
  }

  /**
   * Drawn at the next frame, once for any number of updates: reading the colours forces the page's
   * styles, which in the update's own task (a card just made, the metadata just come) costs tens of
   * ms on the main thread that the download and the player are waiting for.
   */
  protected override updated(): void {
    this.frame ??= requestAnimationFrame(() => {
      this.frame = undefined;
      this.draw();
    });
  }

  /**
   * Observes the width of a zero-height element rather than the host, whose height the drawing changes
   * (a host observer would be notified again by its own resizing, a ResizeObserver loop).
   */
  private observe(target: HTMLElement): void {
    this.resizeObserver?.disconnect();
    const observer = new ResizeObserver((entries) => {
      const entry = entries[entries.length - 1];
      if (!entry) return;
      // Exact device pixels where the browser reports them, unless they disagree with the CSS width
      // times the ratio (Chromium's device scale emulation reports CSS pixels there).
      const estimate = Math.round(entry.contentRect.width * (window.devicePixelRatio || 1));
      // Safari has no devicePixelContentBoxSize, whatever lib.dom says.
      const device = (entry as Partial<ResizeObserverEntry>).devicePixelContentBoxSize?.[0]?.inlineSize;
      const width = device !== undefined && Math.abs(device - estimate) <= 1 ? device : estimate;
      if (width !== this.deviceWidth) {
        this.deviceWidth = width;
        this.draw();
      }
    });
    try {
      observer.observe(target, { box: 'device-pixel-content-box' });
    } catch {
      observer.observe(target); // browsers without device-pixel-content-box (Safari)
    }
    this.resizeObserver = observer;
  }

  private readColours(): Colours | undefined {
    const read = (name: keyof Colours): string | undefined => {
      const swatch = this.renderRoot.querySelector(`.${name}`);
      return swatch ? getComputedStyle(swatch).color : undefined;
    };
    const verified = read('verified');
    const downloading = read('downloading');
    const missing = read('missing');
    return verified && downloading && missing ? { verified, downloading, missing } : undefined;
  }

  private draw(): void {
    if (this.deviceWidth === 0) return; // not laid out yet: the resize observer draws when it is
    const canvas = this.canvas;
    const colours = this.readColours();
    const ctx = canvas?.getContext('2d');
    if (!canvas || !colours || !ctx) return;
    const states = this.states;
    const dpr = window.devicePixelRatio || 1;
    const next = layout(states.length, this.deviceWidth, dpr);
    const prev = this.drawn;
    const sameFrame =
      prev !== undefined &&
      prev.states.length === states.length &&
      sameLayout(prev.layout, next) &&
      prev.colours.verified === colours.verified &&
      prev.colours.downloading === colours.downloading &&
      prev.colours.missing === colours.missing;
    if (sameFrame && sameBytes(prev.states, states)) return;

    if (!sameFrame) {
      if (canvas.width !== next.width || canvas.height !== next.height) {
        canvas.width = next.width; // also clears the canvas
        canvas.height = next.height;
        canvas.style.height = `${next.height / dpr}px`;
      } else {
        ctx.clearRect(0, 0, canvas.width, canvas.height);
      }
    }
    if (next.kind === 'grid') drawGrid(ctx, next, states, colours, sameFrame ? prev.states : undefined);
    else if (next.kind === 'bar') drawBar(ctx, next, states, colours);
    this.drawn = { layout: next, colours, states: states.slice() };
  }
}

function sameLayout(a: PieceLayout, b: PieceLayout): boolean {
  if (a.kind !== b.kind || a.width !== b.width || a.height !== b.height) return false;
  return a.kind !== 'grid' || b.kind !== 'grid' || (a.columns === b.columns && a.pitch === b.pitch && a.gap === b.gap);
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Paints every cell, or with `before` only the cells whose state differs from it. */
function drawGrid(ctx: CanvasRenderingContext2D, grid: GridLayout, states: Uint8Array, colours: Colours, before?: Uint8Array): void {
  const paths = new Map<string, Path2D>();
  for (let i = 0; i < states.length; i++) {
    const state = states[i];
    if (before && before[i] === state) continue;
    const colour = colourFor(colours, state);
    let path = paths.get(colour);
    if (!path) paths.set(colour, (path = new Path2D()));
    const r = cellRect(grid, i);
    if (before) ctx.clearRect(r.x, r.y, r.w, r.h);
    path.rect(r.x, r.y, r.w, r.h);
  }
  for (const [colour, path] of paths) {
    ctx.fillStyle = colour;
    ctx.fill(path);
  }
}

function drawBar(ctx: CanvasRenderingContext2D, bar: Extract<PieceLayout, { kind: 'bar' }>, states: Uint8Array, colours: Colours): void {
  const missing = new Path2D();
  const downloading = new Path2D();
  const verified = new Path2D();
  const h = bar.height;
  for (let column = 0; column < bar.columns; column++) {
    const [start, end] = columnRange(states.length, bar.columns, column);
    let v = 0;
    let d = 0;
    for (let i = start; i < end; i++) {
      const s = states[i];
      if (s === PIECE_VERIFIED) v++;
      else if (s === PIECE_DOWNLOADING) d++;
    }
    const { verifiedPx, downloadingPx } = columnFill(v, d, end - start, h);
    const missingPx = h - verifiedPx - downloadingPx;
    if (missingPx > 0) missing.rect(column, 0, 1, missingPx);
    if (downloadingPx > 0) downloading.rect(column, missingPx, 1, downloadingPx);
    if (verifiedPx > 0) verified.rect(column, h - verifiedPx, 1, verifiedPx);
  }
  ctx.clearRect(0, 0, bar.width, h);
  ctx.fillStyle = colours.missing;
  ctx.fill(missing);
  ctx.fillStyle = colours.downloading;
  ctx.fill(downloading);
  ctx.fillStyle = colours.verified;
  ctx.fill(verified);
}

declare global {
  interface HTMLElementTagNameMap {
    'ts-piece-map': TsPieceMap;
  }
}
