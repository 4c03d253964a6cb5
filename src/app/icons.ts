/** Small stroke icons (24×24 grid, drawn here), decorative: always next to a text label. */
import { svg, type SVGTemplateResult } from 'lit';

const icon = (body: SVGTemplateResult) => svg`<svg class="icon" viewBox="0 0 24 24" aria-hidden="true" focusable="false">${body}</svg>`;

export const icons = {
  upload: icon(svg`<path d="M12 16V4M7 9l5-5 5 5M5 20h14" />`),
  download: icon(svg`<path d="M12 4v12M7 11l5 5 5-5M5 20h14" />`),
  folder: icon(svg`<path d="M3 7a2 2 0 0 1 2-2h4l2 2h8a2 2 0 0 1 2 2v8a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2z" />`),
  file: icon(svg`<path d="M14 3H7a2 2 0 0 0-2 2v14a2 2 0 0 0 2 2h10a2 2 0 0 0 2-2V8zM14 3v5h5" />`),
  link: icon(svg`<path d="M10 14a4 4 0 0 0 5.7 0l3-3a4 4 0 0 0-5.7-5.7l-1 1M14 10a4 4 0 0 0-5.7 0l-3 3a4 4 0 0 0 5.7 5.7l1-1" />`),
  copy: icon(svg`<rect x="9" y="9" width="11" height="11" rx="2" /><path d="M5 15V6a2 2 0 0 1 2-2h8" />`),
  check: icon(svg`<path d="M5 12l5 5 9-10" />`),
  pause: icon(svg`<path d="M9 5v14M15 5v14" />`),
  play: icon(svg`<path d="M7 4l12 8-12 8z" />`),
  trash: icon(svg`<path d="M4 7h16M9 7V4h6v3M6 7l1 13h10l1-13" />`),
  sliders: icon(
    svg`<path d="M4 6h9M17 6h3M4 12h3M11 12h9M4 18h11M19 18h1" /><circle cx="15" cy="6" r="2" /><circle cx="9" cy="12" r="2" /><circle cx="17" cy="18" r="2" />`,
  ),
  lock: icon(svg`<rect x="5" y="11" width="14" height="10" rx="2" /><path d="M8 11V7a4 4 0 0 1 8 0v4" />`),
  close: icon(svg`<path d="M6 6l12 12M18 6L6 18" />`),
  alert: icon(svg`<path d="M12 3l10 18H2zM12 10v5M12 18v.01" />`),
  info: icon(svg`<circle cx="12" cy="12" r="9" /><path d="M12 11v6M12 7.5v.01" />`),
  swarm: icon(
    svg`<circle cx="12" cy="12" r="2.5" /><circle cx="5" cy="6" r="2" /><circle cx="19" cy="6" r="2" /><circle cx="5" cy="18" r="2" /><circle cx="19" cy="18" r="2" /><path d="M7 7.5l3 3M17 7.5l-3 3M7 16.5l3-3M17 16.5l-3-3" />`,
  ),
};
