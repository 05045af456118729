/**
 * A generated check module decides as Ajv (with ajv-formats) does on the same schemas, while it
 * carries only what its schemas use: the formats they name, no unread schema constants, one
 * function making the error objects, and — where modules are bundled together — no run-time copy
 * of its own.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { fullFormats } from 'ajv-formats/dist/formats.js';
import { afterAll, describe, expect, it } from 'vitest';
import type { Check } from '../../functions/core/check';
import { checkRuntimeModule } from '../../infra/check-runtime-source';
import { generateCheckModuleSync } from '../../infra/validator-codegen';

const dir = mkdtempSync(join(tmpdir(), 'validator-codegen-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let written = 0;
/** Imports a generated module's text, written beside the shared run-time module. */
async function load(text: string): Promise<Record<string, Check<unknown>>> {
  const file = join(dir, `checks-${written++}.mjs`);
  writeFileSync(file, text);
  return (await import(pathToFileURL(file).href)) as Record<string, Check<unknown>>;
}
writeFileSync(join(dir, 'runtime.mjs'), checkRuntimeModule());

function ajvValidator(schema: object) {
  const ajv = new Ajv2020({ useDefaults: true, unicode: false, strict: false, logger: false });
  addFormats(ajv);
  return ajv.compile(schema);
}

/** The check and Ajv agree on each sample: the verdict, and the failing field's path. */
function expectSameDecisions(check: Check<unknown> | undefined, schema: object, samples: readonly unknown[]) {
  const validate = ajvValidator(schema);
  for (const sample of samples) {
    const result = check?.(sample);
    const valid = validate(structuredClone(sample));
    expect(result?.ok, `${JSON.stringify(schema)} on ${JSON.stringify(sample)}`).toBe(valid);
    const [error] = validate.errors ?? [];
    if (result && !result.ok && error && error.keyword !== 'required')
      expect(result.issue.path).toBe(error.instancePath.slice(1).replaceAll('/', '.'));
  }
}

const FORMAT_SAMPLES = [
  '2026-02-28',
  '2026-02-30',
  '2024-02-29T23:59:60Z',
  '12:30:00Z',
  '12:30:00',
  '2026-01-01T00:00:00+01:00',
  '2026-01-01 00:00:00',
  'P1Y2M',
  'https://example.com/a?b#c',
  '//example.com',
  'not a uri',
  'https://{host}/x',
  'a@b.co',
  'a@b',
  'example.com',
  '-bad-.com',
  '192.168.0.1',
  '256.1.1.1',
  '::1',
  '[a-',
  '^a+$',
  '123e4567-e89b-12d3-a456-426614174000',
  '/a~1b',
  '#/a',
  '0#',
  'aGVsbG8=',
  'aGVsbG8',
  '',
];

