/**
 * The lean client's protobuf wire runtime against protobufjs 7 itself, the runtime the generated
 * codecs were written for: the same bytes for any sequence of writes (nested messages of every
 * length-prefix size included), the same values read back, unknown fields skipped alike, and a
 * truncated message refused with a RangeError instead of read as garbage.
 */
import fc from 'fast-check';
import protobuf from 'protobufjs-v7/minimal.js';
import { describe, expect, it } from 'vitest';
import { Reader, Writer } from '../../../functions/adapters/temporal-wire/protobuf-wire';

type Op =
  | { kind: 'uint32'; value: number }
  | { kind: 'int32'; value: number }
  | { kind: 'bool'; value: boolean }
  | { kind: 'string'; value: string }
  | { kind: 'bytes'; value: Uint8Array }
  | { kind: 'nested'; ops: Op[] };

/** The subset of both writers' API the generated encoders call. */
interface AnyWriter {
  uint32(value: number): AnyWriter;
  int32(value: number): AnyWriter;
  bool(value: boolean): AnyWriter;
  string(value: string): AnyWriter;
  bytes(value: Uint8Array): AnyWriter;
  fork(): AnyWriter;
  ldelim(): AnyWriter;
}

function write(writer: AnyWriter, ops: readonly Op[], field = 1): void {
  for (const op of ops) {
    if (op.kind === 'nested') {
      writer.uint32((field << 3) | 2).fork();
      write(writer, op.ops, field + 1);
      writer.ldelim();
    } else if (op.kind === 'string' || op.kind === 'bytes') {
      writer.uint32((field << 3) | 2);
      if (op.kind === 'string') writer.string(op.value);
      else writer.bytes(op.value);
    } else {
      writer.uint32(field << 3);
      if (op.kind === 'bool') writer.bool(op.value);
      else if (op.kind === 'int32') writer.int32(op.value);
      else writer.uint32(op.value);
    }
  }
}

const ours = (ops: readonly Op[]) => {
  const writer = Writer.create();
  write(writer, ops);
  return Buffer.from(writer.finish());
};

const theirs = (ops: readonly Op[]) => {
  const writer = protobuf.Writer.create();
  write(writer, ops);
  return Buffer.from(writer.finish());
};

const leaf: fc.Arbitrary<Op> = fc.oneof(
  fc.integer({ min: 0, max: 0xffffffff }).map((value) => ({ kind: 'uint32' as const, value })),
  fc.integer({ min: -0x80000000, max: 0x7fffffff }).map((value) => ({ kind: 'int32' as const, value })),
  fc.boolean().map((value) => ({ kind: 'bool' as const, value })),
  fc.string({ unit: 'binary', maxLength: 300 }).map((value) => ({ kind: 'string' as const, value })),
  fc.uint8Array({ maxLength: 300 }).map((value) => ({ kind: 'bytes' as const, value })),
);

const { message } = fc.letrec<{ message: Op[]; op: Op }>((tie) => ({
  message: fc.array(tie('op'), { maxLength: 6 }),
  op: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    tie('message').map((ops) => ({ kind: 'nested' as const, ops })),
  ),
}));

/** The subset of both readers' API the generated decoders call. */
interface AnyReader {
  pos: number;
  len: number;
  uint32(): number;
  int32(): number;
  bool(): boolean;
  string(): string;
  bytes(): Uint8Array;
}

/** Reads back what `write` wrote, with either reader. */
function read(reader: AnyReader, ops: readonly Op[]): unknown[] {
  const values: unknown[] = [];
  for (const op of ops) {
    values.push(reader.uint32());
    if (op.kind === 'nested') {
      const length = reader.uint32();
      const end = reader.pos + length;
      const outer = reader.len;
      reader.len = end;
      values.push(read(reader, op.ops));
      reader.len = outer;
    } else values.push(reader[op.kind]());
  }
  return values.map((value) => (value instanceof Uint8Array ? [...value] : value));
}

