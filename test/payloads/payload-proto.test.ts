import proto from '@temporalio/proto';
import fc from 'fast-check';
import Long from 'long';
import { describe, expect, it } from 'vitest';
import { decodePayloadProto, encodePayloadProto, PayloadProtoError } from '../../payloads/payload-proto';

const { Payload } = proto.temporal.api.common.v1;

const payloads: fc.Arbitrary<proto.temporal.api.common.v1.IPayload> = fc.record(
  {
    metadata: fc.dictionary(fc.string({ unit: 'grapheme' }), fc.uint8Array({ maxLength: 64 }), {
      maxKeys: 5,
    }),
    data: fc.uint8Array({ maxLength: 2048 }),
    externalPayloads: fc.array(
      fc.record(
        { sizeBytes: fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }).map((n) => Long.fromNumber(n)) },
        { requiredKeys: [] },
      ),
      { maxLength: 2 },
    ),
  },
  { requiredKeys: ['metadata'] },
);

/** Comparable plain form: Longs as numbers, typed arrays as arrays. */
const plain = (payload: proto.temporal.api.common.v1.IPayload) => ({
  metadata: Object.fromEntries(Object.entries(payload.metadata ?? {}).map(([k, v]) => [k, [...v]])),
  data: [...(payload.data ?? [])],
  externalPayloads: (payload.externalPayloads ?? []).map((d) => ({
    sizeBytes: Number((d.sizeBytes ?? 0).toString()),
  })),
});

describe('Payload protobuf bytes, held to @temporalio/proto', () => {
  it('encodes byte for byte as Payload.encode', () => {
    fc.assert(
      fc.property(payloads, (payload) => {
        const theirs = Payload.encode(Payload.create(payload)).finish();
        expect(Buffer.from(encodePayloadProto(payload)).equals(Buffer.from(theirs))).toBe(true);
      }),
    );
  });

  it('decodes what Payload.encode writes, and Payload.decode reads what it writes', () => {
    fc.assert(
      fc.property(payloads, (payload) => {
        const theirs = Payload.encode(Payload.create(payload)).finish();
        expect(plain(decodePayloadProto(theirs))).toEqual(plain(Payload.decode(theirs)));
        expect(plain(Payload.decode(encodePayloadProto(payload)))).toEqual(plain(decodePayloadProto(theirs)));
      }),
    );
  });

  it('skips fields it does not know, as protobuf readers do', () => {
    // field 9, varint 150; then field 2 (data) = [1, 2]
    const bytes = Uint8Array.from([0x48, 0x96, 0x01, 0x12, 0x02, 1, 2]);
    expect(plain(decodePayloadProto(bytes))).toEqual(plain(Payload.decode(bytes)));
  });

  it('refuses bytes that are not a Payload', () => {
    expect(() => decodePayloadProto(Uint8Array.from([0x12, 0x05, 1]))).toThrow(PayloadProtoError);
    expect(() => decodePayloadProto(Uint8Array.from([0x0f]))).toThrow(PayloadProtoError);
  });
});
