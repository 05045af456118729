/**
 * The protobuf wire format as far as the lean client's generated codecs use it (codecs.generated.js,
 * written by protobufjs' own code generator): a `Writer` for requests (varints, length-delimited
 * strings, bytes and nested messages, booleans) and a `Reader` for responses (the same, 64-bit
 * varints as numbers, and skipping unknown fields), with the names and semantics of protobufjs 7's
 * `Writer`/`Reader`, so the generated code runs on it unchanged.
 *
 * Why not `protobufjs/minimal` itself: at import it sets up its whole utility belt (float, pool,
 * event emitter, base64, LongBits) and the `long` package, which compiles a WebAssembly module —
 * measured about 6 ms of a Lambda's ~45 ms init for 34 KB, where this is 3 KB and builds nothing
 * (docs/benchmarks.md). The drift test holds it to protobufjs: every request encodes byte for byte
 * as `@temporalio/proto`'s full types do, every response decodes to the same values.
 *
 * 64-bit integers decode to numbers (as protobufjs does where `long` is absent): the fields the
 * gateway reads (history length, event ids, timestamps' seconds, backlog counts) stay far below 2^53.
 */

/** How deep a message may nest, as protoc's `CodedInputStream` and protobufjs default it. */
const RECURSION_LIMIT = 100;

const outOfRange = (reader: Reader, length = 1) =>
  new RangeError(`index out of range: ${reader.pos} + ${length} > ${reader.len}`);

/** Bytes of `value` as an unsigned varint. */
function varintSize(value: number): number {
  return value < 0x80 ? 1 : value < 0x4000 ? 2 : value < 0x200000 ? 3 : value < 0x10000000 ? 4 : 5;
}

/** Builds one message's bytes; `fork`/`ldelim` wrap a nested message in its length prefix. */
export class Writer {
  static create(): Writer {
    return new Writer();
  }

  private buf = Buffer.allocUnsafe(256);
  private pos = 0;
  /** Where each open nested message starts. */
  private readonly forks: number[] = [];

  private reserve(bytes: number): void {
    if (this.pos + bytes <= this.buf.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + bytes));
    this.buf.copy(grown, 0, 0, this.pos);
    this.buf = grown;
  }

  private varint32(value: number): void {
    this.reserve(5);
    while (value > 127) {
      this.buf[this.pos++] = (value & 127) | 128;
      value >>>= 7;
    }
    this.buf[this.pos++] = value;
  }

  uint32(value: number): this {
    this.varint32(value >>> 0);
    return this;
  }

  /** A negative int32 is written as its 64-bit two's complement, ten bytes, as protobuf requires. */
  int32(value: number): this {
    if (value >= 0) return this.uint32(value);
    this.reserve(10);
    let lo = value >>> 0;
    let hi = -1 >>> 0;
    for (let i = 0; i < 9; i++) {
      this.buf[this.pos++] = (lo & 127) | 128;
      lo = ((lo >>> 7) | (hi << 25)) >>> 0;
      hi >>>= 7;
    }
    this.buf[this.pos++] = lo & 1;
    return this;
  }

  bool(value: boolean): this {
    this.reserve(1);
    this.buf[this.pos++] = value ? 1 : 0;
    return this;
  }

  string(value: string): this {
    const length = Buffer.byteLength(value);
    this.varint32(length);
    this.reserve(length);
    this.pos += this.buf.write(value, this.pos, length, 'utf8');
    return this;
  }

  bytes(value: Uint8Array | string): this {
    const bytes = typeof value === 'string' ? Buffer.from(value, 'base64') : value;
    this.varint32(bytes.length);
    this.reserve(bytes.length);
    this.buf.set(bytes, this.pos);
    this.pos += bytes.length;
    return this;
  }

  /**
   * Starts a nested message. One byte is kept for its length prefix, the size of most nested
   * messages' prefix (under 128 bytes), so `ldelim` moves the nested bytes only for longer ones.
   */
  fork(): this {
    this.reserve(1);
    this.forks.push(this.pos);
    this.pos += 1;
    return this;
  }

  /** Closes the nested message `fork` opened, writing its length prefix in front of it. */
  ldelim(): this {
    const start = this.forks.pop();
    if (start === undefined) throw new RangeError('ldelim without fork');
    const length = this.pos - start - 1;
    const extra = varintSize(length) - 1;
    if (extra > 0) {
      this.reserve(extra);
      this.buf.copyWithin(start + 1 + extra, start + 1, this.pos);
    }
    const end = this.pos + extra;
    this.pos = start;
    this.varint32(length);
    this.pos = end;
    return this;
  }

  finish(): Buffer {
    return this.buf.subarray(0, this.pos);
  }
}

