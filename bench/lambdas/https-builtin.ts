/**
 * Node's own `node:https` (with `node:tls` under it), nothing else: what the AWS SDK's HTTP handler,
 * and so the Step Functions anchor, loads. Compare `http2-builtin.ts`.
 */
import { request } from 'node:https';

export function handler(): { statusCode: number; body: string } {
  return { statusCode: 200, body: typeof request };
}
