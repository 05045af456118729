/**
 * The logging surface the gateway needs. Powertools Logger satisfies it in Lambda and locally;
 * tests pass a silent one. Log identifiers and outcomes, never payloads or credentials.
 */
export interface GatewayLogger {
  info(message: string, ...extra: Record<string, unknown>[]): void;
  warn(message: string, ...extra: Record<string, unknown>[]): void;
  error(message: string, ...extra: Record<string, unknown>[]): void;
}

export const silentLogger: GatewayLogger = { info() {}, warn() {}, error() {} };
