/**
 * The event log's own HTTP/1.1 exchange with S3: the framings a server may answer with (a length,
 * chunks, the end of the connection, an interim `100`), the connection kept between records and
 * given up when the server closes it, and a server that never answers — against real sockets.
 */
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { keptConnections, parseResponse } from '../../payloads/aws-http1-client';
import { createLeanS3Put, S3PutError } from '../../functions/adapters/event-log-s3-put';

const OK = 'HTTP/1.1 200 OK\r\nEtag: "x"\r\nContent-Length: 0\r\n\r\n';
const request = (n: number) => `PUT /b/k${n} HTTP/1.1\r\nhost: s3\r\ncontent-length: 2\r\n\r\n{}`;

/** A TCP server answering each request it reads (a request ends with its 2-byte body `{}`). */
async function rawServer(answer: (socket: Socket, index: number) => void) {
  const sockets: Socket[] = [];
  let requests = 0;
  const server: Server = createServer((socket) => {
    sockets.push(socket);
    let seen = '';
    socket.on('data', (chunk) => {
      seen += chunk.toString('latin1');
      while (seen.includes('\r\n\r\n{}')) {
        seen = seen.slice(seen.indexOf('\r\n\r\n{}') + 6);
        answer(socket, requests++);
      }
    });
    socket.on('error', () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: new URL(`http://127.0.0.1:${port}`),
    connections: () => sockets.length,
    requests: () => requests,
    close: () => {
      for (const socket of sockets) socket.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe('parseResponse', () => {
  it('reads a length-framed answer only once it is whole', () => {
    const text = 'HTTP/1.1 403 Forbidden\r\nContent-Length: 14\r\n\r\n<Code>X</Code>';
    expect(parseResponse(Buffer.from('HTTP/1.1 200 OK\r\nContent-Le'))).toBeUndefined();
    expect(parseResponse(Buffer.from(text.slice(0, -1)))).toBeUndefined();
    expect(parseResponse(Buffer.from(text))).toEqual({
      response: { status: 403, body: '<Code>X</Code>' },
      close: false,
    });
    expect(parseResponse(Buffer.from(OK))).toEqual({ response: { status: 200, body: '' }, close: false });
  });

  it('joins chunks, skips an interim 100, and sees Connection: close and HTTP/1.0', () => {
    const chunked =
      'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 503 Slow Down\r\nTransfer-Encoding: chunked\r\n' +
      'Connection: close\r\n\r\n6\r\n<Code>\r\nF;ext=1\r\nSlowDown</Code>\r\n0\r\n\r\n';
    expect(parseResponse(Buffer.from(chunked.slice(0, -2)))).toBeUndefined();
    expect(parseResponse(Buffer.from(chunked))).toEqual({
      response: { status: 503, body: '<Code>SlowDown</Code>' },
      close: true,
    });
    expect(parseResponse(Buffer.from('HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n'))?.close).toBe(true);
  });

  it('reads a body without a length to the end of the connection, and refuses what is not HTTP', () => {
    const unframed = Buffer.from('HTTP/1.1 500 Oops\r\n\r\n<Code>InternalError</Code>');
    expect(parseResponse(unframed)).toBeUndefined();
    expect(parseResponse(unframed, true)).toEqual({
      response: { status: 500, body: '<Code>InternalError</Code>' },
      close: true,
    });
    expect(() => parseResponse(Buffer.from('SSH-2.0-OpenSSH\r\n\r\n'))).toThrow('no HTTP/1.1 status line');
  });
});

describe('the event log’s kept connections to S3', () => {
  it('keeps one connection for records sent one after another, however the answer is split', async () => {
    const server = await rawServer((socket, index) => {
      // The answer in pieces, the last with a byte of the head and the body apart.
      const answer = `HTTP/1.1 200 OK\r\nX-Amz-Request-Id: ${index}\r\nContent-Length: 2\r\n\r\nok`;
      socket.write(answer.slice(0, 10));
      setImmediate(() => socket.write(answer.slice(10, -1)));
      setTimeout(() => socket.write(answer.slice(-1)), 5);
    });
    try {
      const connections = keptConnections(server.origin);
      for (let n = 0; n < 3; n++)
        await expect(connections.exchange(request(n), 2_000)).resolves.toEqual({ status: 200, body: 'ok' });
      expect(server.connections()).toBe(1);
      // Records at once take a connection each.
      await Promise.all([1, 2, 3].map((n) => connections.exchange(request(n), 2_000)));
      expect(server.connections()).toBe(3);
    } finally {
      await server.close();
    }
  });

  it('opens a new connection rather than reuse one idle longer than maxIdleMs', async () => {
    const server = await rawServer((socket) => socket.write(OK));
    try {
      const connections = keptConnections(server.origin, { maxIdleMs: 1 });
      await connections.exchange(request(0), 2_000);
      await new Promise((resolve) => setTimeout(resolve, 10));
      await expect(connections.exchange(request(1), 2_000)).resolves.toEqual({ status: 200, body: '' });
      expect(server.connections()).toBe(2);
    } finally {
      await server.close();
    }
  });

  it('gives a connection up when the server closes it, after an answer or while it idles', async () => {
    let idleClosed: Promise<unknown> = Promise.resolve();
    const server = await rawServer((socket, index) => {
      if (index === 0) socket.end('HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      else socket.write(OK);
      // After the second answer the server drops the idle connection (S3 does after a while).
      if (index === 1) {
        idleClosed = new Promise((resolve) => socket.once('close', resolve));
        socket.end();
      }
    });
    try {
      const connections = keptConnections(server.origin);
      await connections.exchange(request(0), 2_000);
      await connections.exchange(request(1), 2_000);
      expect(server.connections()).toBe(2);
      // Closed on both ends once the client saw the server's end: the next record opens another.
      await idleClosed;
      await expect(connections.exchange(request(2), 2_000)).resolves.toEqual({ status: 200, body: '' });
      expect(server.connections()).toBe(3);
    } finally {
      await server.close();
    }
  });

  it('fails an exchange the server never answers, and the lean PUT tries it once more', async () => {
    const server = await rawServer(() => {});
    try {
      const connections = keptConnections(server.origin);
      await expect(connections.exchange(request(0), 100)).rejects.toMatchObject({ code: 'ETIMEDOUT' });

      const put = createLeanS3Put({
        bucket: 'b',
        region: 'us-east-1',
        endpoint: server.origin.href,
        credentials: () => ({ accessKeyId: 'a', secretAccessKey: 's' }),
        attemptTimeoutMs: 100,
      });
      const before = server.requests();
      const rejection = put('k', '{}');
      await expect(rejection).rejects.toBeInstanceOf(S3PutError);
      await expect(rejection).rejects.toThrow("S3 did not answer the event record's PUT in 100 ms");
      expect(server.requests() - before).toBe(2);
    } finally {
      await server.close();
    }
  });

  it('tries a record again on a fresh connection when the kept one was reset under it', async () => {
    const server = await rawServer((socket, index) => {
      if (index === 1)
        socket.destroy(); // the kept connection dies as the second record arrives
      else socket.write(OK);
    });
    try {
      const put = createLeanS3Put({
        bucket: 'b',
        region: 'us-east-1',
        endpoint: server.origin.href,
        credentials: () => ({ accessKeyId: 'a', secretAccessKey: 's' }),
      });
      await put('k0', '{}');
      await expect(put('k1', '{}')).resolves.toBeUndefined();
      expect(server.requests()).toBe(3);
      expect(server.connections()).toBe(2);
    } finally {
      await server.close();
    }
  });
});
