/**
 * A `temporal.api.common.v1.Payload` to its protobuf bytes and back: what the encryption codec
 * encrypts, so the original metadata travels inside the ciphertext, as in Temporal's encryption
 * samples. Written out here (three fields) rather than loading `@temporalio/proto`, whose reflection
 * costs about 100 ms at import — a Lambda cold start pays that for nothing. The tests hold these bytes
 * to `@temporalio/proto`'s own encoder and decoder.
 */
import type { Payload } from '@temporalio/common';
import { EventGatewayError } from '../contract/errors';

/** Field numbers of `Payload` and `Payload.ExternalPayloadDetails` (temporal/api/common/v1/message.proto). */
const FIELD = { metadata: 1, data: 2, externalPayloads: 3, mapKey: 1, mapValue: 2, sizeBytes: 1 } as const;
const WIRE = { varint: 0, fixed64: 1, lengthDelimited: 2, fixed32: 5 } as const;

const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder('utf-8', { fatal: true });

/** Thrown when bytes are not a `Payload`; the codec reports it as a corrupted payload. */
export class PayloadProtoError extends EventGatewayError {
  override readonly name = 'PayloadProtoError';
}

type Int64 = number | { toString(): string };
type ExternalPayloadDetails = NonNullable<Payload['externalPayloads']>[number];

class Writer {
  private readonly chunks: Uint8Array[] = [];

  varint(value: bigint): this {
    const bytes: number[] = [];
    let rest = BigInt.asUintN(64, value);
    do {
      const low = Number(rest & 0x7fn);
      rest >>= 7n;
      bytes.push(rest === 0n ? low : low | 0x80);
    } while (rest !== 0n);
    this.chunks.push(Uint8Array.from(bytes));
    return this;
  }

  tag(field: number, wireType: number): this {
    return this.varint(BigInt((field << 3) | wireType));
  }

  bytes(field: number, value: Uint8Array): this {
    this.tag(field, WIRE.lengthDelimited).varint(BigInt(value.length));
    this.chunks.push(value);
    return this;
  }

  finish(): Uint8Array {
    return Buffer.concat(this.chunks);
  }
}

/** The payload's protobuf encoding, field for field as `Payload.encode(payload).finish()` writes it. */
export function encodePayloadProto(payload: Payload): Uint8Array {
  const writer = new Writer();
  for (const [key, value] of Object.entries(payload.metadata ?? {})) {
    const entry = new Writer().bytes(FIELD.mapKey, utf8.encode(key)).bytes(FIELD.mapValue, value).finish();
    writer.bytes(FIELD.metadata, entry);
  }
  // proto3 implicit presence: empty bytes and zero numbers are not written.
  if (payload.data?.length) writer.bytes(FIELD.data, payload.data);
  for (const details of payload.externalPayloads ?? []) {
    const inner = new Writer();
    const size = details.sizeBytes as Int64 | null | undefined;
    const sizeBytes = size == null ? 0n : BigInt(size.toString());
    if (sizeBytes !== 0n) inner.tag(FIELD.sizeBytes, WIRE.varint).varint(sizeBytes);
    writer.bytes(FIELD.externalPayloads, inner.finish());
  }
  return writer.finish();
}

class Reader {
  private offset = 0;
  constructor(private readonly buffer: Uint8Array) {}

  get done(): boolean {
    return this.offset >= this.buffer.length;
  }

  varint(): bigint {
    let result = 0n;
    for (let shift = 0n; shift < 70n; shift += 7n) {
      const byte = this.buffer[this.offset++];
      if (byte === undefined) throw new PayloadProtoError('truncated varint');
      result |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return BigInt.asUintN(64, result);
    }
    throw new PayloadProtoError('varint longer than 10 bytes');
  }

  skip(length: number): Uint8Array {
    const end = this.offset + length;
    if (end > this.buffer.length) throw new PayloadProtoError('field runs past the end');
    const slice = this.buffer.subarray(this.offset, end);
    this.offset = end;
    return slice;
  }

  /** The next field: its number and, for length-delimited ones, its bytes (others are skipped). */
  field(): { number: number; wireType: number; bytes?: Uint8Array; varint?: bigint } {
    const key = this.varint();
    const number = Number(key >> 3n);
    const wireType = Number(key & 7n);
    switch (wireType) {
      case WIRE.varint:
        return { number, wireType, varint: this.varint() };
      case WIRE.fixed64:
        this.skip(8);
        return { number, wireType };
      case WIRE.lengthDelimited:
        return { number, wireType, bytes: this.skip(Number(this.varint())) };
      case WIRE.fixed32:
        this.skip(4);
        return { number, wireType };
      default:
        throw new PayloadProtoError(`unsupported wire type ${wireType}`);
    }
  }
}

/** The payload these bytes encode, as `Payload.decode(bytes)` reads it (unknown fields skipped). */
export function decodePayloadProto(bytes: Uint8Array): Payload {
  const reader = new Reader(bytes);
  const metadata: Record<string, Uint8Array> = {};
  // proto3: an absent `data` reads as empty, as `Payload.decode` gives it.
  const payload: Payload = { metadata, data: new Uint8Array() };
  while (!reader.done) {
    const field = reader.field();
    if (!field.bytes) continue;
    if (field.number === FIELD.metadata) {
      const entry = new Reader(field.bytes);
      let key = '';
      let value: Uint8Array = new Uint8Array();
      while (!entry.done) {
        const part = entry.field();
        if (part.number === FIELD.mapKey && part.bytes) key = fromUtf8.decode(part.bytes);
        if (part.number === FIELD.mapValue && part.bytes) value = Uint8Array.from(part.bytes);
      }
      metadata[key] = value;
    } else if (field.number === FIELD.data) {
      payload.data = Uint8Array.from(field.bytes);
    } else if (field.number === FIELD.externalPayloads) {
      const inner = new Reader(field.bytes);
      const details = { sizeBytes: 0 };
      while (!inner.done) {
        const part = inner.field();
        if (part.number === FIELD.sizeBytes && part.varint !== undefined)
          details.sizeBytes = Number(BigInt.asIntN(64, part.varint));
      }
      // Typed as a `Long`; a number reads the same to the SDK (extstore-helpers' readSizeBytes), and
      // sizes stay far below 2^53.
      (payload.externalPayloads ??= []).push(details as unknown as ExternalPayloadDetails);
    }
  }
  return payload;
}
