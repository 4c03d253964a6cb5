import { describe, expect, it } from 'vitest';
import {
  answer,
  contentDisposition,
  contentTypeOf,
  fileStreamUrl,
  inertTypeOf,
  offerStreamUrl,
  parseRange,
  parseStreamUrl,
  previewKindOf,
  routeRequest,
} from '../../src/sw/http.js';

const SCOPE = 'https://app.example/tabswarm/';
const HASH = 'ab'.repeat(20);

describe('stream URLs', () => {
  it('name a file of a torrent, or a one-shot offer, under the scope', () => {
    const url = fileStreamUrl(SCOPE, HASH, 3, 'folder/My clip #1.webm');
    expect(url).toBe(`${SCOPE}stream/${HASH}/3/My%20clip%20%231.webm`);
    expect(parseStreamUrl(url, SCOPE)).toEqual({ target: { kind: 'file', infoHash: HASH, fileIndex: 3 }, download: false });
    expect(parseStreamUrl(fileStreamUrl(SCOPE, HASH, 0, 'a.bin', true), SCOPE)).toEqual({
      target: { kind: 'file', infoHash: HASH, fileIndex: 0 },
      download: true,
    });
    const offer = offerStreamUrl(SCOPE, '0123456789abcdef', 'album.zip');
    expect(parseStreamUrl(offer, SCOPE)).toEqual({ target: { kind: 'offer', id: '0123456789abcdef' }, download: true });
  });

  it('leave every other URL alone, malformed stream URLs included (a site may have /stream/ URLs of its own)', () => {
    expect(parseStreamUrl(`${SCOPE}index.html`, SCOPE)).toBeUndefined();
    expect(parseStreamUrl('https://app.example/stream/x', SCOPE)).toBeUndefined();
    expect(parseStreamUrl(`https://other.example/tabswarm/stream/${HASH}/0/x`, SCOPE)).toBeUndefined();
    for (const other of [
      'foo',
      'foo/bar/baz',
      HASH,
      `${HASH}/0`,
      `${HASH}/0/`,
      `${HASH}/0/x/y`,
      `${HASH.slice(1)}/0/x`,
      `${HASH}0/0/x`,
      `${HASH}/-1/x`,
      `${HASH}/01/x`,
      `${HASH}/1e3/x`,
      `${HASH}/9999999999/x`,
      'offer/x/y',
      'offer/../y',
      'offer/0123456789abcdef',
    ]) {
      expect(parseStreamUrl(`${SCOPE}stream/${other}`, SCOPE), other).toBeUndefined();
    }
    expect(parseStreamUrl(`${SCOPE}stream/${HASH.toUpperCase()}/0/x`, SCOPE)?.target).toEqual({ kind: 'file', infoHash: HASH, fileIndex: 0 });
  });
});

describe('routeRequest: what the worker answers', () => {
  const known = 'cd'.repeat(20);
  const context = { scope: SCOPE, has: (h: string) => h === known, complete: true, fromStreamingPage: false };
  const file = (hash: string) => `${SCOPE}stream/${hash}/0/clip.webm`;

  it('a stream of a torrent a page of the worker has: answered', () => {
    expect(routeRequest('GET', file(known), context)).toEqual({
      kind: 'stream',
      stream: { target: { kind: 'file', infoHash: known, fileIndex: 0 }, download: false },
    });
    expect(routeRequest('HEAD', `${file(known)}?download`, context)).toEqual({
      kind: 'stream',
      stream: { target: { kind: 'file', infoHash: known, fileIndex: 0 }, download: true },
    });
  });

  it('not a tabswarm stream: the network, untouched (no answer from the worker)', () => {
    for (const url of [`${SCOPE}stream/foo`, `${SCOPE}stream/${known}/x/y`, `${SCOPE}page.html`, `https://app.example/stream/${known}/0/x`, file(HASH)]) {
      expect(routeRequest('GET', url, context), url).toEqual({ kind: 'network' });
    }
    // Nothing but GET and HEAD is ever a stream.
    for (const method of ['POST', 'PUT', 'DELETE', 'OPTIONS']) expect(routeRequest(method, file(known), context), method).toEqual({ kind: 'network' });
  });

  it('an unknown torrent while the worker may not know it yet: the pages are asked (the network answers if none has it)', () => {
    // A worker just (re)started, which has not heard from every page yet.
    expect(routeRequest('GET', file(HASH), { ...context, complete: false }).kind).toBe('stream');
    // A page that streams may ask for a torrent before its word about it reaches the worker.
    expect(routeRequest('GET', file(HASH), { ...context, fromStreamingPage: true }).kind).toBe('stream');
    // A one-shot download the page offers (a random id) is always asked for.
    expect(routeRequest('GET', offerStreamUrl(SCOPE, '0123456789abcdef', 'album.zip'), context)).toEqual({
      kind: 'stream',
      stream: { target: { kind: 'offer', id: '0123456789abcdef' }, download: true },
    });
    // Still never what is not shaped as a stream.
    expect(routeRequest('GET', `${SCOPE}stream/foo`, { ...context, complete: false, fromStreamingPage: true })).toEqual({ kind: 'network' });
  });
});

