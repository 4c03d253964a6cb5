import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromBase64Url, toBase64Url } from '../../src/core/bytes.js';
import { MagnetError } from '../../src/core/errors.js';
import { parseMagnet } from '../../src/core/magnet.js';
import { ShareLinkError, appUrl, magnetFromLocation, magnetFromText, shareFromLocation, shareFromText, shareLink } from '../../src/shared/share-link.js';

const APP = 'https://tabswarm.example/';
const TRACKER = 'wss://tracker.example/announce';
/** sha1("tabswarm"); its base64url form comes from Node's own encoder, not from the code under test. */
const HASH = createHash('sha1').update('tabswarm').digest('hex');
const HASH_B64 = Buffer.from(HASH, 'hex').toString('base64url');
const HASH_B32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

function shareLinkError(href: string): ShareLinkError {
  try {
    magnetFromLocation(href);
  } catch (e) {
    expect(e).toBeInstanceOf(ShareLinkError);
    expect(e).toBeInstanceOf(MagnetError); // the app's "This link does not work" notice
    return e as ShareLinkError;
  }
  throw new Error(`no error for ${href}`);
}

describe('base64url', () => {
  it('matches RFC 4648 (Node) for every length, and reads back what it wrote', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        const text = toBase64Url(bytes);
        expect(text).toBe(Buffer.from(bytes).toString('base64url'));
        expect(fromBase64Url(text)).toEqual(bytes);
      }),
    );
  });

  it('refuses characters outside the alphabet, impossible lengths and non-zero unused bits', () => {
    expect(fromBase64Url('ab+c')).toBeUndefined();
    expect(fromBase64Url('ab=')).toBeUndefined();
    expect(fromBase64Url('abcde')).toBeUndefined(); // 4n + 1 characters encode no byte count
    // 'QQ' is "A"; 'QR' sets an unused bit, so the same byte would have two texts.
    expect(fromBase64Url('QQ')).toEqual(new Uint8Array([0x41]));
    expect(fromBase64Url('QR')).toBeUndefined();
  });
});

describe('short share links', () => {
  it('are the app address plus "#" and the hash in 27 base64url characters when the trackers are the defaults', () => {
    const link = shareLink(APP, { infoHash: HASH, announce: [TRACKER], urlList: [], exactSource: [] }, [TRACKER]);
    expect(link).toBe(`${APP}#${HASH_B64}`);
    expect(link.length).toBe(APP.length + 28);
    expect(magnetFromLocation(link)).toBe(`magnet:?xt=urn:btih:${HASH}`);
  });

  it('keep the app path and query, and drop an old fragment', () => {
    expect(shareLink('http://127.0.0.1:8080/app/?lang=fr#old', { infoHash: HASH, announce: [] }, [])).toBe(`http://127.0.0.1:8080/app/?lang=fr#${HASH_B64}`);
  });

  it('round-trip: every hash, the trackers that are not defaults, web seeds and exact sources come back', () => {
    const url = fc.webUrl({ withQueryParameters: true, withFragments: true });
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 20, maxLength: 20 }),
        fc.uniqueArray(url, { maxLength: 3 }),
        fc.uniqueArray(url, { maxLength: 2 }),
        (hash, extra, seeds) => {
          const infoHash = Buffer.from(hash).toString('hex');
          const announce = [TRACKER, ...extra.filter((u) => u !== TRACKER)];
          const link = shareLink(APP, { infoHash, announce, urlList: seeds, exactSource: seeds.slice(0, 1) }, [TRACKER]);
          const magnet = parseMagnet(magnetFromLocation(link)!);
          expect(magnet.infoHash).toBe(infoHash);
          expect(magnet.announce).toEqual(announce.slice(1));
          expect(magnet.urlList).toEqual(seeds);
          expect(magnet.exactSource).toEqual(seeds.slice(0, 1));
          expect(magnet.name).toBeUndefined();
          // What a browser makes of the link (percent-encoding what a fragment may not hold) reads the same.
          expect(parseMagnet(magnetFromLocation(new URL(link).href)!).announce).toEqual(announce.slice(1));
        },
      ),
      { numRuns: 60 },
    );
  });

  it('carry a tracker the receiver would not know of (the sharer set their own)', () => {
    const link = shareLink(APP, { infoHash: HASH, announce: ['wss://mine.example/a b'] }, [TRACKER]);
    expect(link).toBe(`${APP}#${HASH_B64}&tr=wss%3A%2F%2Fmine.example%2Fa%20b`);
    expect(parseMagnet(magnetFromLocation(link)!).announce).toEqual(['wss://mine.example/a b']);
  });

  it('are read with the hash in base32 or hex too', () => {
    const fromB32 = parseMagnet(magnetFromLocation(`${APP}#${HASH_B32}`)!);
    expect(fromB32.infoHash).toBe('00443214c74254b635cf84653a56d7c675be77df');
    expect(magnetFromLocation(`${APP}#${HASH.toUpperCase()}&tr=${encodeURIComponent(TRACKER)}`)).toBe(
      `magnet:?xt=urn:btih:${HASH}&tr=${encodeURIComponent(TRACKER)}`,
    );
  });
});

