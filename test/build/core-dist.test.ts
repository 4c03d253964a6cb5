import { describe, expect, it } from 'vitest';
import { build } from 'vite';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';

describe('dist/core.js', () => {
  it('builds into one ES module that runs in plain Node with no loader', async () => {
    const outDir = mkdtempSync(join(tmpdir(), 'tabswarm-core-'));
    process.env.TABSWARM_LIB = 'core';
    await build({ configFile: 'vite.lib.config.ts', logLevel: 'silent', build: { outDir, emptyOutDir: true } });
    const file = join(outDir, 'core.js');
    expect(existsSync(file)).toBe(true);
    const script = `
      const core = await import(${JSON.stringify(file)});
      const data = new TextEncoder().encode('hello from a plain node process');
      const t = await core.createTorrent([{ path: 'hello.txt', data }], { announce: ['ws://127.0.0.1:8000'] });
      const back = await core.parseTorrent(t.torrentFile);
      const magnet = core.parseMagnet(t.magnetURI);
      const info = core.bencode.decode(t.torrentFile).info;
      let error = '';
      try { core.parseMagnet('magnet:?xt=urn:btih:nothex'); } catch (e) { error = e instanceof core.MagnetError ? e.name : 'other'; }
      console.log(JSON.stringify({
        infoHash: t.infoHash, back: back.infoHash, magnet: magnet.infoHash, name: back.name,
        length: t.length, tr: magnet.announce, info: Buffer.from(core.bencode.encode(info)).toString('hex'),
        formatted: core.formatMagnet({ infoHash: t.infoHash, name: 'x' }), error,
      }));`;
    const out = JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' }));
    const expectedHash = createHash('sha1').update(Buffer.from(out.info, 'hex')).digest('hex');
    expect(out.infoHash).toBe(expectedHash);
    expect(out.back).toBe(expectedHash);
    expect(out.magnet).toBe(expectedHash);
    expect(out.name).toBe('hello.txt');
    expect(out.length).toBe(31);
    expect(out.tr).toEqual(['ws://127.0.0.1:8000']);
    expect(out.formatted).toBe(`magnet:?xt=urn:btih:${expectedHash}&dn=x`);
    expect(out.error).toBe('MagnetError');
  });
});
