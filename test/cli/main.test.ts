/**
 * The CLI's surface: help, argument errors (exit 2), unreachable endpoints and missing queues
 * (exit 1, one line naming the endpoint), and the real bin as a child process.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI_COMMANDS } from '../../local/cli/main';
import { startElasticMq, type ElasticMq } from '../../local/elasticmq';
import { freePort } from '../support/free-port';
import { cli } from './support';

const bin = fileURLToPath(new URL('../../bin/event-gateway.js', import.meta.url));
const signalArgs = ['--workflow-id', 'staged-1', '--signal', 'advanceStage', '--payload', '{"stage":1}'];

describe('event-gateway help', () => {
  it('lists every command in the top-level help', async () => {
    const run = await cli(['--help']);
    expect(run.code).toBe(0);
    for (const command of CLI_COMMANDS) {
      expect(run.stdout.some((line) => line.includes(command.name) && line.includes(command.summary))).toBe(
        true,
      );
    }
  });

  it.each(CLI_COMMANDS.map((command) => [command.name]))(
    'explains %s with its usage, options and examples',
    async (name) => {
      const run = await cli([...name.split(' '), '--help']);
      expect(run.code).toBe(0);
      const text = run.stdout.join('\n');
      expect(text).toContain(`Usage: event-gateway ${name}`);
      expect(text).toContain('Options:');
      expect(text).toContain('--help');
      expect(text).toContain('Examples:');
    },
  );

  it('shows the dlq commands for `dlq --help` and `help dlq list` shows that command', async () => {
    const group = await cli(['dlq', '--help']);
    expect(group.code).toBe(0);
    expect(group.stdout.join('\n')).toMatch(/dlq list[\s\S]*dlq redrive/);
    const named = await cli(['help', 'dlq', 'list']);
    expect(named.stdout[0]).toMatch(/^event-gateway dlq list/);
  });

  it('exits 2 with the overview when no command is given', async () => {
    const run = await cli([]);
    expect(run.code).toBe(2);
    expect(run.stdout.join('\n')).toContain('Commands:');
  });
});

describe('bad arguments', () => {
  it.each([
    ['an unknown command', ['frobnicate'], 'unknown command "frobnicate"'],
    ['an unknown dlq command', ['dlq', 'purge'], 'unknown command "purge"'],
    ['dlq without a command', ['dlq'], 'dlq list'],
    ['an unknown option', ['send', ...signalArgs, '--bogus'], "Unknown option '--bogus'"],
    ['an option without its value', ['send', '--workflow-id'], "'--workflow-id <value>' argument missing"],
    [
      'a missing required option',
      ['send', '--workflow-id', 'staged-1', '--payload', '{}'],
      '--signal is required',
    ],
    [
      'a payload that is not JSON',
      ['enqueue', ...signalArgs.slice(0, 4), '--payload', '{stage:1}'],
      '--payload is not valid JSON',
    ],
    ['a stray positional argument', ['enqueue', 'staged-1'], "Unexpected argument 'staged-1'"],
    [
      'a URL that is not http',
      ['send', ...signalArgs, '--url', 'ftp://gateway'],
      '--url must be an http:// or https:// URL',
    ],
    [
      'a malformed webhook secret',
      [
        'send',
        '--cloudevent',
        '{"specversion":"1.0","id":"e1","source":"/t","type":"com.example.stage.advanced","data":{}}',
        '--webhook-secret',
        'whsec_abc',
      ],
      'not a Standard Webhooks secret',
    ],
    [
      'a CloudEvent together with a signal',
      ['send', '--cloudevent', '{}', '--signal', 'advanceStage'],
      '--signal does not go with --cloudevent',
    ],
    [
      'a CloudEvent that is neither JSON nor a file',
      ['send', '--cloudevent', '/no/such/event.json'],
      'neither JSON nor a readable file',
    ],
    ['an empty --event-id', ['enqueue', ...signalArgs, '--event-id', ''], '--event-id must not be empty'],
    ['a zero --max', ['dlq', 'list', '--max', '0'], '--max must be a whole number of at least 1'],
    ['a non-numeric --max', ['dlq', 'redrive', '--max', 'all'], '--max must be a whole number'],
    [
      '--fifo with a standard queue URL',
      ['enqueue', ...signalArgs, '--fifo', '--queue-url', 'http://127.0.0.1:9324/000000000000/q'],
      'is not a FIFO queue',
    ],
    [
      'a FIFO DLQ with a standard queue',
      ['dlq', 'redrive', '--dlq-url', 'http://h/0/d.fifo', '--queue-url', 'http://h/0/q'],
      'is not a FIFO queue',
    ],
  ])('exits 2 and points to --help for %s', async (_case, argv, message) => {
    const run = await cli(argv);
    expect(run.code).toBe(2);
    expect(run.stderr.join('\n')).toContain(message);
    if (argv.length > 1 || argv[0] !== 'dlq') {
      expect(run.stderr).toHaveLength(1);
      expect(run.stderr[0]).toMatch(/Run 'event-gateway[^']*--help' for usage\.$/);
      expect(run.stdout).toEqual([]);
    }
  });
});

describe('unreachable endpoints', () => {
  let port: number;
  beforeAll(async () => {
    port = await freePort();
  });

  it('exits 1 naming the gateway URL when nothing listens there', async () => {
    const run = await cli(['send', ...signalArgs, '--url', `http://127.0.0.1:${port}`]);
    expect(run.code).toBe(1);
    expect(run.stderr).toEqual([
      `event-gateway send: Cannot reach the gateway at http://127.0.0.1:${port} (ECONNREFUSED): check the URL and that the gateway runs there.`,
    ]);
  });

  it('exits 1 pointing at the local stack when the default gateway port is closed', async () => {
    const run = await cli(['send', ...signalArgs], { GATEWAY_PORT: String(port) });
    expect(run.code).toBe(1);
    expect(run.stderr[0]).toContain(`http://127.0.0.1:${port} (ECONNREFUSED): is the local stack running?`);
  });

  it.each([
    ['enqueue', [...signalArgs]],
    ['dlq list', []],
    ['dlq redrive', []],
  ])('exits 1 naming the SQS endpoint for %s', async (name, args) => {
    const viaFlag = await cli([...name.split(' '), ...args, '--endpoint', `http://127.0.0.1:${port}`]);
    expect(viaFlag.code).toBe(1);
    expect(viaFlag.stderr).toHaveLength(1);
    expect(viaFlag.stderr[0]).toContain(`Cannot reach SQS at http://127.0.0.1:${port} (ECONNREFUSED)`);

    const viaPort = await cli([...name.split(' '), ...args], { SQS_PORT: String(port) });
    expect(viaPort.code).toBe(1);
    expect(viaPort.stderr[0]).toContain('is the local stack running? (npm run dev starts ElasticMQ');

    const viaEnv = await cli([...name.split(' '), ...args], { SQS_ENDPOINT: `http://127.0.0.1:${port}` });
    expect(viaEnv.stderr[0]).toContain('or fix SQS_ENDPOINT');
  });
});

describe('an SQS server without the gateway queues', () => {
  let sqs: ElasticMq;
  beforeAll(async () => {
    sqs = await startElasticMq({ port: 0 });
  });
  afterAll(async () => sqs?.stop());

  it.each([
    ['enqueue', [...signalArgs], 'event-gateway-events'],
    ['enqueue', [...signalArgs, '--fifo'], 'event-gateway-events.fifo'],
    ['dlq list', [], 'event-gateway-events-dlq'],
    ['dlq redrive', ['--fifo'], 'event-gateway-events-dlq.fifo'],
  ])('makes %s %j say which queue is missing and how to create it', async (name, args, queue) => {
    const run = await cli([...name.split(' '), ...args], { SQS_ENDPOINT: sqs.endpoint });
    expect(run.code).toBe(1);
    expect(run.stderr).toEqual([
      `event-gateway ${name}: Queue ${queue} does not exist at ${sqs.endpoint}: npm run dev creates the gateway's queues; ` +
        `for another queue pass --${name === 'enqueue' ? 'queue-url' : 'dlq-url'}.`,
    ]);
  });

  it('says so when a given queue URL does not exist', async () => {
    const run = await cli(['enqueue', ...signalArgs, '--queue-url', `${sqs.endpoint}/000000000000/nope`], {
      SQS_ENDPOINT: sqs.endpoint,
    });
    expect(run.code).toBe(1);
    expect(run.stderr[0]).toContain(`Sending to nope failed: the queue does not exist at ${sqs.endpoint}`);
  });
});

describe('the event-gateway bin', () => {
  const exec = promisify(execFile);
  /** The bin as a user runs it: a child process with this repo's node_modules and no test env. */
  async function runBin(args: string[]) {
    try {
      const { stdout, stderr } = await exec(process.execPath, [bin, ...args], {
        env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' },
      });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const failed = error as { code: number; stdout: string; stderr: string };
      return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
    }
  }

  it('prints the overview for --help and exits 0', async () => {
    const run = await runBin(['--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Usage: event-gateway <command> [options]');
    expect(run.stdout).toContain('dlq redrive');
    expect(run.stderr).toBe('');
  });

  it('exits 2 on bad arguments and 1 on an unreachable endpoint, with one line and no stack trace', async () => {
    const bad = await runBin(['enqueue', '--workflow-id', 'staged-1']);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);

    const port = await freePort();
    const unreachable = await runBin(['enqueue', ...signalArgs, '--endpoint', `http://127.0.0.1:${port}`]);
    expect(unreachable.code).toBe(1);
    expect(unreachable.stdout).toBe('');
    expect(unreachable.stderr.trim().split('\n')).toEqual([
      expect.stringContaining(`Cannot reach SQS at http://127.0.0.1:${port} (ECONNREFUSED)`),
    ]);
  });
});
