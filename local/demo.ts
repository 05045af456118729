/**
 * `npm run demo`: drives one stagedWorkflow through every stage over HTTP against the running
 * local stack (`npm run dev`), printing each step.
 */
import { GATEWAY_ENV } from '../functions/core/env-names';

const gateway = process.env.GATEWAY_URL ?? `http://127.0.0.1:${process.env[GATEWAY_ENV.port] ?? 3000}`;
const workflowId = process.argv[2] ?? `staged-demo-${Date.now().toString(36)}`;

interface Progress {
  stage: number;
  activitiesCompleted: number;
}

async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(`${gateway}${path}`, {
    method,
    headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
    body: body === undefined ? null : JSON.stringify(body),
  });
  const json = (await response.json()) as Record<string, unknown>;
  if (!response.ok) throw new Error(`${method} ${path} → ${response.status}: ${JSON.stringify(json)}`);
  return json;
}

async function progress(): Promise<Progress> {
  return (await call('GET', `/v1/workflows/${workflowId}/queries/progress`)).result as Progress;
}

/** Waits until the workflow has run `activities` activities (each stage unlocks one more). */
async function waitForActivities(activities: number): Promise<Progress> {
  for (let attempt = 0; attempt < 300; attempt++) {
    const current = await progress();
    if (current.activitiesCompleted >= activities) return current;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`The workflow did not reach ${activities} activities in 30 s — is the worker running?`);
}

async function main(): Promise<void> {
  console.log(`demo: driving ${workflowId} through ${gateway}`);
  await call('GET', '/healthz').catch((error: unknown) => {
    throw new Error(`The gateway at ${gateway} is not ready (${String(error)}). Start it with: npm run dev`);
  });
  for (const stage of [1, 2, 3]) {
    const accepted = await call(
      'POST',
      `/v1/workflows/${workflowId}/signals/advanceStage`,
      { stage },
      {
        'Idempotency-Key': `${workflowId}-stage-${stage}`,
      },
    );
    console.log(
      `  → advanceStage {stage: ${stage}}: ${String(accepted.status)} (event ${String(accepted.eventId)})`,
    );
    const now = await waitForActivities(stage + 1);
    console.log(`  ✓ progress: stage ${now.stage}, ${now.activitiesCompleted} activities completed`);
  }
  for (let attempt = 0; attempt < 100; attempt++) {
    const described = await call('GET', `/v1/workflows/${workflowId}`);
    if (described.status === 'COMPLETED') {
      console.log(`  ✓ ${workflowId} COMPLETED (run ${String(described.runId)})`);
      console.log(
        `  see it in the Temporal UI: http://localhost:8233/namespaces/default/workflows/${workflowId}`,
      );
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('The workflow did not complete in 10 s.');
}

main().catch((error: unknown) => {
  console.error(`demo failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
