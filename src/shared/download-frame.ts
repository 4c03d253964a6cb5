/**
 * Saving through the service worker: a URL the worker answers as an attachment, opened in a hidden
 * frame. The browser saves the response as it streams in (the frame shows nothing, and the download
 * outlives it). A frame's navigation goes through the worker in every browser, where an
 * `<a download>` click does not in Chromium (it would reach the site's server instead).
 */

/** How long the hidden frame of a download stays (the download goes on without it once started). */
const FRAME_MS = 60_000;

export interface FrameHost {
  createElement(tag: 'iframe'): HTMLIFrameElement;
  /** Where the frame goes (the document's body, or an element's shadow root). */
  append(node: HTMLElement): void;
}

export function downloadThroughFrame(url: string, host: FrameHost): void {
  const frame = host.createElement('iframe');
  frame.hidden = true;
  frame.title = 'download';
  frame.src = url;
  host.append(frame);
  setTimeout(() => frame.remove(), FRAME_MS);
}
