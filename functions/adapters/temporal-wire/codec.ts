/**
 * Encodes and decodes the lean client's messages with protobufjs' light build over the pruned
 * descriptor: ~45 message types reflected at first use instead of the whole Temporal API.
 */
import protobuf from 'protobufjs/light.js';
import descriptor from './descriptor.json' with { type: 'json' };
import { WORKFLOW_SERVICE, type WireMethod } from './schema';

export interface WireCodec {
  encode(request: unknown): Buffer;
  decode(bytes: Buffer): unknown;
}

let root: protobuf.Root | undefined;
const codecs = new Map<WireMethod, WireCodec>();

/** The request encoder and response decoder of one RPC, built on first use and kept. */
export function codecFor(method: WireMethod): WireCodec {
  let codec = codecs.get(method);
  if (codec) return codec;
  root ??= protobuf.Root.fromJSON(descriptor as protobuf.INamespace);
  const rpc = root.lookupService(WORKFLOW_SERVICE).methods[method];
  if (!rpc) throw new TypeError(`${method} is not in the lean client's descriptor.`);
  rpc.resolve();
  const requestType = rpc.resolvedRequestType as protobuf.Type;
  const responseType = rpc.resolvedResponseType as protobuf.Type;
  codec = {
    encode: (request) => {
      const bytes = requestType.encode(request as Record<string, unknown>).finish();
      return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    },
    decode: (bytes) => responseType.decode(bytes),
  };
  codecs.set(method, codec);
  return codec;
}