describe('private share links', () => {
  const secret = new Uint8Array(16).map((_, i) => i * 17);
  const SECRET_B64 = Buffer.from(secret).toString('base64url');

  it('are the short link with "." and the secret in 22 base64url characters after the hash: the address plus 51 characters', () => {
    const link = shareLink(APP, { infoHash: HASH, announce: [TRACKER], secret }, [TRACKER]);
    expect(link).toBe(`${APP}#${HASH_B64}.${SECRET_B64}`);
    expect(link.length - APP.length).toBe(51);
    expect(shareFromLocation(link)).toEqual({ magnet: `magnet:?xt=urn:btih:${HASH}`, secret });
    // The magnet link given to the client carries no secret.
    expect(magnetFromLocation(link)).toBe(`magnet:?xt=urn:btih:${HASH}`);
  });

  it('round-trip with trackers and any secret; a link without a secret gives none', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), fc.boolean(), (key, withTracker) => {
        const announce = withTracker ? ['wss://mine.example/a'] : [];
        const link = shareLink(APP, { infoHash: HASH, announce, secret: key }, [TRACKER]);
        const got = shareFromText(` ${link} `);
        expect(got.secret).toEqual(key);
        expect(parseMagnet(got.magnet).announce).toEqual(announce);
      }),
      { numRuns: 100 },
    );
    expect(shareFromLocation(`${APP}#${HASH_B64}`)).toEqual({ magnet: `magnet:?xt=urn:btih:${HASH}` });
    expect(shareFromText(`magnet:?xt=urn:btih:${HASH}`)).toEqual({ magnet: `magnet:?xt=urn:btih:${HASH}` });
  });

  it('say a key cut short or changed was', () => {
    expect(shareLinkError(`${APP}#${HASH_B64}.${SECRET_B64.slice(0, 10)}`).message).toBe(
      "the private share link's key has 10 characters where 22 are expected: the link was probably cut short or changed",
    );
    expect(shareLinkError(`${APP}#${HASH_B64}.`).message).toMatch(/key has 0 characters/);
    const last = SECRET_B64.at(-1)!;
    expect(shareLinkError(`${APP}#${HASH_B64}.${SECRET_B64.slice(0, -1)}${last === 'B' ? 'C' : 'B'}`).message).toMatch(/a character that cannot be in it/);
    // The hash is checked first.
    expect(shareLinkError(`${APP}#${HASH_B64.slice(1)}.${SECRET_B64}`).message).toMatch(/info hash has 26 characters/);
  });
});

describe('long share links (earlier versions, other apps) keep working', () => {
  const magnet = `magnet:?xt=urn:btih:${HASH}&dn=a%20b&tr=ws%3A%2F%2F127.0.0.1%3A8000`;
  it('read the magnet link from the fragment, encoded or not, or from ?magnet=', () => {
    expect(magnetFromLocation(`http://127.0.0.1:8080/?x=1#${magnet}`)).toBe(magnet);
    expect(magnetFromLocation(`http://h/#${encodeURIComponent(magnet)}`)).toBe(magnet);
    expect(magnetFromLocation(`http://h/?magnet=${encodeURIComponent(magnet)}`)).toBe(magnet);
    expect(magnetFromText(` http://h/#${magnet} `)).toBe(magnet);
  });
});

describe('locations that carry no link', () => {
  it('give undefined: no fragment, a page of the app, a short word', () => {
    for (const href of ['http://h/', 'http://h/#', 'http://h/#embed', 'http://h/#settings', 'http://h/#magnet%E0%A4%A', 'http://h/?magnet=nope']) {
      expect(magnetFromLocation(href), href).toBeUndefined();
    }
  });
});

describe('broken share links get a clear error', () => {
  it('says a link cut short was cut short', () => {
    expect(shareLinkError(`${APP}#${HASH_B64.slice(0, 20)}`).message).toBe(
      "the share link's info hash has 20 characters where 27 are expected (or 32 in base32, 40 in hex): the link was probably cut short or changed",
    );
    expect(shareLinkError(`${APP}#${HASH_B64}x`).message).toMatch(/has 28 characters where 27 are expected/);
  });

  it('says a changed character makes no info hash', () => {
    // The last character of 27 carries 4 bits of the hash and 2 unused ones, which must be 0.
    const last = HASH_B64.at(-1)!;
    const changed = HASH_B64.slice(0, -1) + (last === 'B' ? 'C' : 'B');
    expect(shareLinkError(`${APP}#${changed}`).message).toBe(
      `the share link's info hash "${changed}" is not a valid info hash: a character was probably changed`,
    );
    expect(shareLinkError(`${APP}#${'g'.repeat(40)}`).message).toMatch(/is not a valid info hash/);
    expect(shareLinkError(`${APP}#${'1'.repeat(32)}`).message).toMatch(/is not a valid info hash/);
  });

  it('magnetFromText: throws for a broken share link, passes other text on for the magnet parser to explain', () => {
    expect(() => magnetFromText(`${APP}#${HASH_B64.slice(1)}`)).toThrow(ShareLinkError);
    expect(magnetFromText('  hello ')).toBe('hello');
    expect(() => parseMagnet(magnetFromText('hello'))).toThrow(/not a magnet link/);
    expect(magnetFromText('https://example.com/')).toBe('https://example.com/');
    // A short link with a malformed parameter: the magnet parser names the parameter.
    expect(() => parseMagnet(magnetFromText(`${APP}#${HASH_B64}&tr=%E0%A4%A`))).toThrow(/"tr" parameter has malformed percent-encoding/);
  });
});

describe('appUrl', () => {
  it('is the address a short link is made from', () => {
    expect(appUrl(`${APP}#${HASH_B64}`)).toBe(APP);
  });
});
