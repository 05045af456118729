/**
 * The event log's connections to S3 over TLS (S3's endpoints are https): against a real TLS server on
 * loopback (node:https) with certificates made by `openssl` — a PUT answered over TLS, the server's
 * certificate checked (its CA, its name) before a byte of the request leaves, the name sent for SNI,
 * and the kept TLS connection reused and given up when the server closes it.
 */
import { createServer as createHttpsServer, type Server } from 'node:https';
import { createServer as createTcpServer, connect, type AddressInfo, type Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keptConnections } from '../../payloads/aws-http1-client';
import { makeCertificates, type Certificates } from '../support/test-certificates';

const RECORD = '{"event":"order-shipped","secret":"s3cr3t"}';
const put = (n: number) =>
  `PUT /events/k${n} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n` +
  `Content-Length: ${Buffer.byteLength(RECORD)}\r\n\r\n${RECORD}`;

let certs: Certificates;
/** A certificate for another name, from a CA the client is told to trust. */
let elsewhere: Certificates;

beforeAll(async () => {
  [certs, elsewhere] = await Promise.all([
    makeCertificates({ serverNames: ['localhost', '127.0.0.1'] }),
    makeCertificates({ serverNames: ['elsewhere.test'] }),
  ]);
}, 60_000);

afterAll(async () => {
  await Promise.all([certs?.cleanup(), elsewhere?.cleanup()]);
});

interface S3Stand {
  readonly port: number;
  /** TLS connections whose handshake completed, with the name each asked for (SNI; false: none). */
  readonly connections: (string | false)[];
  /** Bodies of the PUTs the server read. */
  readonly bodies: string[];
  /** Called after each answer is written, with the connection it went on. */
  afterAnswer?: (socket: TLSSocket) => void;
  close(): Promise<void>;
}

