/**
 * The other kept gRPC transport the issue names, alone: `@connectrpc/connect-node`'s gRPC
 * transport with `@bufbuild/protobuf` encoding one generated message (a well-known type, built the
 * way protoc-gen-es code is). Not what the functions use: the measurement behind choosing between
 * the two (docs/benchmarks.md, "Lambda init").
 */
import { create, toBinary } from '@bufbuild/protobuf';
import { StructSchema } from '@bufbuild/protobuf/wkt';
import { createGrpcTransport } from '@connectrpc/connect-node';

const transport = createGrpcTransport({ baseUrl: 'http://127.0.0.1:7233' });
const encoded = toBinary(StructSchema, create(StructSchema, { fields: {} }));

export function handler(): { statusCode: number; body: string } {
  return { statusCode: 200, body: `${typeof transport.unary} ${encoded.length}` };
}
