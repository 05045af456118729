import { createServer } from 'node:net';

/**
 * Ports the kernel never hands out on its own. `listen(0)` and every outgoing connection's source
 * port come from the ephemeral range (32768–60999 on Linux): a server a test stops and starts again
 * on its port (Temporal "down" and back) could find that port taken meanwhile by any connection of
 * the tests running beside it. Below the range, only another fixed-port server can collide, and the
 * bind check sees it.
 */
const LOW = 20_000;
const HIGH = 32_767;

function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** A port that was free a moment ago, for servers that need a fixed port up front. */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const port = LOW + Math.floor(Math.random() * (HIGH - LOW + 1));
    if (await bindable(port)) return port;
  }
  throw new Error(`no free port between ${LOW} and ${HIGH} after 50 tries`);
}
