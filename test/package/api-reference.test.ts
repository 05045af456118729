/** docs/api-reference.md lists exactly what the three entry points export (types included). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const ENTRIES = {
  'temporal-event-gateway': 'infra/index.ts',
  'temporal-event-gateway/worker': 'worker/index.ts',
  'temporal-event-gateway/workflow': 'worker/workflow.ts',
} as const;

function exportsOf(): Record<string, string[]> {
  const files = Object.values(ENTRIES).map((file) => join(repoRoot, file));
  const program = ts.createProgram(files, {
    module: ts.ModuleKind.Preserve,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    target: ts.ScriptTarget.ES2023,
    skipLibCheck: true,
    noEmit: true,
  });
  const checker = program.getTypeChecker();
  return Object.fromEntries(
    Object.entries(ENTRIES).map(([entry, file]) => {
      const source = program.getSourceFile(join(repoRoot, file));
      const module = source && checker.getSymbolAtLocation(source);
      if (!module) throw new Error(`cannot read ${file}`);
      return [
        entry,
        checker
          .getExportsOfModule(module)
          .map((symbol) => symbol.name)
          .sort(),
      ];
    }),
  );
}

/** The backticked names in the first column of each entry point's table. */
function documented(): Record<string, string[]> {
  const text = readFileSync(join(repoRoot, 'docs', 'api-reference.md'), 'utf8');
  const sections = text.split(/^## /m).slice(1);
  return Object.fromEntries(
    sections.map((section) => {
      const entry = /^`([^`]+)`/.exec(section)?.[1] ?? '';
      const names = [...section.matchAll(/^\| ([^|]+) \|/gm)]
        .flatMap((row) => [...(row[1] ?? '').matchAll(/`([A-Za-z_$][\w$]*)`/g)].map((m) => m[1] ?? ''))
        .sort();
      return [entry, names];
    }),
  );
}

describe('docs/api-reference.md', () => {
  it('documents every export of each entry point, and nothing that is not exported', () => {
    const actual = exportsOf();
    const docs = documented();
    for (const entry of Object.keys(ENTRIES)) {
      const exported = actual[entry] ?? [];
      const listed = docs[entry] ?? [];
      expect({ entry, undocumented: exported.filter((name) => !listed.includes(name)) }).toEqual({
        entry,
        undocumented: [],
      });
      expect({ entry, notExported: listed.filter((name) => !exported.includes(name)) }).toEqual({
        entry,
        notExported: [],
      });
    }
  });
});
