export function ensureCertificate(options: {
  dir: string;
  names: string[];
}): Promise<{ key: string; cert: string; caPath: string; created: boolean; caCreated: boolean }>;
export function readCertificate(certPath: string, keyPath: string): { cert: string; key: string };
export function spkiHash(pem: string): string;
