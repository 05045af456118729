/**
 * Signals per second and per-signal latency: a direct `@temporalio/client` caller against the local
 * HTTP gateway, on the same dev server and the same workflows.
 *
 * Fairness: the direct caller makes the very call the gateway makes for a target with
 * start-if-missing — raw `signalWithStartWorkflowExecution` with a request id, the same payloads and
 * the same per-call deadline — so the difference is the gateway (HTTP, validation, routing, one more
 * process) and nothing else. Both sides signal one pool of already-started workflows, round robin,
 * and the two take turns, so a slower minute of this shared machine falls on both.
 */
import { randomUUID } from 'node:crypto';
import { Agent, request } from 'node:http';
import autocannon from 'autocannon';
import type { Client } from '@temporalio/client';
import { identity, toPayloads } from '../functions/adapters/temporal-calls';
import { WorkflowIdReusePolicy } from '../functions/adapters/temporal-enums';
import { percentile, round } from './stats';
import { EventGatewayError } from '../contract/errors';

/** The target the load uses; run.ts declares it in the gateway's configuration. */
export interface LoadTarget {
  namespace: string;
  workflowType: string;
  taskQueue: string;
  signal: string;
  payload: unknown;
  /** The pool of workflow ids, started before any measurement. */
  workflowIds: readonly string[];
  /** Sent with every gateway request (its API key: the deployed default authenticates). */
  httpHeaders: Readonly<Record<string, string>>;
}

/** Mirrors functions/adapters/temporal-signaler.ts for a start-if-missing target. */
export function directSignal(client: Client, target: LoadTarget, workflowId: string, deadlineMs: number) {
  return client.connection.withDeadline(Date.now() + deadlineMs, () =>
    client.workflowService.signalWithStartWorkflowExecution({
      namespace: target.namespace,
      signalName: target.signal,
      identity: identity(),
      requestId: randomUUID(),
      workflowId,
      workflowType: { name: target.workflowType },
      taskQueue: { name: target.taskQueue },
      input: toPayloads(),
      signalInput: toPayloads(target.payload),
      workflowIdReusePolicy: WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
    }),
  );
}

const signalPath = (target: LoadTarget, workflowId: string) =>
  `/v1/workflows/${encodeURIComponent(workflowId)}/signals/${encodeURIComponent(target.signal)}`;

export class LoadError extends EventGatewayError {
  override readonly name = 'LoadError';
}

/** Starts every pool workflow (signal-with-start) so the measured calls only signal. */
export async function startPool(client: Client, target: LoadTarget, deadlineMs: number): Promise<void> {
  const ids = [...target.workflowIds];
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      for (let id = ids.pop(); id !== undefined; id = ids.pop())
        await directSignal(client, target, id, deadlineMs);
    }),
  );
}

export interface RateSample {
  signalsPerSec: number;
  completed: number;
  errors: number;
  seconds: number;
}

/** `concurrency` callers, each signalling back to back for `seconds`. */
export async function directRate(
  client: Client,
  target: LoadTarget,
  concurrency: number,
  seconds: number,
  deadlineMs: number,
): Promise<RateSample> {
  let next = 0;
  let completed = 0;
  let errors = 0;
  const started = performance.now();
  const endAt = started + seconds * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < endAt) {
        const id = target.workflowIds[next++ % target.workflowIds.length]!;
        try {
          await directSignal(client, target, id, deadlineMs);
          completed += 1;
        } catch {
          errors += 1;
        }
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  return { signalsPerSec: round(completed / elapsed), completed, errors, seconds: round(elapsed, 2) };
}

/**
 * autocannon against the gateway: `concurrency` keep-alive connections, one request in flight each —
 * a closed loop, as fast as the gateway answers, unless `overallRate` paces all connections together
 * to that many requests per second (an open loop below saturation: both sides of an A/B then do the
 * same number of signals per second, so CPU per signal compares the work, not how the machine's two
 * cores were shared at saturation).
 */
export async function gatewayRate(
  gatewayUrl: string,
  target: LoadTarget,
  concurrency: number,
  seconds: number,
  overallRate?: number,
): Promise<RateSample> {
  let next = 0;
  const body = JSON.stringify(target.payload);
  const result = await autocannon({
    url: gatewayUrl,
    connections: concurrency,
    pipelining: 1,
    duration: seconds,
    ...(overallRate === undefined ? {} : { overallRate }),
    method: 'POST',
    headers: { ...target.httpHeaders, 'content-type': 'application/json' },
    body,
    requests: [
      {
        method: 'POST',
        setupRequest: (req) => ({
          ...req,
          path: signalPath(target, target.workflowIds[next++ % target.workflowIds.length]!),
        }),
      },
    ],
  });
  const completed = result['2xx'];
  return {
    signalsPerSec: round(completed / result.duration),
    completed,
    errors: result.errors + result.non2xx,
    seconds: round(result.duration, 2),
  };
}

/** One signal through the gateway on a keep-alive connection; resolves with the HTTP status. */
export function postSignal(
  agent: Agent,
  gatewayUrl: string,
  target: LoadTarget,
  workflowId: string,
  payload: unknown = target.payload,
): Promise<number> {
  const body = JSON.stringify(payload);
  return new Promise((resolve, reject) => {
    const req = request(
      `${gatewayUrl}${signalPath(target, workflowId)}`,
      {
        method: 'POST',
        agent,
        headers: {
          ...target.httpHeaders,
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
        },
      },
      (res) => {
        res.resume();
        res.once('end', () => resolve(res.statusCode ?? 0));
        res.once('error', reject);
      },
    );
    req.once('error', reject);
    req.end(body);
  });
}

export interface LatencyResult {
  directP50Ms: number;
  directP99Ms: number;
  gatewayP50Ms: number;
  gatewayP99Ms: number;
  addedP50Ms: number;
  addedP99Ms: number;
  samples: number;
}

/**
 * One caller, no concurrency: a direct signal, then one through the gateway, alternating, so both
 * see the same moments of the machine. Added = gateway percentile − direct percentile.
 */
export async function signalLatency(
  client: Client,
  gatewayUrl: string,
  target: LoadTarget,
  samples: number,
  deadlineMs: number,
): Promise<LatencyResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const direct: number[] = [];
  const gateway: number[] = [];
  try {
    const warmUp = Math.min(50, samples);
    for (let index = -warmUp; index < samples; index += 1) {
      const id = target.workflowIds[(index + warmUp) % target.workflowIds.length]!;
      let started = performance.now();
      await directSignal(client, target, id, deadlineMs);
      const directMs = performance.now() - started;
      started = performance.now();
      const status = await postSignal(agent, gatewayUrl, target, id);
      const gatewayMs = performance.now() - started;
      if (status !== 202) throw new LoadError(`the gateway answered ${status} to a signal`);
      if (index < 0) continue;
      direct.push(directMs);
      gateway.push(gatewayMs);
    }
  } finally {
    agent.destroy();
  }
  const directP50Ms = percentile(direct, 50, 'direct latency');
  const directP99Ms = percentile(direct, 99, 'direct latency');
  const gatewayP50Ms = percentile(gateway, 50, 'gateway latency');
  const gatewayP99Ms = percentile(gateway, 99, 'gateway latency');
  return {
    directP50Ms: round(directP50Ms, 2),
    directP99Ms: round(directP99Ms, 2),
    gatewayP50Ms: round(gatewayP50Ms, 2),
    gatewayP99Ms: round(gatewayP99Ms, 2),
    addedP50Ms: round(gatewayP50Ms - directP50Ms, 2),
    addedP99Ms: round(gatewayP99Ms - directP99Ms, 2),
    samples,
  };
}
