/** Runs the CLI in-process with a captured output sink and an environment of the test's choosing. */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CliIo } from '../../local/cli/io';
import { runCli } from '../../local/cli/main';

export interface CliRun {
  code: number;
  stdout: string[];
  stderr: string[];
}

/**
 * The environment is only what the test passes: the developer's own SQS_ENDPOINT or
 * GATEWAY_WEBHOOK_SECRET must not leak into what a test checks.
 */
export async function cli(
  argv: readonly string[],
  env: Record<string, string | undefined> = {},
): Promise<CliRun> {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const io: CliIo = { out: (line) => stdout.push(line), err: (line) => stderr.push(line), env };
  const code = await runCli(argv, io);
  return { code, stdout, stderr };
}

export interface CapturedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A tiny HTTP server that records requests and answers 202, standing in for a gateway. */
export async function startCaptureServer() {
  const requests: CapturedRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      requests.push({
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      });
      res.writeHead(202, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ status: 'captured' }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
