// qrcode-generator (Kazuhiko Arase, MIT, maintained since 2009): no dependencies, ships an ES module
// build with TypeScript types (v2), encodes in byte mode up to version 40 (2331 bytes at level M,
// 2953 at L, enough for ~2 KB share links), and exposes the module matrix, so the SVG is built here
// as one path in a Lit template rather than injected as markup.
import qrcode from 'qrcode-generator';
import { LitElement, css, html, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';

/** Light modules around the code, as the QR specification asks. */
export const QUIET_ZONE = 4;

export interface QrMatrix {
  /** Modules per side: 21 for version 1, 4 more per version, 177 for version 40. */
  size: number;
  /** Row-major, `size * size` entries, 1 for a dark module. */
  modules: Uint8Array;
}

/** `text` does not fit in the largest QR code (version 40, level L: 2953 bytes of UTF-8). */
export class QrCodeTooLongError extends RangeError {
  constructor(readonly byteLength: number) {
    super(`${byteLength} bytes is too long for a QR code (at most 2953)`);
    this.name = 'QrCodeTooLongError';
  }
}

/**
 * The modules of the smallest QR code holding `text` as UTF-8 in byte mode, at error correction
 * level M (15 %), or L (7 %) when the text is too long for M.
 */
export function qrMatrix(text: string): QrMatrix {
  const bytes = new TextEncoder().encode(text);
  // The library's byte mode takes one byte per UTF-16 unit (charCode & 0xff); handing it the UTF-8
  // bytes as a "binary string" makes it encode UTF-8 without replacing its global stringToBytes.
  let binary = '';
  for (let i = 0; i < bytes.length; i += 4096) binary += String.fromCharCode(...bytes.subarray(i, i + 4096));
  for (const level of ['M', 'L'] as const) {
    const qr = qrcode(0, level);
    qr.addData(binary, 'Byte');
    try {
      qr.make();
    } catch {
      continue; // "code length overflow": try the next, weaker level
    }
    const size = qr.getModuleCount();
    const modules = new Uint8Array(size * size);
    for (let row = 0; row < size; row++) {
      for (let col = 0; col < size; col++) modules[row * size + col] = qr.isDark(row, col) ? 1 : 0;
    }
    return { size, modules };
  }
  throw new QrCodeTooLongError(bytes.length);
}

/**
 * An SVG path of the dark modules, one rectangle per horizontal run, in module units offset by the
 * quiet zone; draw it in a `viewBox` of `size + 2 * QUIET_ZONE` units.
 */
export function matrixPath({ size, modules }: QrMatrix): string {
  const parts: string[] = [];
  for (let row = 0; row < size; row++) {
    let col = 0;
    while (col < size) {
      if (!modules[row * size + col]) {
        col++;
        continue;
      }
      const start = col;
      while (col < size && modules[row * size + col]) col++;
      parts.push(`M${start + QUIET_ZONE} ${row + QUIET_ZONE}h${col - start}v1h-${col - start}z`);
    }
  }
  return parts.join('');
}

/** The SVG path of the QR code for `text` (see `matrixPath`). */
export function qrSvgPath(text: string): string {
  return matrixPath(qrMatrix(text));
}

/**
 * A QR code of `text` (the share link) as an SVG that scales to the element's width. Dark modules on
 * a light ground, whatever the colour scheme, since many scanners cannot read inverted codes. Made
 * when the element first shows (a closed Share section hides it): encoding takes tens of ms, and a
 * receiver's card is made while the page starts its download.
 *
 * @cssprop --ts-qr-dark - colour of the dark modules (default black)
 * @cssprop --ts-qr-light - colour of the ground and quiet zone (default white)
 * @csspart svg - the SVG
 * @csspart error - the message shown when the text is too long for a QR code
 */
@customElement('ts-qr-code')
export class TsQrCode extends LitElement {
  static override styles = css`
    :host {
      display: inline-block;
      width: 12rem;
      aspect-ratio: 1; /* the code's place is kept while it is made */
    }
    :host([too-long]) {
      aspect-ratio: auto;
    }
    svg {
      display: block;
      width: 100%;
      height: auto;
    }
  `;

  @property() text = '';

  private matrix?: QrMatrix;
  private path = '';
  private error?: QrCodeTooLongError;
  /** The text the code shown was made of. */
  private made: string | undefined;
  /** Whether the element has been on screen (then the code is made). */
  private shown = false;
  private observer?: IntersectionObserver;

  override connectedCallback(): void {
    super.connectedCallback();
    if (this.shown) return;
    this.observer = new IntersectionObserver((entries) => {
      if (!entries.some((e) => e.isIntersecting)) return;
      this.shown = true;
      this.observer?.disconnect();
      this.observer = undefined;
      this.requestUpdate();
    });
    this.observer.observe(this);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.observer?.disconnect();
    this.observer = undefined;
  }

  protected override willUpdate(): void {
    if (!this.shown || this.made === this.text) return;
    this.made = this.text;
    this.matrix = undefined;
    this.error = undefined;
    this.path = '';
    if (this.text) {
      try {
        this.matrix = qrMatrix(this.text);
        this.path = matrixPath(this.matrix);
      } catch (e) {
        if (!(e instanceof QrCodeTooLongError)) throw e;
        this.error = e;
      }
    }
    this.toggleAttribute('too-long', this.error !== undefined);
  }

  override render() {
    if (this.error) return html`<p part="error" role="status">The link is too long for a QR code.</p>`;
    if (!this.matrix) return nothing;
    const side = this.matrix.size + 2 * QUIET_ZONE;
    return html`<svg part="svg" role="img" aria-label="QR code for the share link" viewBox="0 0 ${side} ${side}" shape-rendering="crispEdges">
      <rect width=${side} height=${side} style="fill: var(--ts-qr-light, #fff)"></rect>
      <path d=${this.path} style="fill: var(--ts-qr-dark, #000)"></path>
    </svg>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'ts-qr-code': TsQrCode;
  }
}
