/**
 * Certificates made at test time by `openssl`: a CA, a server certificate and a client certificate
 * signed by it — so TLS code is checked against a real handshake with a CA the test controls (the
 * system's CAs never trust it).
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Certificates {
  dir: string;
  ca: Buffer;
  serverCert: Buffer;
  serverKey: Buffer;
  clientCert: Buffer;
  clientKey: Buffer;
  /** The (first) name in the server certificate (not the address it listens on). */
  serverName: string;
  cleanup(): Promise<void>;
}

export interface CertificateOptions {
  /**
   * What the server certificate is for: DNS names or IP addresses (its subject alternative names).
   * @default ['temporal.test']
   */
  readonly serverNames?: readonly [string, ...string[]];
}

function openssl(dir: string, ...args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
}

/** A fresh CA, a server certificate for `serverNames` and a client certificate, both signed by the CA. */
export async function makeCertificates(options: CertificateOptions = {}): Promise<Certificates> {
  const dir = await mkdtemp(join(tmpdir(), 'test-tls-'));
  const serverNames = options.serverNames ?? ['temporal.test'];
  const serverName = serverNames[0];
  const altNames = serverNames.map((name) => (isIP(name) ? `IP:${name}` : `DNS:${name}`)).join(',');
  openssl(
    dir,
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'ca.key',
    '-out',
    'ca.pem',
    '-days',
    '2',
    '-subj',
    '/CN=wire-test-ca',
  );
  await writeFile(join(dir, 'server.ext'), `subjectAltName=${altNames}\nextendedKeyUsage=serverAuth\n`);
  await writeFile(join(dir, 'client.ext'), 'extendedKeyUsage=clientAuth\n');
  for (const [name, subject] of [
    ['server', `/CN=${serverName}`],
    ['client', '/CN=event-gateway'],
  ] as const) {
    openssl(
      dir,
      'req',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      `${name}.key`,
      '-out',
      `${name}.csr`,
      '-subj',
      subject,
    );
    openssl(
      dir,
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      'ca.pem',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-out',
      `${name}.pem`,
      '-days',
      '2',
      '-extfile',
      `${name}.ext`,
    );
  }
  const read = (file: string) => readFile(join(dir, file));
  return {
    dir,
    ca: await read('ca.pem'),
    serverCert: await read('server.pem'),
    serverKey: await read('server.key'),
    clientCert: await read('client.pem'),
    clientKey: await read('client.key'),
    serverName,
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}
