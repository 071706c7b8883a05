import { generate } from 'selfsigned';

export interface Certificate {
  /** PEM certificate: self-signed, so it is also the CA clients must trust. */
  cert: string;
  key: string;
}

/** A fresh certificate for the loopback names, made at each start (nothing is checked in). */
export async function generateCertificate(): Promise<Certificate> {
  const now = new Date();
  const pems = await generate([{ name: 'commonName', value: 'BYOI Console OVH simulator' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate: new Date(now.getTime() - 60_000),
    notAfterDate: new Date(now.getTime() + 30 * 24 * 3600 * 1000),
    extensions: [
      // CA:true so a client that only accepts CA certificates in its trust store still trusts it.
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', digitalSignature: true, keyCertSign: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 2, value: 'localhost' },
          { type: 7, ip: '127.0.0.1' },
          { type: 7, ip: '::1' },
        ],
      },
    ],
  });
  return { cert: pems.cert, key: pems.private };
}
