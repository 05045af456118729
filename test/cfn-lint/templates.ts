/**
 * The CloudFormation templates of every deployment variant of this repository's app, synthesized
 * as `cdk synth` does (no account, credentials, Docker engine or bundling: the worker image is an
 * asset staged at synth and built at deploy time) and copied out of each assembly into one
 * directory, one subdirectory per variant, so a linter reads them after synthesis is over.
 */
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { synthesize } from '../infra/support/synth';
import { DEPLOYMENT_VARIANTS } from '../infra/support/variants';

export interface VariantTemplate {
  variant: string;
  stack: string;
  /** The copy under the output directory: `<variant slug>/<stack>.template.json`. */
  path: string;
}

const slug = (name: string): string =>
  name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');

export function synthesizeVariantTemplates(outDir: string): VariantTemplate[] {
  return Object.entries(DEPLOYMENT_VARIANTS).flatMap(([variant, context]) => {
    const dir = join(outDir, slug(variant));
    mkdirSync(dir, { recursive: true });
    return synthesize(context).assembly.stacks.map((stack) => {
      const path = join(dir, `${stack.stackName}.template.json`);
      copyFileSync(stack.templateFullPath, path);
      return { variant, stack: stack.stackName, path };
    });
  });
}
