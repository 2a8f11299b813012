import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

/**
 * A self-signed certificate for `address` (and `localhost`, the name Node checks when a client connects
 * to an address), valid one day: `<dir>/<name>.pem` and `<dir>/<name>.key`.
 * The certificate doubles as the CA file of whoever should trust it.
 */
export function selfSignedCertificate(
  dir: string,
  name: string,
  address = '127.0.0.1',
): { cert: string; key: string } {
  const cert = join(dir, `${name}.pem`);
  const key = join(dir, `${name}.key`);
  execFileSync(
    'openssl',
    [
      ...['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', `/CN=${address}`],
      ...['-addext', `subjectAltName=IP:${address},DNS:localhost`, '-keyout', key, '-out', cert],
    ],
    { stdio: 'ignore' },
  );
  return { cert, key };
}
