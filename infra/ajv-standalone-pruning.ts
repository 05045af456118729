/**
 * What Ajv's standalone code declares but a generated check never runs, taken out of it:
 * - each root schema as a constant (`const schema31 = {…}`), which only `$data` and verbose errors read;
 * - the bookkeeping of evaluated properties (`validate20.evaluated`), which only
 *   `unevaluatedProperties`/`unevaluatedItems` read across a `$ref` to another validator.
 * Each removal is checked (the name is read nowhere else; the text is JSON as Ajv writes it), so
 * code that does use them is left as Ajv wrote it.
 */

/** The index just past the JSON value that starts at `from` (an object, array, string or scalar). */
function jsonValueEnd(text: string, from: number): number {
  let depth = 0;
  for (let at = from; at < text.length; at++) {
    const char = text[at];
    if (char === '"') {
      for (at++; text[at] !== '"'; at += text[at] === '\\' ? 2 : 1) if (at >= text.length) return -1;
      if (depth === 0) return at + 1;
    } else if (char === '{' || char === '[') depth++;
    else if (char === '}' || char === ']') {
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
    const end = jsonValueEnd(code, from);
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
export function prunedStandaloneCode(code: string): string {
  const withoutSchemas = withoutJsonStatements(code, SCHEMA_CONSTANT, (name, rest) =>
    new RegExp(`\\b${name}\\b`).test(rest),
  );
  const withoutResets = withoutSchemas.replace(EVALUATED_RESET, '');
  // A validator that tracks evaluated properties at run time reads or writes them elsewhere: keep all.
  if (/\bevaluated\d+\b|\.evaluated\.(?:props|items|dynamic)/.test(withoutResets)) return withoutSchemas;
  return withoutJsonStatements(withoutResets, EVALUATED_RECORD, () => false);
}