/** An S3 stand-in over HTTPS on loopback: answers each PUT `200` once its body is read. */
async function s3OverTls(identity: Certificates): Promise<S3Stand> {
  const sockets = new Set<Socket>();
  const server: Server = createHttpsServer({ cert: identity.serverCert, key: identity.serverKey });
  const stand: S3Stand = {
    port: 0,
    connections: [],
    bodies: [],
    close: () => {
      for (const socket of sockets) socket.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.on('secureConnection', (socket: TLSSocket) =>
    stand.connections.push((socket as TLSSocket & { servername: string | false }).servername),
  );
  server.on('tlsClientError', () => {});
  server.on('request', (request, response) => {
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => (body += chunk));
    request.on('end', () => {
      stand.bodies.push(body);
      response.writeHead(200, { ETag: '"x"', 'Content-Length': '0' });
      response.end(() => stand.afterAnswer?.(request.socket as TLSSocket));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return Object.assign(stand, { port: (server.address() as AddressInfo).port });
}

/** A TCP relay in front of `port` that keeps every byte the client sent (what went on the wire). */
async function wiretap(port: number) {
  const sent: Buffer[] = [];
  const sockets: Socket[] = [];
  const relay = createTcpServer((client) => {
    const upstream = connect(port, '127.0.0.1');
    sockets.push(client, upstream);
    client.on('data', (chunk: Buffer) => sent.push(chunk));
    client.pipe(upstream).pipe(client);
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
  });
  await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
  return {
    port: (relay.address() as AddressInfo).port,
    sent: () => Buffer.concat(sent),
    close: () => {
      for (const socket of sockets) socket.destroy();
      return new Promise<void>((resolve) => relay.close(() => resolve()));
    },
  };
}

describe('the event log’s kept connections to S3 over TLS', () => {
  it('sends a PUT over TLS to a server its CA vouches for, naming the host for SNI', async () => {
    const s3 = await s3OverTls(certs);
    try {
      const connections = keptConnections(new URL(`https://localhost:${s3.port}`), { ca: certs.ca });
      await expect(connections.exchange(put(0), 5_000)).resolves.toEqual({ status: 200, body: '' });
      expect(s3.bodies).toEqual([RECORD]);
      expect(s3.connections).toEqual(['localhost']);
    } finally {
      await s3.close();
    }
  });

  it('sends no name for SNI to an address (RFC 6066), and checks the address in the certificate', async () => {
    const s3 = await s3OverTls(certs);
    try {
      const connections = keptConnections(new URL(`https://127.0.0.1:${s3.port}`), { ca: certs.ca });
      await expect(connections.exchange(put(0), 5_000)).resolves.toEqual({ status: 200, body: '' });
      expect(s3.connections).toEqual([false]);
    } finally {
      await s3.close();
    }
  });

  it('refuses a server whose certificate no trusted CA signed, before the request leaves in clear', async () => {
    const s3 = await s3OverTls(certs);
    const tap = await wiretap(s3.port);
    try {
      // The default trust (the system's CAs) does not know the test's CA.
      const connections = keptConnections(new URL(`https://localhost:${tap.port}`));
      const refused = connections.exchange(put(0), 5_000);
      await expect(refused).rejects.toThrow('S3 connection failed');
      await expect(refused).rejects.toMatchObject({ code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' });
      // Another CA than the one that signed the server's certificate: refused as well.
      const otherCa = keptConnections(new URL(`https://localhost:${tap.port}`), { ca: elsewhere.ca });
      await expect(otherCa.exchange(put(1), 5_000)).rejects.toMatchObject({
        code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
      });
      expect(s3.connections).toEqual([]);
      expect(s3.bodies).toEqual([]);
      // The client spoke (its hellos went through the relay), but neither request nor record in clear.
      expect(tap.sent().length).toBeGreaterThan(0);
      expect(tap.sent().includes('PUT /events')).toBe(false);
      expect(tap.sent().includes('s3cr3t')).toBe(false);
    } finally {
      await tap.close();
      await s3.close();
    }
  });

  it('refuses a trusted certificate made for another host name', async () => {
    const s3 = await s3OverTls(elsewhere);
    try {
      const connections = keptConnections(new URL(`https://localhost:${s3.port}`), { ca: elsewhere.ca });
      await expect(connections.exchange(put(0), 5_000)).rejects.toMatchObject({
        code: 'ERR_TLS_CERT_ALTNAME_INVALID',
      });
      expect(s3.bodies).toEqual([]);
    } finally {
      await s3.close();
    }
  });

  it('reuses the kept TLS connection for the next PUT', async () => {
    const s3 = await s3OverTls(certs);
    try {
      const connections = keptConnections(new URL(`https://localhost:${s3.port}`), { ca: certs.ca });
      await expect(connections.exchange(put(0), 5_000)).resolves.toEqual({ status: 200, body: '' });
      await expect(connections.exchange(put(1), 5_000)).resolves.toEqual({ status: 200, body: '' });
      expect(s3.bodies).toEqual([RECORD, RECORD]);
      expect(s3.connections).toHaveLength(1);
    } finally {
      await s3.close();
    }
  });

  it('opens a fresh TLS connection when the server closed the kept one between PUTs', async () => {
    const s3 = await s3OverTls(certs);
    let idleClosed: Promise<unknown> = Promise.resolve();
    s3.afterAnswer = (socket) => {
      // S3 drops an idle connection after a while: close_notify and FIN once the answer is out.
      idleClosed = new Promise((resolve) => socket.once('close', resolve));
      socket.end();
    };
    try {
      const connections = keptConnections(new URL(`https://localhost:${s3.port}`), { ca: certs.ca });
      await expect(connections.exchange(put(0), 5_000)).resolves.toEqual({ status: 200, body: '' });
      // Closed on both ends once the client saw the server's end.
      await idleClosed;
      s3.afterAnswer = undefined;
      await expect(connections.exchange(put(1), 5_000)).resolves.toEqual({ status: 200, body: '' });
      expect(s3.bodies).toEqual([RECORD, RECORD]);
      expect(s3.connections).toHaveLength(2);
    } finally {
      await s3.close();
    }
  });
});
