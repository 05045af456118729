/**
 * The modules a built entry point loads, followed through its relative imports, and the packages
 * they import: what an installed package really needs from `dependencies`.
 */
import { readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, resolve } from 'node:path';
import ts from 'typescript';

/** `@scope/name/sub` → `@scope/name`, `name/sub` → `name`; undefined for relative and built-ins. */
export function packageOf(specifier: string): string | undefined {
  if (specifier.startsWith('.') || specifier.startsWith('/')) return undefined;
  if (specifier.startsWith('node:') || builtinModules.includes(specifier.split('/')[0] ?? ''))
    return undefined;
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

export interface ImportGraph {
  /** Every file reached, absolute paths. */
  readonly files: ReadonlySet<string>;
  /** Package name → the reached files that import it. */
  readonly packages: ReadonlyMap<string, readonly string[]>;
}

/**
 * Walks static, dynamic and type imports (`import('x')` in declarations too) from the entry files:
 * from `.js` entries the modules Node loads, from `.d.ts` entries the declarations a consumer's
 * type checker reads.
 * Comments are not code: a TSDoc `@example` importing a package does not count.
 */
export function importGraph(entries: readonly string[]): ImportGraph {
  const files = new Set<string>();
  const packages = new Map<string, string[]>();
  const pending = [...entries];
  for (let file = pending.pop(); file !== undefined; file = pending.pop()) {
    if (files.has(file)) continue;
    files.add(file);
    const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    for (const { fileName: specifier } of importedFiles) {
      if (specifier.startsWith('.')) {
        const target = resolve(dirname(file), specifier);
        // A declaration's `./x.js` is the module whose types are in `./x.d.ts`.
        pending.push(file.endsWith('.d.ts') ? target.replace(/\.js$/, '.d.ts') : target);
        continue;
      }
      const name = packageOf(specifier);
      if (name !== undefined) packages.set(name, [...(packages.get(name) ?? []), file]);
    }
  }
  return { files, packages };
}