/** Reads one message's bytes; `len` is narrowed while a nested message is read, as protobufjs does. */
export class Reader {
  static readonly recursionLimit = RECURSION_LIMIT;

  static create(bytes: Uint8Array): Reader {
    return new Reader(bytes);
  }

  readonly buf: Buffer;
  pos = 0;
  len: number;

  constructor(bytes: Uint8Array) {
    this.buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.len = this.buf.length;
  }

  uint32(): number {
    let value = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      if (this.pos >= this.len) throw outOfRange(this);
      const byte = this.buf[this.pos++]!;
      // The fifth byte carries the top four bits; a longer varint's high bits are dropped (as protobufjs).
      if (shift < 28) value |= (byte & 127) << shift;
      else value |= (byte & 15) << 28;
      if (byte < 128) return value >>> 0;
    }
    // A 64-bit varint read as 32 bits: skip its remaining bytes.
    this.skipVarint();
    return value >>> 0;
  }

  int32(): number {
    return this.uint32() | 0;
  }

  /** A signed 64-bit varint, as a number. */
  int64(): number {
    let lo = 0;
    let hi = 0;
    for (let index = 0; index < 10; index++) {
      if (this.pos >= this.len) throw outOfRange(this);
      const byte = this.buf[this.pos++]!;
      if (index < 4) lo |= (byte & 127) << (index * 7);
      else if (index === 4) {
        lo |= (byte & 127) << 28;
        hi |= (byte & 127) >> 4;
      } else hi |= (byte & 127) << (index * 7 - 32);
      if (byte < 128) break;
    }
    lo >>>= 0;
    hi >>>= 0;
    if (hi >>> 31) {
      // Negative: the two's complement's magnitude.
      lo = (~lo + 1) >>> 0;
      hi = ~hi >>> 0;
      if (!lo) hi = (hi + 1) >>> 0;
      return -(lo + hi * 4294967296);
    }
    return lo + hi * 4294967296;
  }

  bool(): boolean {
    return this.uint32() !== 0;
  }

  bytes(): Buffer {
    const length = this.uint32();
    if (this.pos + length > this.len) throw outOfRange(this, length);
    const start = this.pos;
    this.pos += length;
    return length === 0 ? Buffer.alloc(0) : this.buf.subarray(start, this.pos);
  }

  string(): string {
    const length = this.uint32();
    const start = this.pos;
    this.pos = Math.min(this.pos + length, this.len);
    return this.buf.toString('utf8', start, this.pos);
  }

  private skipVarint(): void {
    do {
      if (this.pos >= this.len) throw outOfRange(this);
    } while (this.buf[this.pos++]! & 128);
  }

  private skip(length: number): void {
    if (this.pos + length > this.len) throw outOfRange(this, length);
    this.pos += length;
  }

  /** Skips a field of an unknown number (a newer server's), whatever its wire type. */
  skipType(wireType: number, depth = 0): this {
    if (depth > RECURSION_LIMIT) throw new Error('maximum nesting depth exceeded');
    switch (wireType) {
      case 0:
        this.skipVarint();
        break;
      case 1:
        this.skip(8);
        break;
      case 2:
        this.skip(this.uint32());
        break;
      case 3:
        while ((wireType = this.uint32() & 7) !== 4) this.skipType(wireType, depth + 1);
        break;
      case 5:
        this.skip(4);
        break;
      default:
        throw new Error(`invalid wire type ${wireType} at offset ${this.pos}`);
    }
    return this;
  }
}

const EMPTY_ARRAY: readonly never[] = Object.freeze([]);
const EMPTY_OBJECT: Readonly<Record<string, never>> = Object.freeze({});

/** The helpers the generated code names `util.*`. */
export const util = {
  recursionLimit: RECURSION_LIMIT,
  /** The shared default of an unset repeated field (the decoder replaces it before pushing). */
  emptyArray: EMPTY_ARRAY,
  /** The shared default of an unset map field (the decoder replaces it before setting). */
  emptyObject: EMPTY_OBJECT,
  newBuffer: (bytes: number[]) => Buffer.from(bytes),
  /** No `long`: 64-bit fields decode to numbers. */
  Long: undefined,
  /** A map key named `__proto__` becomes an own property, not the prototype. */
  makeProp(target: object, key: string): void {
    Object.defineProperty(target, key, { enumerable: true, configurable: true, writable: true });
  },
};
