// The certificate `npm start -- --https` serves with, made on first run and kept in a data folder.
// Like mkcert: a small certificate authority of this installation (install its ca.pem once on a
// phone or another computer and every certificate it signs is trusted there: a secure context, so
// streaming works) and a server certificate it signs for localhost and this machine's addresses,
// made again when the addresses change or it nears its end. Browsers refuse service workers on a
// certificate that is only "accepted" past a warning, so the CA is what makes streaming work.
import { X509Certificate, createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generate } from 'selfsigned';

const DAY = 24 * 60 * 60 * 1000;
/** The server certificate's life (browsers refuse longer ones), and how early it is renewed. */
const SERVER_DAYS = 397;
const RENEW_DAYS = 30;
const CA_YEARS = 10;

/** @param {string} name */
const isIp = (name) => /^[\d.]+$/.test(name) || name.includes(':');

/** @param {string} pem @param {string[]} names */
function covers(pem, names) {
  const cert = new X509Certificate(pem);
  if (Date.parse(cert.validTo) - Date.now() < RENEW_DAYS * DAY) return false;
  const alt = cert.subjectAltName ?? '';
  return names.every((n) => (isIp(n) ? cert.checkIP(n) !== undefined : alt.includes(`DNS:${n}`)));
}

/**
 * The certificate for `names` (host names and IP addresses), from `dir` when it is there and still
 * covers them; otherwise made (and the CA too, on first run).
 * @param {{ dir: string, names: string[] }} options
 * @returns {Promise<{ key: string, cert: string, caPath: string, created: boolean, caCreated: boolean }>}
 */
export async function ensureCertificate({ dir, names }) {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const caPath = join(dir, 'ca.pem');
  const caKeyPath = join(dir, 'ca-key.pem');
  const certPath = join(dir, 'cert.pem');
  const keyPath = join(dir, 'key.pem');
  let caCreated = false;
  if (!existsSync(caPath) || !existsSync(caKeyPath)) {
    const notAfterDate = new Date(Date.now() + CA_YEARS * 365 * DAY);
    const ca = await generate([{ name: 'commonName', value: 'tabswarm local CA' }], {
      keyType: 'ec',
      algorithm: 'sha256',
      notAfterDate,
      extensions: [
        { name: 'basicConstraints', cA: true, critical: true },
        { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
      ],
    });
    writeFileSync(caKeyPath, ca.private, { mode: 0o600 });
    writeFileSync(caPath, ca.cert);
    caCreated = true;
  }
  if (!caCreated && existsSync(certPath) && existsSync(keyPath) && covers(readFileSync(certPath, 'utf8'), names)) {
    return { key: readFileSync(keyPath, 'utf8'), cert: readFileSync(certPath, 'utf8'), caPath, created: false, caCreated };
  }
  const server = await generate([{ name: 'commonName', value: names[0] ?? 'localhost' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    notAfterDate: new Date(Date.now() + SERVER_DAYS * DAY),
    ca: { key: readFileSync(caKeyPath, 'utf8'), cert: readFileSync(caPath, 'utf8') },
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: names.map((n) => (isIp(n) ? { type: 7, ip: n } : { type: 2, value: n })) },
    ],
  });
  writeFileSync(keyPath, server.private, { mode: 0o600 });
  writeFileSync(certPath, server.cert);
  return { key: server.private, cert: server.cert, caPath, created: true, caCreated };
}

/**
 * Reads a certificate and key given with --cert and --key: clear errors for a missing or unreadable file.
 * @param {string} certPath @param {string} keyPath
 */
export function readCertificate(certPath, keyPath) {
  const read = (/** @type {string} */ path, /** @type {string} */ what) => {
    try {
      return readFileSync(path, 'utf8');
    } catch (e) {
      throw new Error(`cannot read the ${what} ${path}: ${/** @type {Error} */ (e).message}`);
    }
  };
  const cert = read(certPath, 'certificate');
  const key = read(keyPath, 'key');
  try {
    new X509Certificate(cert);
  } catch {
    throw new Error(`${certPath} is not a PEM certificate`);
  }
  return { cert, key };
}

/** The base64 SHA-256 of a certificate's public key (what Chromium's --ignore-certificate-errors-spki-list takes). @param {string} pem */
export function spkiHash(pem) {
  const der = new X509Certificate(pem).publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(der).digest('base64');
}
