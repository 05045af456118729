/**
 * The README and the docs as npm shows them: every relative link in a shipped Markdown file points to
 * a file the package ships (so it resolves on npmjs.com and in node_modules alike), and package.json
 * says where the repository, homepage and issue tracker are.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

/** What `npm pack` would put in the tarball (without building: the docs do not depend on it). */
function packedFiles(): Set<string> {
  const json = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
    cwd: repoRoot,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const [report] = JSON.parse(json) as Array<{ files: Array<{ path: string }> }>;
  return new Set(report?.files.map((file) => file.path));
}

/** Relative link targets of a Markdown file (no scheme, no pure anchor), without their anchor. */
function relativeLinks(markdown: string): string[] {
  const links = [...markdown.matchAll(/\]\(([^)\s]+)\)/g)].map((match) => match[1] ?? '');
  return links
    .filter((link) => !/^[a-z][a-z0-9+.-]*:/i.test(link) && !link.startsWith('#'))
    .map((link) => link.split('#')[0] ?? '');
}

describe('the docs an installed package links to', () => {
  const files = packedFiles();

  it('ships the README and every doc it links to, and their relative links resolve inside the package', () => {
    const markdown = [...files].filter((file) => file.endsWith('.md'));
    expect(markdown).toEqual(expect.arrayContaining(['README.md', 'docs/webhooks.md', 'docs/cli.md']));
    const broken: string[] = [];
    for (const file of markdown) {
      for (const link of relativeLinks(readFileSync(join(repoRoot, file), 'utf8'))) {
        const target = normalize(join(dirname(file), link));
        if (!files.has(target)) broken.push(`${file} → ${link}`);
      }
    }
    expect(broken).toEqual([]);
  });

  it('names the repository, homepage and issue tracker', () => {
    const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {
      repository?: { url?: string };
      homepage?: string;
      bugs?: { url?: string };
    };
    expect(pkg.repository?.url).toMatch(/^git\+https:\/\/github\.com\/[\w.-]+\/[\w.-]+\.git$/);
    expect(pkg.homepage).toMatch(/^https:\/\/github\.com\//);
    expect(pkg.bugs?.url).toMatch(/^https:\/\/github\.com\/.+\/issues$/);
  });
});
