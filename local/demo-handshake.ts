/**
 * `npm run demo:handshake`: starts a handshakeWorkflow on the running local stack (`npm run dev`),
 * prints the callback URL it minted for its partner, and follows the workflow as you POST it:
 *
 *   curl -X POST '<url>' -H 'content-type: application/json' -d '{"ok":true}'
 *
 * With `--auto` it POSTs the partner's URL itself, twice, to show the second changes nothing; the
 * warehouse step's URL is in the worker's log either way.
 */
import { Client, Connection } from '@temporalio/client';
import { HANDSHAKE, type HandshakeResult, type HandshakeStatus } from '../contract/demo-handshake';
import { DEFAULT_TASK_QUEUE } from '../contract';

const auto = process.argv.includes('--auto');
const workflowId =
  process.argv.find((arg) => arg.startsWith('handshake-')) ?? `handshake-demo-${Date.now().toString(36)}`;
const address = process.env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233';
const taskQueue = process.env.TEMPORAL_TASK_QUEUE ?? DEFAULT_TASK_QUEUE;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

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
    const client = new Client({ connection });
    const handle = await client.workflow.start(HANDSHAKE.workflowType, {
      workflowId,
      taskQueue,
      args: [{}],
    });
    console.log(`demo: started ${workflowId}`);
    let status: HandshakeStatus | undefined;
    for (let i = 0; i < 300 && !status?.partnerCallbackUrl; i++) {
      status = await handle.query<HandshakeStatus>(HANDSHAKE.statusQuery);
      if (!status.partnerCallbackUrl) await sleep(100);
    }
    const url = status?.partnerCallbackUrl;
    if (!url) throw new Error('The workflow minted no callback URL in 30 s — is the worker running?');
    console.log(`\n  the partner's callback URL (also in the worker's log):\n\n    ${url}\n`);
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
      '  now the warehouse step waits on an activity callback: its URL is in the worker log\n' +
        '  ("callback URL for the warehouse: …"); POST it to complete the activity, or POST \'{"reason":…}\' to …/fail.',
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
