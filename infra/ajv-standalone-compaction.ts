/**
 * Ajv's standalone code, smaller and the same checks:
 * - without each root schema as a constant (`const schema31 = {…}`), which only `$data`, `enum` and
 *   verbose errors read, and without the bookkeeping of evaluated properties (`validate20.evaluated`),
 *   which only `unevaluatedProperties`/`unevaluatedItems` read across a `$ref` to another validator;
 * - each error object (`{instancePath:…,schemaPath:…,keyword:…,params:…,message:…}`, written out at
 *   every place a check can fail) made by one function, `ajvError(…)`, with the same values in order.
 * Each change is checked (the name is read nowhere else; the text is JSON as Ajv writes it; the object
 * has exactly those properties), so code that does not fit is left as Ajv wrote it.
 */

/**
 * The index just past the value that starts at `from`: a string, a bracketed group (brackets inside
 * strings skipped), or a scalar, which ends at `;`; -1 if it does not end.
 */
function valueEnd(text: string, from: number): number {
  let depth = 0;
  for (let at = from; at < text.length; at++) {
    const char = text.charAt(at);
    if (char === '"') {
      for (at++; text[at] !== '"'; at += text[at] === '\\' ? 2 : 1) if (at >= text.length) return -1;
      if (depth === 0) return at + 1;
    } else if ('{[('.includes(char)) depth++;
    else if ('}])'.includes(char)) {
      if (--depth === 0) return at + 1;
    } else if (depth === 0 && char === ';') return at;
  }
  return -1;
}

/**
 * `code` without the statements `<start><JSON>;` (`start` a regex whose first group is the declared
 * name) that `keep(name, rest)` does not keep — `rest` being the code without that statement.
 */
function withoutJsonStatements(code: string, start: RegExp, keep: (name: string, rest: string) => boolean) {
  let pruned = code;
  for (const match of [...code.matchAll(start)].reverse()) {
    const [head, name] = match;
    const from = match.index + head.length;
    const end = valueEnd(code, from);
    if (end < 0 || code[end] !== ';' || name === undefined) continue;
    try {
      JSON.parse(code.slice(from, end));
    } catch {
      continue;
    }
    const rest = pruned.slice(0, match.index) + pruned.slice(end + 1);
    if (!keep(name, rest)) pruned = rest;
  }
  return pruned;
}

const SCHEMA_CONSTANT = /(?<=^|[;{}\n])const (schema\d+) = /g;
const EVALUATED_RESET =
  /const (evaluated\d+) = validate\d+\.evaluated;if\(\1\.dynamicProps\)\{\1\.props = undefined;\}if\(\1\.dynamicItems\)\{\1\.items = undefined;\}/g;
const EVALUATED_RECORD = /(?<=^|[;{}\n])(validate\d+)\.evaluated = /g;

/** Ajv's standalone `code` (its raw, unformatted text) without what no check reads. */
function prunedStandaloneCode(code: string): string {
  const withoutSchemas = withoutJsonStatements(code, SCHEMA_CONSTANT, (name, rest) =>
    new RegExp(`\\b${name}\\b`).test(rest),
  );
  const withoutResets = withoutSchemas.replace(EVALUATED_RESET, '');
  // A validator that tracks evaluated properties at run time reads or writes them elsewhere: keep all.
  if (/\bevaluated\d+\b|\.evaluated\.(?:props|items|dynamic)/.test(withoutResets)) return withoutSchemas;
  return withoutJsonStatements(withoutResets, EVALUATED_RECORD, () => false);
}

/** The top-level comma-separated parts of `text` (an object literal's body), skipping strings and brackets. */
function topLevelParts(text: string): string[] {
  const parts: string[] = [];
  let start = 0;
  for (let at = 0; at < text.length; at++) {
    const char = text[at];
    if (char === '"' || char === '{' || char === '[' || char === '(') {
      const end = valueEnd(text, at);
      if (end < 0) return [];
      at = end - 1;
    } else if (char === ',') {
      parts.push(text.slice(start, at));
      start = at + 1;
    }
  }
  return [...parts, text.slice(start)];
}

/** The function every error object is made by, where {@link withErrorShorthand} put it. */
export const ERROR_FUNCTION = 'ajvError';
const ERROR_KEYS = ['instancePath', 'schemaPath', 'keyword', 'params', 'message'] as const;
const ERROR_FUNCTION_CODE = `const ${ERROR_FUNCTION} = (${ERROR_KEYS.join(', ')}) => ({ ${ERROR_KEYS.join(', ')} });`;

/** `code` with each error object literal made by {@link ERROR_FUNCTION} (defined first), if any was. */
function withErrorShorthand(code: string): string {
  let compact = '';
  let copied = 0;
  for (const match of code.matchAll(/\{instancePath[,:]/g)) {
    if (match.index < copied) continue;
    const end = valueEnd(code, match.index) - 1;
    if (end < 0) continue;
    const values = topLevelParts(code.slice(match.index + 1, end)).map((part, index) => {
      const key = ERROR_KEYS[index];
      if (part === key) return key;
      return key !== undefined && part.startsWith(`${key}:`) ? part.slice(key.length + 1) : undefined;
    });
    if (values.length !== ERROR_KEYS.length || values.some((value) => value === undefined)) continue;
    compact += `${code.slice(copied, match.index)}${ERROR_FUNCTION}(${values.join(',')})`;
    copied = end + 1;
  }
  if (copied === 0) return code;
  // After the directive prologue, which only counts as one at the start of the code.
  const [prologue = ''] = /^"use strict";/.exec(compact) ?? [];
  return `${prologue}${ERROR_FUNCTION_CODE}${compact.slice(prologue.length)}${code.slice(copied)}`;
}

/** Ajv's standalone `code` (its raw, unformatted text), compacted as this module says. */
export function compactStandaloneCode(code: string): string {
  return withErrorShorthand(prunedStandaloneCode(code));
}
