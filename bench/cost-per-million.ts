/**
 * What a million events cost on AWS (issue 31), computed from figures this run measured and AWS's
 * published prices (us-east-1, the first pricing tier, no free tier). Nothing here measures: the
 * section runs after `latency`, `coldStart` and `sqsBatch`, which run.ts adds when it is asked for.
 *
 * Billed duration is what Lambda bills: the handler's duration rounded up to the next millisecond
 * at the function's memory (512 MB, ARM64: infra/constructs/gateway-function.ts), and — since AWS
 * bills the init phase of on-demand functions too — a cold start's init on the share of requests
 * that start an environment. The local dev server answers a signal in ~1 ms; Temporal Cloud from a
 * Lambda in the same region takes longer, so the Lambda rows are a floor, said so in the report.
 */
import { round } from './stats';

/** Prices read on the date below; `source` is where each was read. */
export const AWS_PRICES = {
  date: '2026-12-07',
  region: 'us-east-1',
  httpApiPerMillion: { usd: 1.0, source: 'https://aws.amazon.com/api-gateway/pricing/ (first 300 M/month)' },
  lambdaRequestPerMillion: { usd: 0.2, source: 'https://aws.amazon.com/lambda/pricing/' },
  lambdaArmPerGbSecond: {
    usd: 0.0000133334,
    source: 'https://aws.amazon.com/lambda/pricing/ (Arm, first 7.5 B GB-s/month)',
  },
  sqsStandardPerMillion: {
    usd: 0.4,
    source: 'https://aws.amazon.com/sqs/pricing/ (standard, first 100 B/month; per 64 KB chunk)',
  },
  stepFunctionsStandardPerTransition: {
    usd: 0.025 / 1_000,
    source: 'https://aws.amazon.com/step-functions/pricing/ ($0.025 per 1,000 state transitions)',
  },
  durableOperationsPerMillion: {
    usd: 8.0,
    source:
      "AWS's Lambda pricing page as transcribed by api-evangelist/aws-lambda plans (read 2026-09-20, an " +
      'example rate); the page renders its tables client-side, and no price for durable data written or ' +
      'retained was found',
  },
} as const;

/** The gateway functions' memory and architecture (GatewayFunction's defaults). */
const MEMORY_GB = 512 / 1024;
/** Assumptions, not measurements: stated beside the table. */
export const COST_ASSUMPTIONS = {
  /** Requests that start a new execution environment (cold starts). */
  coldStartShare: 0.01,
  /** Webhooks the ingest function queues because Temporal did not take them at once. */
  fallbackShare: 0.01,
  /** Records per queue-function invocation (the event source mapping's batch size). */
  batchSize: 10,
} as const;

export interface MeasuredForCost {
  /** p50 ms of one signal through the gateway (latency section): the ingest handler's duration at most. */
  ingestRequestMs: number;
  /** Process start → first signal acknowledged (coldStart section): init plus the first request. */
  ingestColdStartMs: number;
  /** ms of a batch of ten through the queue handler with its default concurrency (sqsBatch section). */
  queueBatchMs: number;
}

const lambdaDuration = (ms: number) =>
  (Math.ceil(ms) / 1000) * MEMORY_GB * AWS_PRICES.lambdaArmPerGbSecond.usd;
const perMillion = (usdPerEvent: number) => round(usdPerEvent * 1_000_000, 3);

/** USD per million events of each path, each a sum of per-event parts. */
export function costPerMillion(measured: MeasuredForCost) {
  const p = AWS_PRICES;
  const a = COST_ASSUMPTIONS;
  const httpApi = p.httpApiPerMillion.usd / 1e6;
  const lambdaRequest = p.lambdaRequestPerMillion.usd / 1e6;
  const sqsRequest = p.sqsStandardPerMillion.usd / 1e6;
  // One event through the queue: SendMessage, and its share of a batch's ReceiveMessage, DeleteMessageBatch
  // and queue-function invocation.
  const queuedEvent =
    sqsRequest * (1 + 2 / a.batchSize) +
    (lambdaRequest + lambdaDuration(measured.queueBatchMs)) / a.batchSize;
  // A warm request bills its duration; a cold one its init and first request (the cold-start sample).
  const ingestDuration =
    (1 - a.coldStartShare) * lambdaDuration(measured.ingestRequestMs) +
    a.coldStartShare * lambdaDuration(measured.ingestColdStartMs);
  const ingest = {
    apiGateway: perMillion(httpApi),
    lambdaRequests: perMillion(lambdaRequest),
    lambdaDuration: perMillion(ingestDuration),
    sqsFallback: perMillion(a.fallbackShare * queuedEvent),
  };
  const queue = { sqsAndQueueFunction: perMillion(queuedEvent) };
  // The AWS-native callbacks: API Gateway → a Lambda that calls SendTaskSuccess (or
  // SendDurableExecutionCallbackSuccess), billed like the ingest function's request (one call to an AWS
  // API instead of Temporal: the same shape, not measured apart), plus what the orchestrator bills.
  const callbackLambda = lambdaRequest + ingestDuration;
  const stepFunctions = {
    apiGateway: perMillion(httpApi),
    callbackLambda: perMillion(callbackLambda),
    // The task state that waited moves on: one transition (the transition into it was paid when it began).
    stateTransition: perMillion(p.stepFunctionsStandardPerTransition.usd),
  };
  const durable = {
    apiGateway: perMillion(httpApi),
    callbackLambda: perMillion(callbackLambda),
    // The callback completing is one durable operation; the function then replays to resume, one more
    // invocation billed like a warm request (its replay's own work not counted).
    durableOperations: perMillion(p.durableOperationsPerMillion.usd / 1e6),
    resumeInvocation: perMillion(lambdaRequest + lambdaDuration(measured.ingestRequestMs)),
  };
  const total = (parts: Record<string, number>) =>
    round(
      Object.values(parts).reduce((sum, value) => sum + value, 0),
      3,
    );
  return {
    measured,
    assumptions: a,
    prices: p,
    /**
     * What 10 ms more per request (a Temporal farther away than the local dev server) adds to the
     * ingest function's duration per million events.
     */
    per10MsMoreLatency: perMillion(lambdaDuration(10)),
    memoryMb: 512,
    architecture: 'arm64',
    rows: {
      gatewayWebhook: { ...ingest, total: total(ingest) },
      gatewayQueuePath: { ...queue, total: total(queue) },
      stepFunctionsSendTaskSuccess: { ...stepFunctions, total: total(stepFunctions) },
      lambdaDurableCallback: { ...durable, total: total(durable) },
    },
  };
}

export type CostPerMillionResult = ReturnType<typeof costPerMillion>;
