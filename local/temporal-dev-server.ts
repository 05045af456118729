/**
 * The Temporal dev server as a child process (`temporal server start-dev`), for the local stack and
 * for fault-injection tests that stop and restart it on the same database file.
 */
import { createConnection } from 'node:net';
import { Connection } from '@temporalio/client';
import { ensureTemporalCli } from './temporal-cli';
import { startChild, waitFor, type Child } from './child-process';

export interface DevServerOptions {
  port?: number;
  uiPort?: number;
  /** Persist workflows here across restarts; in-memory when absent. */
  dbFilename?: string;
  ui?: boolean;
  /** The codec server the UI decodes payloads with (`--ui-codec-endpoint`, e.g. the local gateway's `/v1/codec`). */
  uiCodecEndpoint?: string;
  logLevel?: 'debug' | 'info' | 'warn' | 'error';
}

export function isPortOpen(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** True once the frontend answers for the namespace (an open port alone comes earlier). */
export async function isTemporalReady(address: string, namespace = 'default'): Promise<boolean> {
  const connection = await Connection.connect({ address, connectTimeout: 1_000 });
  try {
    await connection.withDeadline(Date.now() + 1_000, () =>
      connection.workflowService.describeNamespace({ namespace }),
    );
    return true;
  } finally {
    await connection.close();
  }
}

export async function startTemporalDevServer(
  options: DevServerOptions = {},
): Promise<Child & { address: string }> {
  const cli = await ensureTemporalCli();
  const port = options.port ?? 7233;
  const args = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(port)];
  if (options.ui === false) args.push('--headless');
  else {
    args.push('--ui-port', String(options.uiPort ?? 8233));
    if (options.uiCodecEndpoint) args.push('--ui-codec-endpoint', options.uiCodecEndpoint);
  }
  if (options.dbFilename) args.push('--db-filename', options.dbFilename);
  args.push('--log-level', options.logLevel ?? 'error');
  const child = startChild('temporal', cli, args);
  await Promise.race([
    waitFor(`Temporal on 127.0.0.1:${port}`, () => isTemporalReady(`127.0.0.1:${port}`)),
    child.exited.then((code) => {
      throw new Error(`The Temporal dev server exited with code ${code} (is port ${port} in use?).`);
    }),
  ]);
  return Object.assign(child, { address: `127.0.0.1:${port}` });
}
