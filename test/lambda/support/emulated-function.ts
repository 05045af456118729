/**
 * One Lambda function under AWS's Runtime Interface Emulator with AWS's Node runtime client on
 * Node 24 or 26 (`tools.nodeMajor`): the emulator starts the runtime client as the function's bootstrap, in the function's
 * code directory, with only the environment given (plus what Lambda itself sets), and reports each
 * invocation as Lambda does (`REPORT … Init Duration`).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { dirname } from 'node:path';
import { createInterface } from 'node:readline';
import { freePort } from '../../support/free-port';
import { waitFor } from '../../../local/child-process';

export interface LambdaTools {
  rie: string;
  /** The Node binary the function runs on, and its major version (the Lambda runtime it stands for). */
  node: string;
  nodeMajor: number;
  /** AWS's runtime client, built for that Node. */
  ric: string;
}

export interface EmulatedFunction {
  readonly name: string;
  /** Every line the function and the emulator printed so far. */
  readonly lines: string[];
  invoke<T = unknown>(event: unknown): Promise<T>;
  /** The init phase's duration from the emulator's `INIT REPORT` line, in ms. */
  initDurationMs(): number | undefined;
  /** JSON log lines the function printed during invocations (Powertools' structured logs). */
  jsonLogs(): Record<string, unknown>[];
  stop(): Promise<void>;
}

export async function startEmulatedFunction(options: {
  name: string;
  tools: LambdaTools;
  codeDir: string;
  handler: string;
  environment: Record<string, string>;
  timeoutSeconds?: number;
  memoryMiB?: number;
}): Promise<EmulatedFunction> {
  const port = await freePort();
  // Each emulator's Runtime API on its own port too (the default, 9001, would be shared).
  const runtimeApiPort = await freePort();
  const lines: string[] = [];
  // A clean environment: what the template gives the function and what Lambda sets, nothing else.
  const env: Record<string, string> = {
    PATH: `${dirname(options.tools.node)}:/usr/local/bin:/usr/bin:/bin`,
    LANG: 'en_US.UTF-8',
    TZ: ':UTC',
    LAMBDA_TASK_ROOT: options.codeDir,
    LAMBDA_RUNTIME_DIR: dirname(options.tools.ric),
    _HANDLER: options.handler,
    AWS_LAMBDA_FUNCTION_NAME: options.name,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(options.memoryMiB ?? 128),
    AWS_LAMBDA_FUNCTION_TIMEOUT: String(options.timeoutSeconds ?? 30),
    AWS_EXECUTION_ENV: `AWS_Lambda_nodejs${options.tools.nodeMajor}.x`,
    AWS_REGION: 'us-east-1',
    AWS_DEFAULT_REGION: 'us-east-1',
    // Credentials the local SQS accepts; nothing here reaches AWS.
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    ...options.environment,
  };
  const child: ChildProcess = spawn(
    options.tools.rie,
    [
      '--runtime-interface-emulator-address',
      `127.0.0.1:${port}`,
      '--runtime-api-address',
      `127.0.0.1:${runtimeApiPort}`,
      options.tools.node,
      options.tools.ric,
      options.handler,
    ],
    { cwd: options.codeDir, env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  for (const stream of [child.stdout, child.stderr]) {
    if (stream) createInterface({ input: stream }).on('line', (line) => lines.push(line));
  }
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}/2015-03-31/functions/function/invocations`;
  try {
    await Promise.race([
      waitFor(
        `the emulator for ${options.name}`,
        async () => {
          // Any HTTP answer means the emulator listens; a GET is refused without invoking anything.
          await fetch(`http://127.0.0.1:${port}/`);
          return true;
        },
        30_000,
      ),
      exited.then(() => {
        throw new Error(`the emulator for ${options.name} exited`);
      }),
    ]);
  } catch (error) {
    child.kill('SIGKILL');
    throw new Error(`${(error as Error).message}; it printed:\n${lines.join('\n')}`, { cause: error });
  }

  return {
    name: options.name,
    lines,
    async invoke<T>(event: unknown): Promise<T> {
      const response = await fetch(url, { method: 'POST', body: JSON.stringify(event) });
      const text = await response.text();
      if (!response.ok) throw new Error(`${options.name} invocation: HTTP ${response.status} ${text}`);
      const parsed = JSON.parse(text) as T & { errorType?: string; errorMessage?: string };
      return parsed;
    },
    initDurationMs() {
      for (const line of lines) {
        const match = /INIT REPORT\(durationMs: ([\d.]+)\)/.exec(line);
        if (match) return Number(match[1]);
      }
      return undefined;
    },
    jsonLogs() {
      // After the init phase, which has no request to name (RIE runs it lazily, on the first invoke).
      const first = lines.findIndex((line) => line.includes('INIT REPORT('));
      return lines.slice(Math.max(first, 0)).flatMap((line) => {
        const start = line.indexOf('{');
        if (start < 0) return [];
        try {
          return [JSON.parse(line.slice(start)) as Record<string, unknown>];
        } catch {
          return [];
        }
      });
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
