/**
 * Validation of {@link TemporalEventGatewayProps} at synth: ranges, the auth combinations that
 * would leave an API open or check nothing, and the routing — every problem at once, by prop.
 */
import * as z from 'zod';
import { AUTH_MODES } from '../../functions/core/auth-settings';
import { GatewayConfigError } from '../../functions/core/gateway-config';
import type { ApiAuthorization } from '../constructs/gateway-http-api';
import { unsupportedRuntimeProblem } from '../constructs/lambda-node-runtime';
import {
  INGEST_MODES,
  type GatewayAuthMode,
  type IngestMode,
  type TemporalEventGatewayProps,
} from './gateway-props';
import { codecServerProblems } from './codec-server-props';
import { largePayloadsProblems, payloadCodecProblems } from './payload-props';
import { describeIssues, PropsValidationError } from './props-error';
import { routingToConfigJson } from './routing';

/** The props this module checks, as the construct declares them (with their TSDoc and defaults). */
export type GatewayPropsToValidate = Pick<
  TemporalEventGatewayProps,
  | 'routing'
  | 'name'
  | 'ingestMode'
  | 'gatewayAuth'
  | 'gatewayAuthSecret'
  | 'apiAuthorization'
  | 'allowUnauthenticatedApi'
  | 'temporalDeadline'
  | 'throttleRateLimit'
  | 'throttleBurstLimit'
  | 'fifo'
  | 'existingQueue'
  | 'existingDeadLetterQueue'
  | 'queueBatchSize'
  | 'queueBatchingWindow'
  | 'queueMaxConcurrency'
  | 'queueMaxReceiveCount'
  | 'oldestMessageAgeAlarm'
  | 'runtime'
  | 'largePayloads'
  | 'payloadCodec'
  | 'codecServer'
>;

const whole = (min: number, max: number) =>
  z
    .number()
    .int(`must be a whole number from ${min} to ${max}`)
    .min(min, `must be a whole number from ${min} to ${max}`)
    .max(max, `must be a whole number from ${min} to ${max}`)
    .optional();

const ScalarsSchema = z.object({
  name: z
    .string()
    .regex(
      /^[a-z][a-z0-9-]{0,29}$/,
      'must be 1-30 lowercase letters, digits or hyphens, starting with a letter',
    )
    .optional(),
  ingestMode: z.enum(INGEST_MODES).optional(),
  gatewayAuth: z.enum(AUTH_MODES).optional(),
  temporalDeadlineMs: whole(100, 25_000),
  throttleRateLimit: whole(1, 10_000),
  throttleBurstLimit: whole(1, 5_000),
  queueBatchSize: whole(1, 10),
  queueBatchingWindowSeconds: whole(0, 300),
  queueMaxConcurrency: whole(2, 1000),
  queueMaxReceiveCount: whole(1, 1000),
  oldestMessageAgeAlarmSeconds: whole(60, 1_209_600),
  apiAuthorization: z
    .discriminatedUnion('kind', [
      z.object({ kind: z.literal('none') }),
      z.object({ kind: z.literal('iam') }),
      z.object({
        kind: z.literal('jwt'),
        issuer: z.string().regex(/^https:\/\/\S+$/, 'must be an https:// URL'),
        audience: z.array(z.string().min(1)).min(1, 'needs at least one audience'),
      }),
    ])
    .optional(),
});

/** What the construct uses once the props are valid: the defaults applied, the routing as JSON. */
export interface ResolvedGatewayProps {
  readonly ingestMode: IngestMode;
  readonly gatewayAuth: GatewayAuthMode;
  readonly apiAuthorization: ApiAuthorization;
  readonly routingJson: string;
}

/**
 * Validates the props and applies the auth defaults (sync: `api-key` checked by the function;
 * queue: an IAM authorizer, nothing Lambda-side). Throws {@link PropsValidationError}.
 */
export function validateGatewayProps(
  constructPath: string,
  props: GatewayPropsToValidate,
): ResolvedGatewayProps {
  const problems: string[] = [];
  const scalars = ScalarsSchema.safeParse({
    name: props.name,
    ingestMode: props.ingestMode,
    gatewayAuth: props.gatewayAuth,
    temporalDeadlineMs: props.temporalDeadline?.toMilliseconds(),
    throttleRateLimit: props.throttleRateLimit,
    throttleBurstLimit: props.throttleBurstLimit,
    queueBatchSize: props.queueBatchSize,
    queueBatchingWindowSeconds: props.queueBatchingWindow?.toSeconds(),
    queueMaxConcurrency: props.queueMaxConcurrency,
    queueMaxReceiveCount: props.queueMaxReceiveCount,
    oldestMessageAgeAlarmSeconds: props.oldestMessageAgeAlarm?.toSeconds(),
    apiAuthorization: props.apiAuthorization,
  });
  if (!scalars.success) {
    problems.push(
      ...describeIssues(scalars.error.issues).map((line) =>
        line
          .replace(/^temporalDeadlineMs:/, 'temporalDeadline (ms):')
          .replace(/^queueBatchingWindowSeconds:/, 'queueBatchingWindow (s):')
          .replace(/^oldestMessageAgeAlarmSeconds:/, 'oldestMessageAgeAlarm (s):'),
      ),
    );
  }

  const ingestMode = props.ingestMode ?? 'sync';
  const gatewayAuth = props.gatewayAuth ?? (ingestMode === 'sync' ? 'api-key' : 'none');
  const apiAuthorization = props.apiAuthorization ?? { kind: ingestMode === 'queue' ? 'iam' : 'none' };
  if (ingestMode === 'queue' && gatewayAuth !== 'none') {
    problems.push(
      'gatewayAuth: is checked by the ingest function, which queue ingest does not have; use apiAuthorization',
    );
  }
  if (ingestMode === 'queue' && apiAuthorization.kind === 'none') {
    problems.push(
      'apiAuthorization: must be iam or jwt with ingestMode queue: API Gateway writes to SQS unchecked',
    );
  }
  if (props.gatewayAuthSecret !== undefined && gatewayAuth === 'none') {
    problems.push('gatewayAuthSecret: is only used when gatewayAuth is not none');
  }
  if (
    ingestMode === 'sync' &&
    gatewayAuth === 'none' &&
    apiAuthorization.kind === 'none' &&
    !props.allowUnauthenticatedApi
  ) {
    problems.push(
      'gatewayAuth: none together with apiAuthorization none leaves the API open to anyone; choose an auth ' +
        'mode, or set allowUnauthenticatedApi to accept that',
    );
  }
  if ((props.existingQueue === undefined) !== (props.existingDeadLetterQueue === undefined)) {
    problems.push(
      'existingQueue: and existingDeadLetterQueue come together (the consumer dead-letters to it)',
    );
  }
  if (props.existingQueue !== undefined && props.fifo) {
    problems.push('fifo: the FIFO pair is always created; existingQueue replaces the standard pair only');
  }

  const runtimeProblem = props.runtime && unsupportedRuntimeProblem(props.runtime);
  if (runtimeProblem) problems.push(runtimeProblem);
  problems.push(...largePayloadsProblems(props), ...payloadCodecProblems(props));
  problems.push(...codecServerProblems(props.codecServer, ingestMode));

  let routingJson = '';
  try {
    routingJson = routingToConfigJson(props.routing);
  } catch (error) {
    if (!(error instanceof GatewayConfigError)) throw error;
    problems.push(...error.problems);
  }
  if (problems.length > 0) throw new PropsValidationError(constructPath, problems);
  return { ingestMode, gatewayAuth, apiAuthorization, routingJson };
}
