/**
 * A throwaway PKI made with `openssl` at test time (node:crypto cannot issue X.509 certificates):
 * a CA, a server certificate for localhost/127.0.0.1, a client certificate from the same CA, and a
 * client certificate from an unrelated CA (the "wrong certificate").
 */
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface Pem {
  certFile: string;
  keyFile: string;
  cert: string;
  key: string;
}

export interface TestPki {
  caFile: string;
  ca: string;
  server: Pem;
  client: Pem;
  /** Signed by another CA: a server that verifies clients must refuse it. */
  strangerClient: Pem;
}

const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

async function makeCa(dir: string, name: string): Promise<{ certFile: string; keyFile: string }> {
  const certFile = join(dir, `${name}.pem`);
  const keyFile = join(dir, `${name}.key`);
  await run('openssl', [
    'req',
    '-x509',
    ...EC,
    '-keyout',
    keyFile,
    '-out',
    certFile,
    '-days',
    '2',
    '-subj',
    `/CN=${name}`,
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  return { certFile, keyFile };
}

async function issue(
  dir: string,
  name: string,
  ca: { certFile: string; keyFile: string },
  extensions: string,
): Promise<Pem> {
  const keyFile = join(dir, `${name}.key`);
  const csr = join(dir, `${name}.csr`);
  const certFile = join(dir, `${name}.pem`);
  const ext = join(dir, `${name}.ext`);
  await writeFile(ext, extensions);
  await run('openssl', ['req', '-new', ...EC, '-keyout', keyFile, '-out', csr, '-subj', `/CN=${name}`]);
  await run('openssl', [
    'x509',
    '-req',
    '-in',
    csr,
    '-CA',
    ca.certFile,
    '-CAkey',
    ca.keyFile,
    '-CAcreateserial',
    '-out',
    certFile,
    '-days',
    '2',
    '-extfile',
    ext,
  ]);
  return { certFile, keyFile, cert: await readFile(certFile, 'utf8'), key: await readFile(keyFile, 'utf8') };
}

export async function makeTestPki(dir: string): Promise<TestPki> {
  const ca = await makeCa(dir, 'test-ca');
  const stranger = await makeCa(dir, 'stranger-ca');
  const server = await issue(
    dir,
    'server',
    ca,
    'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth,clientAuth\nkeyUsage=critical,digitalSignature\n',
  );
  const clientExt = 'extendedKeyUsage=clientAuth\nkeyUsage=critical,digitalSignature\n';
  return {
    caFile: ca.certFile,
    ca: await readFile(ca.certFile, 'utf8'),
    server,
    client: await issue(dir, 'client', ca, clientExt),
    strangerClient: await issue(dir, 'stranger-client', stranger, clientExt),
  };
}
