/**
 * JSON Schemas compiled into one self-contained JavaScript module of plain validator functions
 * (functions/core/check.ts's `Check`): the functions run them instead of building zod (or Ajv)
 * validators at init. Used at build (the fixed schemas' `checks.generated.js`) and at synth (the
 * routing's argument schemas), so it must run in a team's `cdk synth`: Ajv's standalone mode writes
 * the code, compacted (./ajv-standalone-compaction.ts) and at module level (each export a pure
 * call, so a bundle drops the checks a function never imports); the formats it uses are defined in
 * the module (./ajv-format-inlining.ts), and the few runtime helpers it `require`s (deep equality)
 * are copied into it (./ajv-helper-inlining.ts) — no esbuild needed. The run-time part shared by
 * every module (./check-runtime-source.ts) is inlined, or imported from one shared module where
 * several modules are bundled together.
 */
import Ajv2020, { Name, type Options } from 'ajv/dist/2020.js';
import standaloneCode from 'ajv/dist/standalone/index.js';
import addFormats from 'ajv-formats';
import * as z from 'zod';
import { EventGatewayError } from '../contract/errors';
import { FORMATS_IDENTIFIER, inlinedFormatsCode } from './ajv-format-inlining';
import { helperModules, INLINED_REQUIRE } from './ajv-helper-inlining';
import { compactStandaloneCode } from './ajv-standalone-compaction';
import { GENERATED_HEADER, INLINE_CHECK_RUNTIME } from './check-runtime-source';

/** A schema Ajv could not compile. */
export class ValidatorCodegenError extends EventGatewayError {
  override readonly name = 'ValidatorCodegenError';
}

/**
 * Messages a schema node carries for its own failures, by JSON Schema keyword (`minLength`, …) or
 * `*` for any keyword of that node: zod's custom messages (`.min(1, 'must not be empty')`), which
 * {@link zodMessagesOverride} copies into the JSON Schema so the generated checks report them too.
 */
export const MESSAGES_KEYWORD = 'x-messages';

const AJV_OPTIONS: Options = {
  // The formats a module uses are defined in it (./ajv-format-inlining.ts), under this name.
  code: { source: true, formats: new Name(FORMATS_IDENTIFIER) },
  // zod fills `.default()`s in; so do the checks (on a copy: the caller's value is left alone).
  useDefaults: true,
  allErrors: false,
  // String lengths as zod counts them (UTF-16 code units), and no ucs2length helper to ship.
  unicode: false,
  // Annotations zod writes (`id`, `title`…) and JSON Schema users write are not errors here.
  strict: false,
  logger: false,
};

/** JSON pointer → message, for every node of `schema` that carries {@link MESSAGES_KEYWORD}. */
function collectMessages(schema: unknown, pointer: string, into: Record<string, string>) {
  if (typeof schema !== 'object' || schema === null) return;
  if (Array.isArray(schema)) {
    schema.forEach((item, index) => collectMessages(item, `${pointer}/${index}`, into));
    return;
  }
  for (const [key, value] of Object.entries(schema)) {
    if (key === MESSAGES_KEYWORD && typeof value === 'object' && value !== null) {
      for (const [keyword, message] of Object.entries(value as Record<string, unknown>))
        if (typeof message === 'string') into[`${pointer}/${keyword}`] = message;
    } else if (key !== 'default' && key !== 'const' && key !== 'enum' && key !== 'examples') {
      collectMessages(value, `${pointer}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`, into);
    }
  }
}

/** The schema without {@link MESSAGES_KEYWORD} (read here, not by Ajv: it would embed the schema). */
function withoutMessages(schema: unknown): unknown {
  if (typeof schema !== 'object' || schema === null) return schema;
  if (Array.isArray(schema)) return schema.map(withoutMessages);
  return Object.fromEntries(
    Object.entries(schema)
      .filter(([key]) => key !== MESSAGES_KEYWORD)
      .map(([key, value]) => [
        key,
        key === 'default' || key === 'const' || key === 'enum' ? value : withoutMessages(value),
      ]),
  );
}

/** Whether a schema fills in defaults (then the check works on a copy of the value). */
const hasDefaults = (schema: unknown): boolean =>
  typeof schema === 'object' &&
  schema !== null &&
  (Object.hasOwn(schema, 'default') ||
    Object.entries(schema).some(([key, value]) => key !== 'const' && key !== 'enum' && hasDefaults(value)));

/** A name usable as an ES module export (`export { x as "name" }` takes any string, but keep to identifiers). */
const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
const declares = (code: string, name: string) =>
  new RegExp(`(?:function|const|let|var|import \\{) ${name.replaceAll('$', '\\$')}(?![\\w$])`).test(code);

/** How a generated module gets its run-time part. */
export interface CheckModuleOptions {
  /**
   * The specifier of a shared run-time module (what `checkRuntimeModule()` writes) to import `check`
   * from, for modules bundled together.
   * @default undefined — the module carries the run-time part itself and imports nothing
   */
  readonly runtime?: string;
}

/**
 * An ESM module exporting a `Check` per schema name (names are JavaScript identifiers, or any string,
 * exported as `export { … as "name" }`): self-contained, or importing a shared run-time module
 * (`options.runtime`). Deterministic: the same schemas give the same text.
 *
 * @example
 * const code = await generateCheckModule({ orderPlaced: z.toJSONSchema(OrderSchema, { io: 'input' }) });
 */
export function generateCheckModule(
  schemas: Record<string, object>,
  options: CheckModuleOptions = {},
): Promise<string> {
  return Promise.resolve(generateCheckModuleSync(schemas, options));
}

