import { launchChromium } from './test/browser/harness.js';
import { serveLibrary, startTracker } from './test/browser/lib-harness.js';
import { PAGE_BYTES } from './test/fixtures/page-bytes-path.js';
const [b, lib, tracker] = await Promise.all([launchChromium(), serveLibrary({}), startTracker()]);
const init = `
window.__t = []; const T0 = () => window.__t0 ?? 0;
const mark = (s) => window.__t.push(s + ' ' + (performance.now() - T0()).toFixed(1));
const WS = window.WebSocket;
window.WebSocket = class extends WS { constructor(...a) { super(...a); mark('ws new'); this.addEventListener('open', () => mark('ws open')); }
  send(d) { if (typeof d === 'string' && d.includes('announce')) mark('ws send announce offers=' + (JSON.parse(d).offers?.length ?? 0)); super.send(d); } };
const co = RTCPeerConnection.prototype.createOffer;
RTCPeerConnection.prototype.createOffer = function (...a) { mark('createOffer'); return co.apply(this, a); };
`;
for (let round = 0; round < 3; round++) {
  const pages = [];
  for (let i = 0; i < 2; i++) { const c = await b.newContext(); await c.addInitScript({ path: PAGE_BYTES }); await c.addInitScript({ content: init }); const p = await c.newPage(); await p.goto(lib.url + '/blank.html'); pages.push(p); }
  const [a, l] = pages;
  const magnet = await a.evaluate(async (tr) => { const { Client } = await import('/tabswarm.js'); const c = new Client({ announce: [tr], iceServers: [], store: 'memory' }); await c.ready; const t = await c.seed([new File([new Uint8Array(4 << 20).fill(7)], 'x.bin')]); return t.magnetURI; }, tracker.url);
  const out = await l.evaluate(async ([tr, m]) => { const { Client } = await import('/tabswarm.js'); const c = new Client({ announce: [tr], iceServers: [], store: 'memory' }); await c.ready; await new Promise((r) => setTimeout(r, 500)); window.__t = []; window.__t0 = performance.now(); const t = await c.add(m); await t.done; return { t: window.__t.slice(0, 12), tl: t.timeline.read().phases }; }, [tracker.url, magnet]);
  console.log(JSON.stringify(out));
  for (const p of pages) await p.context().close();
}
await b.close(); await lib.close(); await tracker.close();
