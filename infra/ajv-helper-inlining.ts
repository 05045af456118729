/**
 * The CommonJS helpers Ajv's standalone code `require`s (deep equality, …), copied into a generated
 * module as a table of factories with a small loader, so the module imports nothing at run time.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { EventGatewayError } from '../contract/errors';

/** A helper this module cannot copy. */
export class HelperInliningError extends EventGatewayError {
  override readonly name = 'HelperInliningError';
}

/** What the generated code calls in place of `require`. */
export const INLINED_REQUIRE = 'requireInlined';

/** The path inside the node_modules folder that holds `file` (stable across machines). */
function packagePath(file: string): string {
  const at = file.lastIndexOf('node_modules/');
  if (at < 0) throw new HelperInliningError(`${file} is not inside node_modules`);
  return file.slice(at + 'node_modules/'.length);
}

const REQUIRE_CALL = /require\("([^"]+)"\)/g;

/**
 * The CommonJS modules the standalone code requires, and theirs, as a table of factories keyed by
 * their path in node_modules; each factory's `require` names resolve through `links`.
 */
function inlineModules(code: string): { table: string; links: Record<string, string> } {
  const factories = new Map<string, string>();
  const links: Record<string, string> = {};
  const visit = (source: string, resolveFrom: string, scope: Record<string, string>) => {
    for (const [, specifier] of source.matchAll(REQUIRE_CALL)) {
      if (!specifier || scope[specifier]) continue;
      const file = createRequire(resolveFrom).resolve(specifier);
      const key = packagePath(file);
      scope[specifier] = key;
      if (factories.has(key)) continue;
      const text = readFileSync(file, 'utf8').replace(/\/\/# sourceMappingURL=.*$/m, '');
      const own: Record<string, string> = {};
      factories.set(key, '');
      visit(text, file, own);
      factories.set(
        key,
        `${JSON.stringify(key)}: [${JSON.stringify(own)}, function (module, exports, require) {\n${text}\n}]`,
      );
    }
  };
  // From this module: ajv and ajv-formats are this package's dependencies, wherever npm put them.
  visit(code, fileURLToPath(import.meta.url), links);
  const table = [...factories.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([, factory]) => factory)
    .join(',\n');
  return { table, links };
}

/** The module table and loader of the CommonJS helpers Ajv's code requires (deep equality, …), if any. */
export function helperModules(code: string): string[] {
  const { table, links } = inlineModules(code);
  if (table === '') return [];
  return [
    `const modules = {\n${table}\n};`,
    'const loaded = {};',
    'function requireFrom(links) {',
    '  return (specifier) => {',
    '    const key = links[specifier];',
    '    if (key === undefined) throw new Error("not inlined: " + specifier);',
    '    if (!loaded[key]) {',
    '      const [own, factory] = modules[key];',
    '      const module = { exports: {} };',
    '      loaded[key] = module;',
    '      factory(module, module.exports, requireFrom(own));',
    '    }',
    '    return loaded[key].exports;',
    '  };',
    '}',
    `const ${INLINED_REQUIRE} = requireFrom(${JSON.stringify(links)});`,
  ];
}
