/**
 * One logger per function, named by the function's own environment, with the invocation's Lambda
 * context on every line: what Powertools' `injectLambdaContext` does, for plain handler functions.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';

const SERVICE_NAME_ENV = 'POWERTOOLS_SERVICE_NAME';

/**
 * The function's logger. `POWERTOOLS_SERVICE_NAME` (set per function by the stack) names it; the
 * fallback is for running the entry point outside Lambda. (An explicit `serviceName` wins over the
 * environment in Powertools, which is how a hard-coded name once hid the stack's.)
 */
export function functionLogger(fallbackServiceName: string, env: NodeJS.ProcessEnv = process.env): Logger {
  return new Logger({ serviceName: env[SERVICE_NAME_ENV] || fallbackServiceName });
}

/**
 * Wraps a handler so each invocation's log lines carry its context (request id, function name,
 * cold start) and keys appended during one invocation do not leak into the next.
 *
 * @example
 * export const handler = withLambdaContext(logger, async (event: SQSEvent) => process(event));
 */
export function withLambdaContext<E, R>(
  logger: Logger,
  handler: (event: E, context: Context) => Promise<R>,
): (event: E, context: Context) => Promise<R> {
  return async (event, context) => {
    logger.addContext(context);
    logger.logEventIfEnabled(event);
    try {
      return await handler(event, context);
    } finally {
      logger.resetKeys();
    }
  };
}
