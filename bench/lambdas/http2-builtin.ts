/**
 * Node's own `node:http2` and `node:tls`, nothing else: the import every gRPC client pays, whatever
 * library frames the calls (grpc-js, connect-node, a hand-written one). Compare `https-builtin.ts`,
 * what the AWS SDK's HTTP handler loads.
 */
import { connect } from 'node:http2';
import { checkServerIdentity } from 'node:tls';

export function handler(): { statusCode: number; body: string } {
  return { statusCode: 200, body: typeof connect + typeof checkServerIdentity };
}
