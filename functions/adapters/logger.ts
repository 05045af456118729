/**
 * The logging surface the gateway needs. Powertools Logger satisfies it in Lambda and locally;
 * tests pass a silent one. Log identifiers and outcomes, never payloads or credentials.
 */
import { traceLogFields } from './tracing';

export interface GatewayLogger {
  info(message: string, ...extra: Record<string, unknown>[]): void;
  warn(message: string, ...extra: Record<string, unknown>[]): void;
  error(message: string, ...extra: Record<string, unknown>[]): void;
}

export const silentLogger: GatewayLogger = { info() {}, warn() {}, error() {} };

/**
 * A logger whose lines, inside a request or queue record, carry the trace id and the event's fields
 * known so far (event id, source, route, workflow id: adapters/tracing.ts); a line's own values win.
 * Only identifiers: the scope never holds a body, a signature or a secret.
 */
export function withEventContext(logger: GatewayLogger): GatewayLogger {
  const line =
    (level: keyof GatewayLogger) =>
    (message: string, ...extra: Record<string, unknown>[]) => {
      const fields = traceLogFields();
      if (Object.keys(fields).length === 0) return logger[level](message, ...extra);
      const [first, ...rest] = extra;
      return logger[level](message, { ...fields, ...first }, ...rest);
    };
  return { info: line('info'), warn: line('warn'), error: line('error') };
}
