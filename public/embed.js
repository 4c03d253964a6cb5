// The example page's own script (embed.html): takes the torrent from the page's address (a magnet
// link after `#`, or `?src=`) or from the form, gives it to the element, fills in the snippet and
// lists the element's events. The element itself needs none of this.
const live = document.getElementById('live');
const form = document.getElementById('open');
const input = document.getElementById('source');
const snippet = document.getElementById('snippet');
const hint = document.getElementById('hint');
const list = document.getElementById('events');

const escape = (s) => s.replaceAll('&', '&amp;').replaceAll('"', '&quot;').replaceAll('<', '&lt;');

function fromAddress() {
  const hash = location.hash.slice(1);
  if (hash.startsWith('magnet:')) return hash;
  if (/^magnet%3a/i.test(hash)) return decodeURIComponent(hash);
  return new URLSearchParams(location.search).get('src') ?? '';
}

function show(src) {
  input.value = src;
  hint.hidden = src !== '';
  if (src) live.setAttribute('src', src);
  else live.removeAttribute('src');
  snippet.textContent = `<script type="module" src="/tabswarm-element.js"></script>\n<tab-swarm src="${escape(src || 'magnet:?xt=urn:btih:…')}" controls muted autoplay></tab-swarm>`;
}

function log(text) {
  const item = document.createElement('li');
  item.textContent = text;
  list.append(item);
}

for (const type of ['tabswarm-ready', 'tabswarm-done', 'tabswarm-error']) {
  live.addEventListener(type, (e) => {
    const d = e.detail;
    if (type === 'tabswarm-error') log(`${type}: ${d.message}`);
    else if (type === 'tabswarm-ready') log(`${type}: ${d.file.name}, shown as ${d.kind}${d.streaming ? ', streaming' : ''}`);
    else log(`${type}: ${d.file.name}`);
  });
}

form.addEventListener('submit', (e) => {
  e.preventDefault();
  const src = input.value.trim();
  history.replaceState(null, '', src.startsWith('magnet:') ? `#${src}` : src ? `?src=${encodeURIComponent(src)}` : location.pathname);
  show(src);
});
window.addEventListener('hashchange', () => show(fromAddress()));
show(fromAddress());
