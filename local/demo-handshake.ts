/**
 * `npm run demo:handshake`: starts a handshakeWorkflow on the running local stack (`npm run dev`),
 * prints the callback URL it minted for its partner, and follows the workflow as you POST it:
 *
 *   curl -X POST '<url>' -H 'content-type: application/json' -d '{"ok":true}'
 *
 * With `--auto` it POSTs the partner's URL itself, twice, to show the second changes nothing. The
 * URLs come from the demo's outbox (the worker's stand-in for e-mail, `HANDSHAKE_OUTBOX_DIR`): a
 * callback URL is a bearer capability, so it is in no log line and no query answer.
 */
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import {
  HANDSHAKE,
  handshakeOutboxFile,
  type HandshakeOutboxEntry,
  type HandshakeResult,
  type HandshakeStatus,
} from '../contract/demo-handshake';
import { DEFAULT_TASK_QUEUE } from '../contract';
import { workerDataConverter } from '../worker/payload-converter';
import { LOCAL_PAYLOAD_ENV_FILE, readLocalPayloadEnv } from './payload-kms';

const auto = process.argv.includes('--auto');
const workflowId =
  process.argv.find((arg) => arg.startsWith('handshake-')) ?? `handshake-demo-${Date.now().toString(36)}`;
const address = process.env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233';
const taskQueue = process.env.TEMPORAL_TASK_QUEUE ?? DEFAULT_TASK_QUEUE;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const outboxDir = process.env[HANDSHAKE.outboxEnv] ?? join(tmpdir(), HANDSHAKE.defaultOutboxName);

/** The callback the worker handed to `recipient`, once its outbox file is there. */
async function fromOutbox(recipient: 'partner' | 'warehouse'): Promise<HandshakeOutboxEntry | undefined> {
  const file = handshakeOutboxFile(outboxDir, workflowId, recipient);
  for (let i = 0; i < 300; i++) {
    try {
      return JSON.parse(readFileSync(file, 'utf8')) as HandshakeOutboxEntry;
    } catch {
      await sleep(100);
    }
  }
  return undefined;
}

async function post(url: string, body: unknown): Promise<string> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return `${response.status} ${await response.text()}`;
}

async function main(): Promise<void> {
  const connection = await Connection.connect({ address, connectTimeout: 3_000 }).catch((error: unknown) => {
    throw new Error(
      `Temporal at ${address} is not reachable (${String(error)}). Start the stack with: npm run dev`,
    );
  });
  try {
    // The stack's worker encrypts what it writes (queries, results): read them with its data converter.
    const { dataConverter } = await workerDataConverter(
      {},
      {
        ...readLocalPayloadEnv(
          fileURLToPath(new URL(`../${LOCAL_PAYLOAD_ENV_FILE}`, import.meta.url)),
          address,
        ),
        ...process.env,
      },
    );
    const client = new Client({ connection, dataConverter });
    const handle = await client.workflow.start(HANDSHAKE.workflowType, {
      workflowId,
      taskQueue,
      args: [{}],
    });
    console.log(`demo: started ${workflowId}`);
    let status: HandshakeStatus | undefined;
    const partner = await fromOutbox('partner');
    if (!partner) throw new Error('The workflow minted no callback URL in 30 s — is the worker running?');
    const { url } = partner;
    console.log(
      `\n  the partner's callback URL (callback ${partner.callbackId}, from ${handshakeOutboxFile(outboxDir, workflowId, 'partner')}):\n\n    ${url}\n`,
    );
    if (auto) {
      console.log(`  → POST: ${await post(url, { ok: true, by: 'demo' })}`);
      console.log(`  → POST again: ${await post(url, { ok: true, by: 'demo' })}`);
    } else {
      console.log(
        `  POST it:  curl -i -X POST '${url}' -H 'content-type: application/json' -d '{"ok":true}'`,
      );
      console.log('  (open it in a browser to see the confirmation page: a GET never acts)\n');
    }
    for (;;) {
      status = await handle.query<HandshakeStatus>(HANDSHAKE.statusQuery);
      if (status.waitingFor !== 'partner') break;
      await sleep(200);
    }
    console.log(`  ✓ acknowledged: ${JSON.stringify(status.acknowledgement)}`);
    console.log(
      `  now the warehouse step waits on an activity callback: its URL is in ${handshakeOutboxFile(outboxDir, workflowId, 'warehouse')};\n` +
        '  POST it to complete the activity, or POST \'{"reason":…}\' to …/fail.',
    );
    const result = (await handle.result()) as HandshakeResult;
    console.log(`  ✓ ${workflowId} COMPLETED: ${JSON.stringify(result)}`);
  } finally {
    await connection.close();
  }
}

main().catch((error: unknown) => {
  console.error(`demo failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
