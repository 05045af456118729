/**
 * The Temporal time-skipping test server (Java SDK's `temporal-test-server`), from Maven Central
 * and run with the machine's Java — instead of the native binary the TypeScript SDK would download
 * at run time.
 *
 * Two ways to use it:
 * - `createTimeSkippingTestEnv()` (preferred): the SDK's own `TestWorkflowEnvironment.createTimeSkipping`,
 *   given a small launcher script from the cache as its `existing-path` executable. The SDK starts and
 *   stops the server and its client skips time while a test awaits a workflow result, exactly as with
 *   the downloaded binary.
 * - `startTimeSkippingServer()`: a bare server on a port, for a plain `Connection` or
 *   `TestWorkflowEnvironment.createFromExistingServer`. With `timeSkipping: true` (the default) the
 *   server skips time whenever nothing is running, without any client cooperation.
 *
 * Run directly (`tsx local/time-skipping-server.ts`) it fetches the jars if needed and prints the
 * launcher path.
 */
import { existsSync } from 'node:fs';
import { chmod, readFile, rename, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { dirname, join } from 'node:path';
import type {
  TestWorkflowEnvironment,
  TimeSkippingTestWorkflowEnvironmentOptions,
} from '@temporalio/testing';
import { freePort, portAcceptsConnections, startJavaProcess, type JavaProcess } from './java-process';
import { classpathOf, ensureMavenTool, findJava, LOCAL_JVM_FLAGS, type MavenTool } from './java-tools';
import { EventGatewayError } from '../contract/errors';

export const TEMPORAL_TEST_SERVER_TOOL = {
  name: 'temporal-test-server',
  artifact: 'io.temporal:temporal-test-server',
} as const satisfies MavenTool;
export const TEMPORAL_TEST_SERVER_MAIN_CLASS = 'io.temporal.testserver.TestServer';
/** Only problems: the server logs every request shutdown at info. */
const SERVER_JVM_FLAGS = [...LOCAL_JVM_FLAGS, '-Dorg.slf4j.simpleLogger.defaultLogLevel=warn'] as const;
/** The server's only flag (checked against TestServer.main): time skipping unlocked from the start. */
export const ENABLE_TIME_SKIPPING_FLAG = '--enable-time-skipping';

export class TimeSkippingServerError extends EventGatewayError {
  override readonly name = 'TimeSkippingServerError';
}

/**
 * A POSIX launcher in the tool cache that runs the Java server with the arguments it is given
 * (`<port> [--enable-time-skipping]`), which is the command line the SDK uses for its native binary.
 * `exec` keeps the JVM as the process the SDK started, so the SDK's shutdown stops the JVM itself.
 */
export async function ensureTimeSkippingServerExecutable(log?: (line: string) => void): Promise<string> {
  if (process.platform === 'win32') {
    throw new TimeSkippingServerError(
      'The time-skipping server launcher is a POSIX shell script; use WSL on Windows.',
    );
  }
  const java = await findJava();
  const lib = await ensureMavenTool(TEMPORAL_TEST_SERVER_TOOL, log);
  // Next to the jars it runs, so a new server version gets a new launcher.
  const path = join(dirname(lib), 'temporal-test-server');
  const quote = (value: string) => `'${value.replaceAll("'", "'\\''")}'`;
  const script = [
    '#!/bin/sh',
    '# Written by temporal-event-gateway (local/time-skipping-server.ts); rewritten when Java moves.',
    `exec ${[java, ...SERVER_JVM_FLAGS, '-cp', classpathOf(lib), TEMPORAL_TEST_SERVER_MAIN_CLASS].map(quote).join(' ')} "$@"`,
    '',
  ].join('\n');
  const current = existsSync(path) ? await readFile(path, 'utf8') : undefined;
  if (current !== script) {
    // Written aside and renamed, so a concurrent SDK never executes a half-written script.
    const staging = `${path}.${process.pid}.tmp`;
    await writeFile(staging, script);
    await chmod(staging, 0o755);
    await rename(staging, path);
  }
  return path;
}

/**
 * The SDK's time-skipping test environment, backed by the Java server from Maven Central. Call
 * `teardown()` when done; it stops the server.
 */
export async function createTimeSkippingTestEnv(
  options: Omit<TimeSkippingTestWorkflowEnvironmentOptions, 'server'> & {
    server?: Omit<NonNullable<TimeSkippingTestWorkflowEnvironmentOptions['server']>, 'executable'>;
    log?: (line: string) => void;
  } = {},
): Promise<TestWorkflowEnvironment> {
  const { log, server, ...rest } = options;
  const path = await ensureTimeSkippingServerExecutable(log);
  // Imported here so that modules using only the bare server do not load the SDK's native runtime.
  const { TestWorkflowEnvironment } = await import('@temporalio/testing');
  return TestWorkflowEnvironment.createTimeSkipping({
    ...rest,
    server: { ...server, executable: { type: 'existing-path', path } },
  });
}

export interface TimeSkippingServerOptions {
  /** @default a free port */
  readonly port?: number;
  /**
   * Start with time skipping unlocked, so the server jumps to the next timer whenever nothing is
   * running. Without it time only skips while a client holds it unlocked (what the SDK's
   * time-skipping client does around `result()`). @default true
   */
  readonly timeSkipping?: boolean;
  readonly log?: (line: string) => void;
  readonly onOutput?: (line: string) => void;
}

export interface TimeSkippingServer {
  /** `127.0.0.1:<port>`, for `Connection.connect` / `NativeConnection.connect`. */
  readonly address: string;
  readonly port: number;
  stop(): Promise<void>;
}

function acceptsTcp(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Fetches the jars once, then starts the server and waits until it accepts connections. */
export async function startTimeSkippingServer(
  options: TimeSkippingServerOptions = {},
): Promise<TimeSkippingServer> {
  const java = await findJava();
  const lib = await ensureMavenTool(TEMPORAL_TEST_SERVER_TOOL, options.log);
  const port = options.port ?? (await freePort());
  if (await portAcceptsConnections(port)) {
    throw new TimeSkippingServerError(
      `Port ${port} is taken, so the time-skipping test server cannot listen there.`,
    );
  }
  let server: JavaProcess;
  try {
    server = await startJavaProcess({
      name: `Temporal test server on port ${port}`,
      java,
      args: [
        ...SERVER_JVM_FLAGS,
        '-cp',
        classpathOf(lib),
        TEMPORAL_TEST_SERVER_MAIN_CLASS,
        String(port),
        ...(options.timeSkipping === false ? [] : [ENABLE_TIME_SKIPPING_FLAG]),
      ],
      // gRPC accepts as soon as the server is built, after the services are registered.
      ready: () => acceptsTcp(port),
      ...(options.onOutput ? { onOutput: options.onOutput } : {}),
    });
  } catch (cause) {
    throw new TimeSkippingServerError(`The time-skipping test server did not start on port ${port}.`, {
      cause,
    });
  }
  return { address: `127.0.0.1:${port}`, port, stop: () => server.stop() };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  ensureTimeSkippingServerExecutable()
    .then((path) => console.log(path))
    .catch((error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exitCode = 1;
    });
}
