/**
 * The app as `cdk synth` writes it (the CLI, local esbuild bundling, no Docker), and its Lambda
 * functions as a deploy would create them: each one's code directory read from the asset manifest
 * and its environment from the template, with CloudFormation references resolved to local values.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const PROJECT_ROOT = new URL('../../..', import.meta.url).pathname;

interface Resource {
  Type: string;
  Properties?: Record<string, unknown>;
}
interface Template {
  Resources: Record<string, Resource>;
}

export interface SynthesizedFunction {
  stack: string;
  logicalId: string;
  handler: string;
  runtime: string;
  /** The unzipped asset directory cdk.out holds for the function's code. */
  codeDir: string;
  /** Environment.Variables exactly as synthesized: strings or CloudFormation intrinsics. */
  environment: Record<string, unknown>;
  timeoutSeconds: number;
  memoryMiB: number;
}

/** Runs `cdk synth` into `outDir` with the given context. */
export async function cdkSynth(outDir: string, context: Record<string, string>): Promise<void> {
  // --no-install: the project's own CDK CLI (a devDependency), never one npx would fetch.
  const args = ['--no-install', 'cdk', 'synth', '--quiet', '--output', outDir];
  for (const [key, value] of Object.entries(context)) args.push('--context', `${key}=${value}`);
  await run('npx', args, {
    cwd: PROJECT_ROOT,
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, CI: 'true' },
  });
}

/** Every Lambda function of every stack in the cloud assembly. */
export function synthesizedFunctions(outDir: string): SynthesizedFunction[] {
  const manifest = JSON.parse(readFileSync(join(outDir, 'manifest.json'), 'utf8')) as {
    artifacts: Record<string, { type: string; properties?: { templateFile?: string } }>;
  };
  const assetDirs = new Map<string, string>();
  for (const artifact of Object.values(manifest.artifacts)) {
    if (artifact.type !== 'cdk:asset-manifest') continue;
    const file = (artifact.properties as { file?: string } | undefined)?.file;
    if (!file) continue;
    const assets = JSON.parse(readFileSync(join(outDir, file), 'utf8')) as {
      files?: Record<
        string,
        { source: { path: string }; destinations: Record<string, { objectKey: string }> }
      >;
    };
    for (const asset of Object.values(assets.files ?? {})) {
      for (const destination of Object.values(asset.destinations)) {
        assetDirs.set(destination.objectKey, join(outDir, asset.source.path));
      }
    }
  }
  const functions: SynthesizedFunction[] = [];
  for (const [stack, artifact] of Object.entries(manifest.artifacts)) {
    const templateFile = artifact.properties?.templateFile;
    if (artifact.type !== 'aws:cloudformation:stack' || !templateFile) continue;
    const template = JSON.parse(readFileSync(join(outDir, templateFile), 'utf8')) as Template;
    for (const [logicalId, resource] of Object.entries(template.Resources)) {
      if (resource.Type !== 'AWS::Lambda::Function') continue;
      const props = resource.Properties ?? {};
      const key = (props.Code as { S3Key?: string } | undefined)?.S3Key;
      const codeDir = key ? assetDirs.get(key) : undefined;
      if (!codeDir) throw new Error(`${stack}/${logicalId}: no asset for its code (${String(key)})`);
      functions.push({
        stack,
        logicalId,
        handler: String(props.Handler),
        runtime: String(props.Runtime),
        codeDir,
        environment:
          (props.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {},
        timeoutSeconds: Number(props.Timeout ?? 3),
        memoryMiB: Number(props.MemorySize ?? 128),
      });
    }
  }
  return functions;
}

/** The template of one stack, for resolving references by the resource they name. */
export function stackResources(outDir: string, stack: string): Record<string, Resource> {
  return (JSON.parse(readFileSync(join(outDir, `${stack}.template.json`), 'utf8')) as Template).Resources;
}

/**
 * A function's environment with every intrinsic resolved by `resolve(logicalId, attribute)`
 * (`Ref` → attribute undefined). An intrinsic it cannot resolve is an error, never passed through.
 */
export function resolveEnvironment(
  environment: Record<string, unknown>,
  resolve: (logicalId: string, attribute?: string) => string | undefined,
): Record<string, string> {
  const value = (node: unknown, name: string): string => {
    if (typeof node === 'string') return node;
    if (typeof node === 'number' || typeof node === 'boolean') return String(node);
    const intrinsic = node as Record<string, unknown>;
    if (typeof intrinsic.Ref === 'string') {
      const resolved = resolve(intrinsic.Ref);
      if (resolved !== undefined) return resolved;
    }
    const getAtt = intrinsic['Fn::GetAtt'] as [string, string] | undefined;
    if (getAtt) {
      const resolved = resolve(getAtt[0], getAtt[1]);
      if (resolved !== undefined) return resolved;
    }
    const join = intrinsic['Fn::Join'] as [string, unknown[]] | undefined;
    if (join) return join[1].map((part) => value(part, name)).join(join[0]);
    throw new Error(`environment variable ${name}: cannot resolve ${JSON.stringify(node)} locally`);
  };
  return Object.fromEntries(Object.entries(environment).map(([name, node]) => [name, value(node, name)]));
}
