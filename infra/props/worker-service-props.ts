/**
 * Validation of {@link TemporalWorkerServiceProps} at synth: Fargate task sizes, capacity bounds and
 * the stop timeout that must outlast the worker's drain — every problem at once, by prop.
 */
import type { Duration } from 'aws-cdk-lib';
import * as z from 'zod';
import { largePayloadsProblems, type PayloadPropsToValidate } from './payload-props';
import { describeIssues, PropsValidationError } from './props-error';

/** Fargate kills a container at most this long after SIGTERM. */
export const FARGATE_MAX_STOP_TIMEOUT_SECONDS = 120;
/** Seconds the default stop timeout exceeds the shutdown grace, so SIGKILL never cuts a clean drain. */
export const STOP_TIMEOUT_MARGIN_SECONDS = 5;

/** Fargate task sizes: CPU units → allowed memory (MiB). */
const FARGATE_MEMORY: Record<number, (memory: number) => boolean> = {
  256: (m) => [512, 1024, 2048].includes(m),
  512: (m) => m >= 1024 && m <= 4096 && m % 1024 === 0,
  1024: (m) => m >= 2048 && m <= 8192 && m % 1024 === 0,
  2048: (m) => m >= 4096 && m <= 16384 && m % 1024 === 0,
  4096: (m) => m >= 8192 && m <= 30720 && m % 1024 === 0,
  8192: (m) => m >= 16384 && m <= 61440 && m % 4096 === 0,
  16384: (m) => m >= 32768 && m <= 122880 && m % 8192 === 0,
};

export interface WorkerServicePropsToValidate extends PayloadPropsToValidate {
  readonly cpu: number;
  readonly memoryLimitMiB: number;
  readonly desiredCount?: number;
  readonly minCapacity: number;
  readonly maxCapacity: number;
  readonly shutdownGrace: Duration;
  readonly stopTimeout: Duration;
  readonly cpuTargetUtilizationPercent?: number;
  readonly backlogScaleOutThreshold?: number;
}

const count = z.number().int('must be a whole number').min(0, 'must not be negative').max(1000);

const Schema = z
  .object({
    cpu: z.number().refine((cpu) => FARGATE_MEMORY[cpu] !== undefined, {
      message: `must be a Fargate CPU size: ${Object.keys(FARGATE_MEMORY).join(', ')}`,
    }),
    memoryLimitMiB: z.number().int('must be a whole number of MiB'),
    desiredCount: count.optional(),
    minCapacity: count,
    maxCapacity: count.min(1, 'must be at least 1'),
    shutdownGraceSeconds: z.number().min(1, 'must be at least 1 s'),
    stopTimeoutSeconds: z
      .number()
      .max(FARGATE_MAX_STOP_TIMEOUT_SECONDS, `exceeds Fargate's ${FARGATE_MAX_STOP_TIMEOUT_SECONDS} s`),
    cpuTargetUtilizationPercent: z.number().int().min(10).max(90).optional(),
    backlogScaleOutThreshold: z.number().int().min(1).optional(),
  })
  .superRefine((props, ctx) => {
    const sizeCheck = FARGATE_MEMORY[props.cpu];
    if (sizeCheck && !sizeCheck(props.memoryLimitMiB)) {
      ctx.addIssue({
        code: 'custom',
        path: ['memoryLimitMiB'],
        message: `${props.memoryLimitMiB} is not a Fargate memory size for cpu ${props.cpu}`,
      });
    }
    if (props.minCapacity > props.maxCapacity) {
      ctx.addIssue({
        code: 'custom',
        path: ['minCapacity'],
        message: `(${props.minCapacity}) must not exceed maxCapacity (${props.maxCapacity})`,
      });
    } else if (
      props.desiredCount !== undefined &&
      (props.desiredCount < props.minCapacity || props.desiredCount > props.maxCapacity)
    ) {
      ctx.addIssue({
        code: 'custom',
        path: ['desiredCount'],
        message: `(${props.desiredCount}) must lie between minCapacity and maxCapacity`,
      });
    }
    if (props.stopTimeoutSeconds <= props.shutdownGraceSeconds) {
      ctx.addIssue({
        code: 'custom',
        path: ['stopTimeout'],
        message: `(${props.stopTimeoutSeconds} s) must exceed shutdownGrace (${props.shutdownGraceSeconds} s) so SIGKILL never cuts a drain`,
      });
    }
  });

/** Throws {@link PropsValidationError} listing every problem. */
export function validateWorkerServiceProps(constructPath: string, props: WorkerServicePropsToValidate): void {
  const { largePayloads, ...scalars } = props;
  const parsed = Schema.safeParse({
    ...scalars,
    shutdownGraceSeconds: props.shutdownGrace.toSeconds(),
    stopTimeoutSeconds: props.stopTimeout.toSeconds(),
  });
  const problems = [
    ...(parsed.success
      ? []
      : describeIssues(parsed.error.issues).map((line) =>
          line
            .replace(/^shutdownGraceSeconds:/, 'shutdownGrace:')
            .replace(/^stopTimeoutSeconds:/, 'stopTimeout:'),
        )),
    ...largePayloadsProblems({ largePayloads }),
  ];
  if (problems.length > 0) throw new PropsValidationError(constructPath, problems);
}
