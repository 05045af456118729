/**
 * The lean client's transport alone since issue 31: its own gRPC framing over `node:http2`
 * (`GrpcChannel`, one channel, not yet connected) and `protobufjs/minimal` (7, the `protobufjs-v7`
 * alias the codecs run on) encoding one field — none of the codecs or envconfig. Beside
 * `grpc-js-transport.ts`, the same job with `@grpc/grpc-js`, it shows what dropping the library saved.
 */
import protobuf from 'protobufjs-v7/minimal.js';
import { GrpcChannel } from '../../functions/adapters/temporal-wire/grpc-channel';

const channel = new GrpcChannel({ address: '127.0.0.1:7233' });
const encoded = protobuf.Writer.create().uint32(10).string('default').finish();

export function handler(): { statusCode: number; body: string } {
  return { statusCode: 200, body: `${typeof channel.unary} ${encoded.length}` };
}
