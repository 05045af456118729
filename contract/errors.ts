/**
 * The one error hierarchy of the project: every error the gateway, the worker, the constructs or the
 * local stack throw on purpose extends {@link EventGatewayError}, so a caller can tell ours from a
 * library's with one `instanceof`, read every problem at once, and follow `cause` to the origin.
 * It lives in the dependency-free contract so workflow code, the worker and the gateway share it.
 */
export class EventGatewayError extends Error {
  /**
   * Every problem found, when one check reports several at once (configuration, props); otherwise
   * the message alone.
   */
  readonly problems: readonly string[];

  constructor(message: string, options?: EventGatewayErrorOptions) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.problems = options?.problems ?? [message];
  }

  /**
   * Every subclass states its own name as a string (`override readonly name = 'XError'`, held by the
   * lint): the Lambda bundles are minified, which renames classes, so a name taken from the class
   * would read `zt` in a Lambda's log.
   */
  override readonly name: string = 'EventGatewayError';
}

/** What an {@link EventGatewayError} carries besides its message. */
export interface EventGatewayErrorOptions {
  /** The error that caused this one, kept for the stack trace and for classification. */
  readonly cause?: unknown;
  /** Every problem found, when there are several; defaults to the message alone. */
  readonly problems?: readonly string[];
}

/** Lists problems under a heading, one per line, as every multi-problem error reports them. */
export const problemList = (heading: string, problems: readonly string[]): string =>
  `${heading}:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`;