describe('generateCheckModuleSync', () => {
  const formats = Object.keys(fullFormats).filter(
    (name) =>
      typeof (fullFormats as Record<string, unknown>)[name] !== 'object' ||
      (fullFormats as Record<string, { type?: string }>)[name]?.type !== 'number',
  );

  it.each(formats)(
    'checks the %s format as ajv-formats does, and carries no other format',
    async (format) => {
      const schema = { type: 'string', format };
      const text = generateCheckModuleSync({ value: schema });
      const table = text.slice(text.indexOf('const inlinedFormats = {'), text.indexOf('\n};'));
      // A regex format is written into the check by Ajv; a function format is defined in the module.
      const definition = (fullFormats as Record<string, unknown>)[format];
      const defined =
        typeof definition === 'function' ||
        (typeof definition === 'object' && !(definition instanceof RegExp));
      expect([...table.matchAll(/^ {2}"([^"]+)": /gm)].map(([, name]) => name)).toEqual(
        defined ? [format] : [],
      );
      expectSameDecisions((await load(text)).value, schema, FORMAT_SAMPLES);
    },
  );

  it('checks the number formats and the format limits (which read the whole table) as Ajv does', async () => {
    const schemas = {
      int32: { type: 'number', format: 'int32' },
      beforeYearEnd: { type: 'string', format: 'date', formatMaximum: '2026-12-31' },
    };
    const checks = await load(generateCheckModuleSync(schemas));
    expectSameDecisions(checks.int32, schemas.int32, [1, 2 ** 31, -(2 ** 31), 1.5, 'x']);
    expectSameDecisions(checks.beforeYearEnd, schemas.beforeYearEnd, ['2026-06-01', '2027-01-01', 'x']);
  });

  it('exports a check whose name the module declares already (a format function, the runtime) under that name', async () => {
    const schemas = {
      date: { type: 'string', format: 'date' },
      check: { type: 'number' },
      check0: { type: 'string' },
    };
    const checks = await load(generateCheckModuleSync(schemas));
    expectSameDecisions(checks.date, schemas.date, ['2026-02-28', '2026-02-30', 1]);
    expectSameDecisions(checks.check, schemas.check, [1, 'x']);
    expectSameDecisions(checks.check0, schemas.check0, [1, 'x']);
  });

  it('carries no format, schema constant or module loader that its schemas do not need', () => {
    const text = generateCheckModuleSync({ name: { type: 'object', properties: { a: { type: 'string' } } } });
    expect(text).not.toContain('inlinedFormats');
    expect(text).not.toMatch(/const schema\d+ =/);
    expect(text).not.toContain('requireFrom');
    expect(text).not.toContain('.evaluated');
    expect(text).not.toMatch(/\{instancePath[:,]/);
  });

  it('keeps what enum, deep equality and unevaluated properties read, and decides as Ajv does', async () => {
    const schemas = {
      choice: { enum: [{ a: 1 }, 'b'] },
      exact: { const: { items: [1, { b: true }] } },
      closed: {
        $defs: { base: { type: 'object', properties: { a: { type: 'string' } } } },
        allOf: [{ $ref: '#/$defs/base' }],
        anyOf: [{ properties: { b: { type: 'number' } } }, { properties: { c: { type: 'boolean' } } }],
        unevaluatedProperties: false,
      },
      keys: { type: 'object', propertyNames: { pattern: '^[a-z]+$' } },
      // A recursive $ref is a validator of its own, whose evaluated properties are known at run time only.
      tree: {
        $defs: {
          node: {
            type: 'object',
            anyOf: [{ properties: { b: { type: 'number' } } }, { properties: { c: { type: 'boolean' } } }],
            properties: { kids: { type: 'array', items: { $ref: '#/$defs/node' } } },
          },
        },
        allOf: [{ $ref: '#/$defs/node' }],
        unevaluatedProperties: false,
      },
    };
    const text = generateCheckModuleSync(schemas);
    expect(text).toContain('requireFrom');
    expect(text).toContain('.evaluated.props');
    const checks = await load(text);
    expectSameDecisions(checks.choice, schemas.choice, [{ a: 1 }, { a: 2 }, 'b', 'c']);
    expectSameDecisions(checks.exact, schemas.exact, [
      { items: [1, { b: true }] },
      { items: [1, { b: false }] },
    ]);
    expectSameDecisions(checks.closed, schemas.closed, [
      { a: 'x', b: 1 },
      { a: 'x', c: true },
      { a: 'x', d: 1 },
      { b: 'x' },
    ]);
    expectSameDecisions(checks.keys, schemas.keys, [{ ab: 1 }, { Ab: 1 }]);
    expectSameDecisions(checks.tree, schemas.tree, [
      { b: 1, kids: [{ c: true }] },
      { c: true, d: 1 },
      { b: 1, kids: [{ c: 'x' }] },
    ]);
  });

  it('imports check from a shared run-time module instead of carrying one, and answers the same', async () => {
    const schemas = {
      order: { type: 'object', properties: { id: { type: 'string', minLength: 1 } }, required: ['id'] },
    };
    const own = generateCheckModuleSync(schemas);
    const shared = generateCheckModuleSync(schemas, { runtime: './runtime.mjs' });
    expect(own).not.toMatch(/^import /m);
    expect(own).toContain('function issueOf');
    expect(shared).toContain('import { check } from "./runtime.mjs";');
    expect(shared).not.toContain('function issueOf');
    const [ownChecks, sharedChecks] = await Promise.all([load(own), load(shared)]);
    for (const sample of [{ id: 'a' }, { id: '' }, {}, { id: 1 }, 'x'])
      expect(sharedChecks.order?.(sample)).toEqual(ownChecks.order?.(sample));
    expect(sharedChecks.order?.({ id: '' })).toEqual({
      ok: false,
      issue: { path: 'id', message: 'must not have fewer than 1 characters' },
    });
  });
});