describe('parseRange', () => {
  const size = 1000;
  it('one range: first, last, middle, open-ended, suffix, clamped', () => {
    expect(parseRange('bytes=0-0', size)).toEqual({ kind: 'range', start: 0, end: 1 });
    expect(parseRange('bytes=999-999', size)).toEqual({ kind: 'range', start: 999, end: 1000 });
    expect(parseRange('bytes=100-199', size)).toEqual({ kind: 'range', start: 100, end: 200 });
    expect(parseRange('bytes=500-', size)).toEqual({ kind: 'range', start: 500, end: 1000 });
    expect(parseRange('bytes=-10', size)).toEqual({ kind: 'range', start: 990, end: 1000 });
    expect(parseRange('bytes=-5000', size)).toEqual({ kind: 'range', start: 0, end: 1000 });
    expect(parseRange('bytes=990-5000', size)).toEqual({ kind: 'range', start: 990, end: 1000 });
    expect(parseRange(' Bytes = 1 - 2 ', size)).toEqual({ kind: 'range', start: 1, end: 3 });
  });

  it('unsatisfiable: starting at or past the end, an empty suffix, any range of an empty file', () => {
    expect(parseRange('bytes=1000-', size)).toEqual({ kind: 'unsatisfiable' });
    expect(parseRange('bytes=5000-6000', size)).toEqual({ kind: 'unsatisfiable' });
    expect(parseRange('bytes=-0', size)).toEqual({ kind: 'unsatisfiable' });
    expect(parseRange('bytes=0-', 0)).toEqual({ kind: 'unsatisfiable' });
    expect(parseRange('bytes=-1', 0)).toEqual({ kind: 'unsatisfiable' });
  });

  it('ignored (the whole body): none, other units, malformed, reversed, several ranges', () => {
    for (const h of [null, undefined, '', 'items=0-1', 'bytes=', 'bytes=-', 'bytes=a-b', 'bytes=5-1', 'bytes=0-1,3-4', 'bytes=0-1x']) {
      expect(parseRange(h, size), String(h)).toEqual({ kind: 'full' });
    }
  });
});

