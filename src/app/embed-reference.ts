/**
 * What the app's Embed page says about `<tab-swarm>` (src/element): its attributes, events and
 * styling hooks, and the snippets to copy. The full reference is custom-elements.json at the
 * repository's root; the element's test checks that both name the same attributes, events and parts.
 */

export interface Entry {
  name: string;
  description: string;
}

export const ATTRIBUTES: Entry[] = [
  {
    name: 'src',
    description:
      'A magnet link, a tabswarm share link (a private one too: its key, after the “.”, opens it in the page and never leaves it), or the URL of a .torrent file.',
  },
  {
    name: 'file',
    description: 'The file to show: its index (0) or its path. By default the largest video or audio file, else the largest image, else the largest file.',
  },
  { name: 'announce', description: 'More trackers (WebSocket URLs), separated by spaces.' },
  { name: 'label', description: 'The accessible name of the player or image (by default the file’s name).' },
  { name: 'controls', description: 'Shows the player’s controls.' },
  { name: 'autoplay', description: 'Plays as soon as it can (browsers allow it when muted).' },
  { name: 'muted', description: 'Starts muted.' },
];

export const EVENTS: Entry[] = [
  { name: 'tabswarm-progress', description: 'detail { torrent, file, progress, downloadSpeed, uploadSpeed, numPeers }, while downloading.' },
  { name: 'tabswarm-ready', description: 'detail { torrent, file, kind, streaming }, once the file to show is known.' },
  { name: 'tabswarm-done', description: 'detail { torrent, file }, once every byte of the file is verified.' },
  {
    name: 'tabswarm-waiting',
    description:
      'detail { reason, waitedMs, numPeers, secureContext, message }: nothing has arrived for 5 s, or there is no tracker (reason no-tracker, no-peers, no-metadata or no-data).',
  },
  { name: 'tabswarm-error', description: 'detail { error, message }: a bad src, a .torrent URL that does not load, no such file, a storage error.' },
];

export const PARTS: Entry[] = [
  { name: 'media', description: 'the video, audio or img' },
  { name: 'status', description: 'the line under the player or image' },
  { name: 'card', description: 'the box of a file that is not shown, and of the loading and error states' },
  { name: 'name', description: 'the file’s name in the card' },
  { name: 'progress', description: 'the progress bar’s track' },
  { name: 'progress-bar', description: 'its filled part' },
  { name: 'details', description: 'progress, size, peers and speed' },
  { name: 'save', description: 'the save button' },
  { name: 'message', description: 'why the file does not stream here' },
  { name: 'error', description: 'the error message' },
];

export const CSS_PROPERTIES: Entry[] = [
  { name: '--tab-swarm-accent', description: 'progress bar and save button' },
  { name: '--tab-swarm-accent-color', description: 'text on the accent colour' },
  { name: '--tab-swarm-color', description: 'text' },
  { name: '--tab-swarm-muted', description: 'secondary text' },
  { name: '--tab-swarm-background', description: 'the card’s background' },
  { name: '--tab-swarm-border', description: 'the card’s border' },
  { name: '--tab-swarm-track', description: 'the progress bar’s track' },
  { name: '--tab-swarm-radius', description: 'corner radius' },
  { name: '--tab-swarm-font', description: 'font family' },
  { name: '--tab-swarm-media-background', description: 'behind the video' },
  { name: '--tab-swarm-error', description: 'error text and border' },
];

const attributeValue = (s: string): string => s.replaceAll('&', '&amp;').replaceAll('"', '&quot;').replaceAll('<', '&lt;');

/** The two lines that embed a torrent. */
export function embedSnippet(src: string, attributes = 'controls'): string {
  return `<script type="module" src="/tabswarm-element.js"></script>\n<tab-swarm src="${attributeValue(src)}"${attributes ? ` ${attributes}` : ''}></tab-swarm>`;
}

export const STYLE_SNIPPET = `tab-swarm {
  --tab-swarm-accent: #8a2be2;
  --tab-swarm-radius: 0;
  max-width: 40rem;
}
tab-swarm::part(status) {
  display: none;
}`;

export const EVENTS_SNIPPET = `document.querySelector('tab-swarm').addEventListener('tabswarm-done', (e) => {
  console.log(e.detail.file.name, 'is complete');
});`;

export const OPTIONS_SNIPPET = `<script type="module">
  import { configureTabSwarm } from '/tabswarm-element.js';
  configureTabSwarm({
    announce: ['wss://tracker.example'],
    iceServers: [{ urls: 'stun:stun.example:3478' }, { urls: 'turn:turn.example:3478', username: 'user', credential: 'secret' }],
    workerUrl: '/tabswarm-sw.js',
  });
</script>`;
