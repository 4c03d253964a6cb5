import { afterAll, describe, expect, it } from 'vitest';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:https';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { ensureCertificate, readCertificate } from '../../scripts/tls-certificate.mjs';

describe('the certificate of npm start --https', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tabswarm-tls-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is made once with its CA, for the names given, reused, and made again (same CA) when a name is new', async () => {
    const first = await ensureCertificate({ dir, names: ['localhost', '127.0.0.1', '10.1.2.3'] });
    expect(first).toMatchObject({ created: true, caCreated: true });
    const cert = new X509Certificate(first.cert);
    expect(cert.subjectAltName).toBe('DNS:localhost, IP Address:127.0.0.1, IP Address:10.1.2.3');
    const ca = new X509Certificate(readFileSync(first.caPath));
    expect(ca.ca).toBe(true);
    expect(cert.checkIssued(ca)).toBe(true);
    expect(cert.verify(ca.publicKey)).toBe(true);

    const again = await ensureCertificate({ dir, names: ['localhost', '10.1.2.3'] });
    expect(again).toMatchObject({ created: false, caCreated: false, cert: first.cert });

    const moved = await ensureCertificate({ dir, names: ['localhost', '192.168.7.7'] });
    expect(moved).toMatchObject({ created: true, caCreated: false });
    expect(new X509Certificate(moved.cert).checkIssued(ca)).toBe(true);
  });

  it('is trusted by a client that trusts the CA (a TLS handshake to 127.0.0.1)', async () => {
    const { key, cert, caPath } = await ensureCertificate({ dir, names: ['localhost', '127.0.0.1'] });
    const server = createServer({ key, cert }, (_req, res) => res.end('ok'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const body = await new Promise<string>((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port, ca: readFileSync(caPath), path: '/' }, (res) => {
          let text = '';
          res.on('data', (d: Buffer) => (text += d.toString()));
          res.on('end', () => resolve(text));
        });
        req.on('error', reject);
        req.end();
      });
      expect(body).toBe('ok');
    } finally {
      server.close();
    }
  });

  it('reports a missing or malformed --cert / --key clearly', () => {
    expect(() => readCertificate(join(dir, 'nope.pem'), join(dir, 'key.pem'))).toThrow(/cannot read the certificate .*nope\.pem/);
    writeFileSync(join(dir, 'junk.pem'), 'not a certificate');
    expect(() => readCertificate(join(dir, 'junk.pem'), join(dir, 'key.pem'))).toThrow(/junk\.pem is not a PEM certificate/);
  });
});
