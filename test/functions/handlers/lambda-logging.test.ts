import type { Context } from 'aws-lambda';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { functionLogger, withLambdaContext } from '../../../functions/handlers/lambda-logging';

const context = (awsRequestId: string): Context => ({
  awsRequestId,
  functionName: 'gateway-queue',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:gateway-queue',
  memoryLimitInMB: '512',
  logGroupName: '/aws/lambda/gateway-queue',
  logStreamName: 'stream',
  callbackWaitsForEmptyEventLoop: true,
  getRemainingTimeInMillis: () => 1000,
  done: () => {},
  fail: () => {},
  succeed: () => {},
});

/** The JSON lines the logger writes to stdout (where Lambda's log capture reads them). */
function captureLines(): () => Record<string, unknown>[] {
  const lines: string[] = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    lines.push(String(chunk));
    return true;
  });
  return () =>
    lines
      .flatMap((chunk) => chunk.split('\n'))
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
}

afterEach(() => vi.restoreAllMocks());

describe('function logging', () => {
  it("names the service from the function's POWERTOOLS_SERVICE_NAME, the fallback only without it", () => {
    const read = captureLines();
    functionLogger('event-gateway-queue', { POWERTOOLS_SERVICE_NAME: 'event-gateway-sqs' }).info('a');
    functionLogger('event-gateway-queue', {}).info('b');
    expect(read().map((line) => [line.message, line.service])).toEqual([
      ['a', 'event-gateway-sqs'],
      ['b', 'event-gateway-queue'],
    ]);
  });

  it('puts each invocation’s request id on every line it logs, and drops keys appended during it', async () => {
    const read = captureLines();
    const logger = functionLogger('event-gateway-sqs', {});
    const handler = withLambdaContext(logger, (event: { n: number }) => {
      logger.appendKeys({ batch: event.n });
      logger.info('handled');
      return Promise.resolve(event.n);
    });
    expect(await handler({ n: 1 }, context('req-1'))).toBe(1);
    expect(await handler({ n: 2 }, context('req-2'))).toBe(2);
    logger.info('between invocations');
    const lines = read();
    expect(lines.map((line) => [line.message, line.function_request_id, line.batch])).toEqual([
      ['handled', 'req-1', 1],
      ['handled', 'req-2', 2],
      ['between invocations', 'req-2', undefined],
    ]);
    expect(lines[0]).toMatchObject({ function_name: 'gateway-queue', function_memory_size: '512' });
  });
});