describe('answer', () => {
  const base = { name: 'clip.webm', ranges: true, download: false };

  it('206 with Content-Range and Content-Length for a range', () => {
    const a = answer({ ...base, size: 1000, range: 'bytes=10-19' });
    expect(a.status).toBe(206);
    expect(a.body).toEqual({ start: 10, end: 20 });
    expect(a.headers).toMatchObject({
      'Content-Type': 'video/webm',
      'Content-Length': '10',
      'Content-Range': 'bytes 10-19/1000',
      'Accept-Ranges': 'bytes',
      'X-Content-Type-Options': 'nosniff',
      'Content-Disposition': `inline; filename="clip.webm"; filename*=UTF-8''clip.webm`,
    });
  });

  it('200 with the whole body without Range; 416 with the size for an impossible one', () => {
    const full = answer({ ...base, size: 1000, range: null });
    expect([full.status, full.headers['Content-Length'], full.headers['Content-Range'], full.body]).toEqual([200, '1000', undefined, { start: 0, end: 1000 }]);
    const none = answer({ ...base, size: 1000, range: 'bytes=1000-' });
    expect([none.status, none.headers['Content-Range'], none.body]).toEqual([416, 'bytes */1000', undefined]);
  });

  it('a one-shot download: an attachment, whole, without ranges; of unknown length when so', () => {
    const a = answer({ name: 'album.zip', size: undefined, range: 'bytes=0-10', ranges: false, download: true });
    expect(a.status).toBe(200);
    expect(a.headers['Content-Length']).toBeUndefined();
    expect(a.headers['Accept-Ranges']).toBeUndefined();
    expect(a.headers['Content-Disposition']).toMatch(/^attachment; filename="album.zip"/);
    const known = answer({ name: 'x.bin', size: 50, range: 'bytes=0-10', ranges: false, download: true });
    expect([known.status, known.headers['Content-Length'], known.body]).toEqual([200, '50', { start: 0, end: 50 }]);
  });

  it('never lets a file run as a page of the app: nosniff, a sandbox CSP, HTML as text', () => {
    const html = answer({ ...base, name: 'evil.html', size: 10, range: null });
    expect(html.headers['Content-Type']).toBe('text/plain; charset=utf-8');
    expect(html.headers['Content-Security-Policy']).toMatch(/^sandbox;/);
    expect(answer({ ...base, name: 'x.svg', size: 10, range: null }).headers['Content-Security-Policy']).toMatch(/^sandbox;/);
    // The browser's PDF viewer does not run in a sandbox, and runs no script of this origin.
    expect(answer({ ...base, name: 'x.pdf', size: 10, range: null }).headers['Content-Security-Policy']).toBeUndefined();
  });
});

describe('content types and previews', () => {
  it('by extension, case-insensitively; unknown ones are octet streams', () => {
    expect(contentTypeOf('a.WEBM')).toBe('video/webm');
    expect(contentTypeOf('a.mp4')).toBe('video/mp4');
    expect(contentTypeOf('song.mp3')).toBe('audio/mpeg');
    expect(contentTypeOf('p.JPG')).toBe('image/jpeg');
    expect(contentTypeOf('doc.pdf')).toBe('application/pdf');
    expect(contentTypeOf('README')).toBe('application/octet-stream');
    expect(contentTypeOf('x.exe')).toBe('application/octet-stream');
  });

  it('says how a file can be shown', () => {
    expect(['a.webm', 'b.mp3', 'c.png', 'd.pdf', 'e.txt', 'f.bin', 'g.ico'].map(previewKindOf)).toEqual([
      'video',
      'audio',
      'image',
      'pdf',
      'text',
      undefined,
      'image',
    ]);
  });

  it('names the inert types (opened as a page, nothing runs): video, audio, raster images', () => {
    for (const name of ['a.webm', 'a.mkv', 'a.mp4', 'a.mov', 'b.mp3', 'b.flac', 'b.opus', 'c.png', 'c.JPG', 'c.gif', 'c.webp', 'c.avif', 'c.ico']) {
      expect(inertTypeOf(name), name).toBe(contentTypeOf(name));
    }
    // Documents (run as pages: SVG, HTML, XHTML, XML), text, PDF and anything unknown.
    for (const name of ['cat.svg', 'x.SVG', 'p.html', 'p.htm', 'p.xhtml', 'p.xml', 'p.xsl', 'n.txt', 's.js', 'd.pdf', 'x.bin', 'README', 'x.svgz', 'x.mht']) {
      expect(inertTypeOf(name), name).toBeUndefined();
    }
  });

  it('Content-Disposition keeps any name exactly (RFC 8187) with an ASCII fallback', () => {
    expect(contentDisposition('attachment', 'Ünïcödé "quoted" 日本.txt')).toBe(
      `attachment; filename="_n_c_d_ _quoted_ __.txt"; filename*=UTF-8''%C3%9Cn%C3%AFc%C3%B6d%C3%A9%20%22quoted%22%20%E6%97%A5%E6%9C%AC.txt`,
    );
    expect(contentDisposition('inline', "it's (1).txt")).toBe(`inline; filename="it's (1).txt"; filename*=UTF-8''it%27s%20%281%29.txt`);
  });
});
