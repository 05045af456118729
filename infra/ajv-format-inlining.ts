/**
 * The ajv-formats definitions a generated check module uses, as source text of their own: Ajv's
 * standalone code names a format as `inlinedFormats["date-time"]`, and the module defines
 * `inlinedFormats` with those formats only, and the declarations of ajv-formats they reach (a
 * module that checks one `date-time` carries a few hundred bytes, not all of ajv-formats).
 *
 * ajv-formats ships tsc's CommonJS output, one top-level statement per column-0 line and one
 * format per line of its `fullFormats` object; the text is cut along those lines, and the result
 * is evaluated here and compared with ajv-formats' own definitions, so a release laid out
 * differently fails the generator loudly instead of generating a wrong check.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { runInThisContext } from 'node:vm';
import { fullFormats } from 'ajv-formats/dist/formats.js';
import { EventGatewayError } from '../contract/errors';

/** ajv-formats laid out in a way this module cannot cut. */
export class FormatInliningError extends EventGatewayError {
  override readonly name = 'FormatInliningError';
}

/** The identifier Ajv's standalone code reads the formats from (`code.formats`). */
export const FORMATS_IDENTIFIER = 'inlinedFormats';

interface FormatsSource {
  /** Each format's expression in `fullFormats` (`fmtDef(getDateTime(true), compareDateTime)`), by name. */
  readonly expressions: ReadonlyMap<string, string>;
  /** Each top-level declaration's text, by the name it declares, in file order. */
  readonly declarations: ReadonlyMap<string, string>;
}

const DECLARATION = /^(?:function|const|let|var|class) ([A-Za-z_$][\w$]*)/;
const PROPERTY = /^\s+(?:"([^"]+)"|([A-Za-z_$][\w$]*))(?:: (.*))?,$/;
const IDENTIFIERS = /[A-Za-z_$][\w$]*/g;

let cached: FormatsSource | undefined;

function formatsSource(): FormatsSource {
  if (cached) return cached;
  const file = createRequire(import.meta.url).resolve('ajv-formats/dist/formats.js');
  const lines = readFileSync(file, 'utf8').split('\n');
  const start = lines.indexOf('exports.fullFormats = {');
  const end = lines.indexOf('};', start);
  if (start < 0 || end < 0) throw new FormatInliningError(`${file}: no fullFormats object found`);
  const expressions = new Map<string, string>();
  for (const line of lines.slice(start + 1, end)) {
    if (/^\s*\/\//.test(line)) continue;
    const [, quoted, bare, expression] = PROPERTY.exec(line) ?? [];
    const name = quoted ?? bare;
    if (!name) throw new FormatInliningError(`${file}: cannot read the format line ${JSON.stringify(line)}`);
    expressions.set(name, expression ?? name);
  }
  // A statement starts on a column-0 line that does not close a block; it runs to the next one.
  const declarations = new Map<string, string>();
  let current: { name: string | undefined; lines: string[] } | undefined;
  const flush = () => {
    if (current?.name) declarations.set(current.name, current.lines.join('\n'));
  };
  for (const line of lines) {
    if (/^[^\s})\]]/.test(line)) {
      flush();
      current = { name: DECLARATION.exec(line)?.[1], lines: [] };
    }
    current?.lines.push(line);
  }
  flush();
  cached = { expressions, declarations };
  return cached;
}

/** The format names `code` reads, or `all` where it reads the whole table (ajv-formats' limit keywords). */
function usedFormats(code: string): Set<string> | 'all' {
  const used = new Set<string>();
  const access = new RegExp(
    `\\b${FORMATS_IDENTIFIER}\\b(?:\\.([A-Za-z_$][\\w$]*)|\\["((?:[^"\\\\]|\\\\.)*)"\\])?`,
    'g',
  );
  for (const [, dotted, quoted] of code.matchAll(access)) {
    const name = dotted ?? (quoted === undefined ? undefined : (JSON.parse(`"${quoted}"`) as string));
    if (name === undefined) return 'all';
    used.add(name);
  }
  return used;
}

/** The declarations `roots` reach, transitively, in file order. */
function reachedDeclarations(roots: readonly string[], declarations: ReadonlyMap<string, string>): string[] {
  const reached = new Set<string>();
  const visit = (text: string) => {
    for (const [identifier] of text.matchAll(IDENTIFIERS)) {
      const declaration = declarations.get(identifier);
      if (declaration === undefined || reached.has(identifier)) continue;
      reached.add(identifier);
      visit(declaration);
    }
  };
  roots.forEach(visit);
  return [...declarations.entries()].filter(([name]) => reached.has(name)).map(([, text]) => text);
}

/** Whether an inlined definition is the one ajv-formats defines (same regex, same function text). */
function sameDefinition(inlined: unknown, original: unknown): boolean {
  if (original instanceof RegExp)
    return (
      inlined instanceof RegExp && inlined.source === original.source && inlined.flags === original.flags
    );
  if (typeof original === 'function')
    return typeof inlined === 'function' && inlined.toString() === original.toString();
  if (typeof original === 'object' && original !== null) {
    if (typeof inlined !== 'object' || inlined === null) return false;
    const keys = Object.keys(original);
    return (
      keys.join() === Object.keys(inlined).join() &&
      keys.every((key) =>
        sameDefinition((inlined as Record<string, unknown>)[key], (original as Record<string, unknown>)[key]),
      )
    );
  }
  return inlined === original;
}

/**
 * The statements defining `inlinedFormats` with the formats `code` (Ajv standalone code) reads, or
 * an empty string when it reads none.
 */
export function inlinedFormatsCode(code: string): string {
  const used = usedFormats(code);
  const { expressions, declarations } = formatsSource();
  const names = used === 'all' ? [...expressions.keys()] : [...used].sort();
  if (names.length === 0) return '';
  const unknown = names.filter((name) => !expressions.has(name));
  if (unknown.length > 0)
    throw new FormatInliningError(`ajv-formats defines no format ${unknown.join(', ')}`);
  const properties = names.map((name) => `${JSON.stringify(name)}: ${expressions.get(name) ?? ''}`);
  const text = [
    ...reachedDeclarations(properties, declarations),
    `const ${FORMATS_IDENTIFIER} = {\n  ${properties.join(',\n  ')},\n};`,
  ].join('\n');
  // Run in this realm (its RegExp is ajv-formats'), inside a function scope of its own.
  const evaluated = runInThisContext(`(() => {\n${text}\nreturn ${FORMATS_IDENTIFIER};\n})()`) as Record<
    string,
    unknown
  >;
  const differing = names.filter(
    (name) => !sameDefinition(evaluated[name], (fullFormats as Record<string, unknown>)[name]),
  );
  if (differing.length > 0)
    throw new FormatInliningError(`the inlined formats ${differing.join(', ')} differ from ajv-formats' own`);
  return text;
}
