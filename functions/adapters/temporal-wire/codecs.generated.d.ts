/** Types of the generated `codecs.generated.js` (see generate.ts). */
import type { WireMethod } from './schema';

export interface MessageCodec {
  encode(message: object): { finish(): Uint8Array };
  decode(bytes: Uint8Array): unknown;
}

/** RPC name → [request codec, response codec]. */
export declare const RPC_CODECS: Record<WireMethod, readonly [MessageCodec, MessageCodec]>;
