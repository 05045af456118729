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

/** Bytes of a varint of a non-negative number below 2^53 (lengths, tags). */
const varintSize = (value: number): number => {
  let size = 1;
  while (value >= 0x80) {
    value = Math.floor(value / 0x80);
    size += 1;
  }
  return size;
};

/** Bytes of a length-delimited field: tag, length, contents (every field here has a one-byte tag). */
const fieldSize = (length: number): number => 1 + varintSize(length) + length;

/** Writes into one buffer sized in advance: a payload is encoded once per signal, so no chunks, no BigInt. */
class Writer {
  private offset = 0;
  constructor(private readonly buffer: Uint8Array) {}

  varint(value: number): this {
    while (value >= 0x80) {
      this.buffer[this.offset++] = (value % 0x80) | 0x80;
      value = Math.floor(value / 0x80);
    }
    this.buffer[this.offset++] = value;
    return this;
  }

  /** A 64-bit varint (`sizeBytes`), as protobuf writes an int64: two's complement when negative. */
  varint64(value: bigint): this {
    let rest = BigInt.asUintN(64, value);
    while (rest >= 0x80n) {
      this.buffer[this.offset++] = Number(rest & 0x7fn) | 0x80;
      rest >>= 7n;
    }
    this.buffer[this.offset++] = Number(rest);
    return this;
  }

  tag(field: number, wireType: number): this {
    return this.varint((field << 3) | wireType);
  }

  bytes(field: number, value: Uint8Array): this {
    this.tag(field, WIRE.lengthDelimited).varint(value.length);
    this.buffer.set(value, this.offset);
    this.offset += value.length;
    return this;
  }

  /** A length-delimited field whose contents are `length` bytes the caller writes next. */
  header(field: number, length: number): this {
    return this.tag(field, WIRE.lengthDelimited).varint(length);
  }
}

const int64Of = (size: Int64 | null | undefined): bigint => (size == null ? 0n : BigInt(size.toString()));
const varint64Size = (value: bigint): number => {
  let rest = BigInt.asUintN(64, value);
  let size = 1;
  while (rest >= 0x80n) {
    rest >>= 7n;
    size += 1;
  }
  return size;
};

/**
 * The UTF-8 bytes of the metadata keys met so far: the same few names (`encoding`, `messageType`, …)
 * come with every payload, and encoding one anew costs a native call and a buffer per payload.
 * Bounded, so a caller's ever-new keys cannot grow it: past the bound a key is encoded each time.
 */
const keyBytes = new Map<string, Uint8Array>();
const KEY_BYTES_LIMIT = 64;

function keyBytesOf(key: string): Uint8Array {
  let bytes = keyBytes.get(key);
  if (bytes === undefined) {
    bytes = utf8.encode(key);
    if (keyBytes.size < KEY_BYTES_LIMIT) keyBytes.set(key, bytes);
  }
  return bytes;
}

const NO_BYTES = new Uint8Array();

/** The size of one metadata map entry's contents (key and value fields). */
const entrySize = (key: string, value: Uint8Array | null | undefined): number =>
  fieldSize(keyBytesOf(key).length) + fieldSize(value?.length ?? 0);

/** The payload's protobuf encoding, field for field as `Payload.encode(payload).finish()` writes it. */
export function encodePayloadProto(payload: Payload): Uint8Array {
  const metadata = payload.metadata ?? {};
  const keys = Object.keys(metadata);
  // proto3 implicit presence: empty bytes and zero numbers are not written.
  const data = payload.data?.length ? payload.data : undefined;
  const externals = payload.externalPayloads?.length
    ? payload.externalPayloads.map((details) => {
        const sizeBytes = int64Of(details.sizeBytes);
        return { sizeBytes, size: sizeBytes === 0n ? 0 : 1 + varint64Size(sizeBytes) };
      })
    : [];
  // Sized in one pass and written in a second, with no per-entry objects in between.
  let total = data ? fieldSize(data.length) : 0;
  for (const key of keys) total += fieldSize(entrySize(key, metadata[key]));
  for (const external of externals) total += fieldSize(external.size);
  const buffer = Buffer.allocUnsafe(total);
  const writer = new Writer(buffer);
  for (const key of keys) {
    const value = metadata[key];
    writer
      .header(FIELD.metadata, entrySize(key, value))
      .bytes(FIELD.mapKey, keyBytesOf(key))
      .bytes(FIELD.mapValue, value ?? NO_BYTES);
  }
  if (data) writer.bytes(FIELD.data, data);
  for (const external of externals) {
    writer.header(FIELD.externalPayloads, external.size);
    if (external.sizeBytes !== 0n) writer.tag(FIELD.sizeBytes, WIRE.varint).varint64(external.sizeBytes);
  }
  return buffer;
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
