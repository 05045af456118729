/** Types of the generated `codecs.generated.js` (see generate.ts). */
import type { WireMethod } from './schema';

/** A request message: the gateway only ever encodes it. */
export interface RequestCodec {
  encode(message: object): { finish(): Uint8Array };
}

/** A response message: the gateway only ever decodes it. */
export interface ResponseCodec {
  decode(bytes: Uint8Array): unknown;
}

/** RPC name → [request codec, response codec]. */
export declare const RPC_CODECS: Record<WireMethod, readonly [RequestCodec, ResponseCodec]>;
