/**
 * Construct props are validated when the construct is created, i.e. at synth: a mistake stops
 * `cdk synth` with every problem of that construct at once, each naming its prop, before
 * CloudFormation sees a half-valid template.
 */
import type { z } from 'zod';
import { EventGatewayError, problemList } from '../../contract/errors';

export class PropsValidationError extends EventGatewayError {
  override readonly name = 'PropsValidationError';

  constructor(
    /** The construct's path in the app. */
    readonly constructPath: string,
    problems: readonly string[],
    options?: ErrorOptions,
  ) {
    super(
      problemList(
        `Invalid props for ${constructPath} (${problems.length} problem${problems.length === 1 ? '' : 's'})`,
        problems,
      ),
      { cause: options?.cause, problems },
    );
  }
}

/** zod issues as `prop.path: message` lines. */
export function describeIssues(issues: readonly z.core.$ZodIssue[], prefix = ''): string[] {
  return issues.map((issue) => {
    const path = [prefix, ...issue.path.map(String)].filter(Boolean).join('.');
    return `${path || '(props)'}: ${issue.message}`;
  });
}
