/**
 * Encodes and decodes the lean client's messages: static code generated from the pruned descriptor
 * (`codecs.generated.js`, written by protobufjs 7's code generator) over the wire runtime in
 * protobuf-wire.ts — no reflection, nothing built at import. The alternatives were measured
 * (docs/benchmarks.md, "The lean Temporal client").
 */
import { RPC_CODECS } from './codecs.generated.js';
import type { WireMethod } from './schema';

export interface WireCodec {
  readonly encode: (request: unknown) => Buffer;
  readonly decode: (bytes: Buffer) => unknown;
}

const codecs = new Map<WireMethod, WireCodec>();

/** The request encoder and response decoder of one RPC. */
export function codecFor(method: WireMethod): WireCodec {
  let codec = codecs.get(method);
  if (codec) return codec;
  const [request, response] = RPC_CODECS[method];
  codec = {
    encode: (message) => {
      const bytes = request.encode(message as object).finish();
      return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    },
    decode: (bytes) => response.decode(bytes),
  };
  codecs.set(method, codec);
  return codec;
}