describe('the lean client’s protobuf wire runtime, against protobufjs 7', () => {
  it('writes the same bytes for any sequence of fields and nested messages', () => {
    fc.assert(
      fc.property(message, (ops) => {
        expect(ours(ops).equals(theirs(ops))).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('prefixes nested messages of every length-prefix size the same way (1 to 4 bytes, 5 MB)', () => {
    for (const size of [0, 1, 127, 128, 16_383, 16_384, 2_097_151, 2_097_152, 5 * 1024 * 1024]) {
      const ops: Op[] = [{ kind: 'nested', ops: [{ kind: 'bytes', value: new Uint8Array(size).fill(7) }] }];
      expect(ours(ops).equals(theirs(ops)), `nested bytes of ${size}`).toBe(true);
    }
  });

  it('reads back the same values', () => {
    fc.assert(
      fc.property(message, (ops) => {
        const bytes = theirs(ops);
        const expected = read(protobuf.Reader.create(bytes), ops);
        expect(read(Reader.create(bytes), ops)).toEqual(expected);
      }),
      { numRuns: 500 },
    );
  });

  it('reads signed 64-bit varints as protobufjs does without long, up to 2^53 and below zero', () => {
    const long = protobuf.util.Long;
    protobuf.util.Long = undefined as never;
    protobuf.configure();
    try {
      const values = [
        0,
        1,
        300,
        2 ** 31,
        2 ** 32 - 1,
        2 ** 32,
        2 ** 40 + 5,
        2 ** 53 - 1,
        -1,
        -300,
        -(2 ** 40),
      ];
      for (const value of values) {
        const writer = protobuf.Writer.create();
        writer.int64(value);
        const bytes = writer.finish();
        expect(Reader.create(bytes).int64(), String(value)).toBe(protobuf.Reader.create(bytes).int64());
        expect(Reader.create(bytes).int64()).toBe(value);
      }
    } finally {
      protobuf.util.Long = long;
      protobuf.configure();
    }
  });

  it('skips a field of every wire type, groups included, to the same position', () => {
    const writer = protobuf.Writer.create();
    writer.uint32((1 << 3) | 0).uint64(2 ** 50);
    writer.uint32((2 << 3) | 1).fixed64(7);
    writer.uint32((3 << 3) | 2).bytes(new Uint8Array(200));
    writer
      .uint32((4 << 3) | 3)
      .uint32((5 << 3) | 0)
      .uint32(9)
      .uint32((4 << 3) | 4);
    writer.uint32((6 << 3) | 5).fixed32(1);
    writer.uint32((7 << 3) | 0).uint32(42);
    const bytes = writer.finish();
    const lean = Reader.create(bytes);
    for (let skipped = 0; skipped < 5; skipped++) lean.skipType(lean.uint32() & 7);
    expect(lean.uint32()).toBe((7 << 3) | 0);
    expect(lean.uint32()).toBe(42);
    expect(lean.pos).toBe(bytes.length);
  });

  it('refuses a truncated message with a RangeError, and an unknown wire type', () => {
    const bytes = theirs([
      { kind: 'string', value: 'a string long enough' },
      { kind: 'uint32', value: 2 ** 31 },
    ]);
    for (let cut = 1; cut < bytes.length; cut++) {
      const reader = Reader.create(bytes.subarray(0, cut));
      expect(() => {
        reader.uint32();
        reader.bytes();
        reader.uint32();
        reader.uint32();
      }, `cut at ${cut}`).toThrow(RangeError);
    }
    expect(() => Reader.create(Buffer.from([(1 << 3) | 7])).skipType(7)).toThrow(/invalid wire type 7/);
  });

  it('stops at the nesting limit protoc and protobufjs use', () => {
    let bytes = Buffer.from([(1 << 3) | 4]);
    for (let depth = 0; depth < 102; depth++) bytes = Buffer.concat([Buffer.from([(1 << 3) | 3]), bytes]);
    const skipAll = (reader: { uint32(): number; skipType(wireType: number): unknown }) =>
      reader.skipType(reader.uint32() & 7);
    expect(() => skipAll(protobuf.Reader.create(bytes))).toThrow(/maximum nesting depth/);
    expect(() => skipAll(Reader.create(bytes))).toThrow(/maximum nesting depth/);
  });
});