const EXPORT_STATEMENT = /exports\.(v\d+) = (validate\d+);/g;
const USE_STRICT = '"use strict";';
/**
 * Ajv's calls of its run-time helpers: `require` and its parenthesis right before a quote (in a
 * string literal that quote would be escaped). Built from a string, not written as a regular
 * expression literal: import scanners (TypeScript's `preProcessFile`, which the package test uses
 * on the built module) read a quote inside one as the start of a specifier.
 */
const HELPER_REQUIRE = new RegExp(String.raw`\brequire\((?=")`, 'g');

/**
 * Ajv's CommonJS module as module-level statements (no wrapper), so a bundler drops the validators
 * of checks a function never imports; the validator each export names (`v0` → `validate20`).
 */
function moduleLevel(code: string): { statements: string; validators: Map<string, string> } {
  const validators = new Map([...code.matchAll(EXPORT_STATEMENT)].map(([, id = '', fn = '']) => [id, fn]));
  const statements = (code.startsWith(USE_STRICT) ? code.slice(USE_STRICT.length) : code)
    .replace(EXPORT_STATEMENT, '')
    .replace(HELPER_REQUIRE, `${INLINED_REQUIRE}(`)
    .replace(/(?<=[;{}]|^)const (pattern\d+) = new RegExp\(/g, 'const $1 = /* @__PURE__ */ new RegExp(');
  return { statements, validators };
}

/** {@link generateCheckModule}, synchronously: what a construct (built synchronously) calls at synth. */
export function generateCheckModuleSync(
  schemas: Record<string, object>,
  options: CheckModuleOptions = {},
): string {
  const names = Object.keys(schemas).sort();
  const ajv = new Ajv2020(AJV_OPTIONS);
  addFormats(ajv);
  const ids: Record<string, string> = {};
  names.forEach((name, index) => {
    const { $schema: _dialect, ...schema } = withoutMessages(schemas[name]) as Record<string, unknown>;
    const id = `check${index}`;
    try {
      ajv.addSchema(schema, id);
      ajv.getSchema(id);
    } catch (error) {
      throw new ValidatorCodegenError(`${name}: not a usable JSON Schema (${(error as Error).message})`, {
        cause: error,
      });
    }
    ids[`v${index}`] = id;
  });
  const code = compactStandaloneCode(standaloneCode(ajv, ids));
  const formats = inlinedFormatsCode(code);
  const { statements, validators } = moduleLevel(code);
  const body = [
    ...GENERATED_HEADER,
    ...(options.runtime === undefined ? [] : [`import { check } from ${JSON.stringify(options.runtime)};`]),
    ...(formats === '' ? [] : [formats]),
    ...helperModules(code),
    statements,
    ...(options.runtime === undefined ? [INLINE_CHECK_RUNTIME] : []),
  ];
  const exports = names.map((name, index) => {
    const messages: Record<string, string> = {};
    collectMessages(schemas[name], '#', messages);
    const validator = validators.get(`v${index}`);
    if (!validator) throw new ValidatorCodegenError(`${name}: Ajv exported no validator`);
    const value = `/* @__PURE__ */ check(${validator}, ${JSON.stringify(messages)}, ${hasDefaults(schemas[name])})`;
    // A name the module declares already (`date`, `check`) is exported under one of the generator's own.
    return IDENTIFIER.test(name) && !/^check\d+$/.test(name) && !declares(body.join('\n'), name)
      ? `export const ${name} = ${value};`
      : `const check${index} = ${value};\nexport { check${index} as ${JSON.stringify(name)} };`;
  });
  return [...body, ...exports, ''].join('\n');
}

type ZodInternals = {
  _zod?: {
    def?: { check?: string; format?: string; error?: (issue: object) => unknown; checks?: unknown[] };
  };
};

/** The JSON Schema keyword a zod check (`min_length`, a regex `string_format`, …) is written as. */
const CHECK_KEYWORDS: Record<string, string> = {
  min_length: 'minLength',
  max_length: 'maxLength',
  length_equals: 'minLength',
  regex: 'pattern',
  greater_than: 'minimum',
  less_than: 'maximum',
  multiple_of: 'multipleOf',
  min_size: 'minItems',
  max_size: 'maxItems',
};

function customMessage(def: NonNullable<ZodInternals['_zod']>['def']): string | undefined {
  try {
    const message = def?.error?.({});
    return typeof message === 'string' ? message : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The JSON Schema of a zod schema as the generated checks take it (`z.toJSONSchema`, `io: 'input'`),
 * with zod's custom messages kept under {@link MESSAGES_KEYWORD}: a check then reports
 * "must not be empty" where zod did, and the generator's wording where zod used its own.
 */
export function checkSchemaOf(schema: z.ZodType): object {
  return z.toJSONSchema(schema, {
    io: 'input',
    unrepresentable: 'any',
    override: ({ zodSchema, jsonSchema }) => {
      const def = (zodSchema as ZodInternals)._zod?.def;
      const messages: Record<string, string> = {};
      const own = customMessage(def);
      if (own !== undefined) messages['*'] = own;
      for (const check of def?.checks ?? []) {
        const checkDef = (check as ZodInternals)._zod?.def;
        const kind = checkDef?.check === 'string_format' ? checkDef.format : checkDef?.check;
        const keyword = kind === undefined ? undefined : CHECK_KEYWORDS[kind];
        const message = customMessage(checkDef);
        if (keyword && message !== undefined) messages[keyword] = message;
      }
      if (Object.keys(messages).length > 0)
        (jsonSchema as Record<string, unknown>)[MESSAGES_KEYWORD] = messages;
    },
  });
}
