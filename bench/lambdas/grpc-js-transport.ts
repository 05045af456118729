/**
 * The transport the lean client uses, alone: `@grpc/grpc-js` with one client channel and
 * `protobufjs/minimal` (7, the `protobufjs-v7` alias the lean client's codecs run on) encoding one
 * field — none of the lean client's own code, codecs or envconfig. Beside `connect-transport.ts` it
 * shows what the choice of kept gRPC library costs.
 */
import * as grpc from '@grpc/grpc-js';
import protobuf from 'protobufjs-v7/minimal.js';

const client = new grpc.Client('127.0.0.1:7233', grpc.credentials.createInsecure());
const encoded = protobuf.Writer.create().uint32(10).string('default').finish();

export function handler(): { statusCode: number; body: string } {
  return { statusCode: 200, body: `${client.getChannel().getTarget()} ${encoded.length}` };
}
