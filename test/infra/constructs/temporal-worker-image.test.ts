/**
 * TemporalWorkerImage.fromEntry: this repository's staged-demo worker entry synthesized into a
 * worker service; the staged asset directory is a complete Docker build context (checked file by
 * file, no Docker engine), and a project without esbuild or an npm lock file gets a clear error.
 * That the bundle runs on a real Temporal server is shown by test/package/example-app.test.ts.
 */
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  TemporalConnection,
  TemporalWorkerImage,
  TemporalWorkerImageError,
  TemporalWorkerService,
} from '../../../infra/index';

const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'teg-worker-image-'));

afterAll(() => rmSync(work, { recursive: true, force: true }));

interface AssetsManifest {
  dockerImages: Record<string, { source: { directory: string; platform?: string; dockerFile?: string } }>;
}

describe('TemporalWorkerImage.fromEntry', () => {
  let imageDir: string;
  let platform: string | undefined;
  let template: Template;

  beforeAll(() => {
    const app = new App({ outdir: join(work, 'cdk.out') });
    const stack = new Stack(app, 'Orders');
    const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 1 });
    const temporal = new TemporalConnection(stack, 'Temporal', {
      address: 'orders.a1b2c.tmprl.cloud:7233',
      taskQueue: 'orders',
      auth: 'api-key',
    });
    new TemporalWorkerService(stack, 'Worker', {
      vpc,
      temporal,
      image: TemporalWorkerImage.fromEntry({
        entry: join(repoRoot, 'worker', 'main.ts'),
        workflowsPath: join(repoRoot, 'worker', 'workflows', 'index.ts'),
      }),
    });
    template = Template.fromStack(stack);
    const assembly = app.synth();
    const manifest = JSON.parse(
      readFileSync(join(assembly.directory, 'Orders.assets.json'), 'utf8'),
    ) as AssetsManifest;
    const images = Object.values(manifest.dockerImages);
    expect(images).toHaveLength(1);
    imageDir = join(assembly.directory, images[0]!.source.directory);
    platform = images[0]!.source.platform;
  }, 300_000);

  it('stages a build context: Dockerfile, bundle, workflow bundle, trimmed package.json and lock file', () => {
    expect(readdirSync(imageDir).sort()).toEqual([
      'Dockerfile',
      'main.js',
      'main.js.map',
      'package-lock.json',
      'package.json',
      'workflow-bundle.js',
    ]);
    // The image is built for the service's ARM64 tasks, from the asset in the template.
    expect(platform).toBe('linux/arm64');
    const [definition] = Object.values(template.findResources('AWS::ECS::TaskDefinition')).map(
      (resource) =>
        (resource as { Properties: { ContainerDefinitions: Array<{ Image: unknown }> } }).Properties
          .ContainerDefinitions[0],
    );
    expect(JSON.stringify(definition?.Image)).toContain('container-assets');
  });

  it('installs only the packages the bundle loads, at the versions of the lock file', () => {
    const pkg = JSON.parse(readFileSync(join(imageDir, 'package.json'), 'utf8')) as {
      type: string;
      dependencies: Record<string, string>;
    };
    const rootLock = JSON.parse(readFileSync(join(repoRoot, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, { version: string }>;
    };
    expect(pkg.type).toBe('module');
    // The staged worker loads the Temporal worker SDK and jose (callback URLs); nothing of the CDK or Lambda side.
    expect(Object.keys(pkg.dependencies)).toEqual(
      expect.arrayContaining(['@temporalio/activity', '@temporalio/worker', 'jose']),
    );
    for (const [name, version] of Object.entries(pkg.dependencies))
      expect({ name, version }).toEqual({
        name,
        version: rootLock.packages[`node_modules/${name}`]?.version,
      });
    for (const excluded of ['aws-cdk-lib', 'constructs', 'hono', '@aws-lambda-powertools/logger', 'esbuild'])
      expect(pkg.dependencies[excluded]).toBeUndefined();

    // Every package main.js imports is one the image installs.
    const main = readFileSync(join(imageDir, 'main.js'), 'utf8');
    const imported = new Set(
      [...main.matchAll(/(?:from|import\()\s*"([^".][^"]*)"/g)]
        .map(([, specifier]) => specifier ?? '')
        .filter((specifier) => !specifier.startsWith('node:'))
        .map((specifier) =>
          specifier
            .split('/')
            .slice(0, specifier.startsWith('@') ? 2 : 1)
            .join('/'),
        ),
    );
    expect([...imported].sort()).toEqual(Object.keys(pkg.dependencies).sort());

    const lock = JSON.parse(readFileSync(join(imageDir, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, { dependencies?: Record<string, string>; version?: string }>;
    };
    expect(lock.packages['']?.dependencies).toEqual(pkg.dependencies);
    expect(
      Object.keys(lock.packages).filter((key) => key !== '' && !key.startsWith('node_modules/')),
    ).toEqual([]);
    // This repository's dev-only packages are not dev for the worker's own tree: no flag would omit them.
    expect(Object.values(lock.packages).filter((entry) => 'dev' in entry || 'devOptional' in entry)).toEqual(
      [],
    );
    expect(lock.packages['node_modules/@temporalio/worker']).toMatchObject({
      version: pkg.dependencies['@temporalio/worker'],
    });
  });

  it('generates a multi-stage Dockerfile: npm install --omit=dev, then a slim runtime as node', () => {
    const dockerfile = readFileSync(join(imageDir, 'Dockerfile'), 'utf8');
    expect(dockerfile).toMatch(/^ARG NODE_IMAGE=node:24-bookworm-slim$/m);
    expect(dockerfile).toMatch(/^FROM \$\{NODE_IMAGE\} AS deps$/m);
    expect(dockerfile).toMatch(/npm install --omit=dev/);
    expect(dockerfile).toMatch(/^FROM \$\{NODE_IMAGE\} AS runtime$/m);
    expect(dockerfile).toMatch(/apt-get install -y --no-install-recommends ca-certificates/);
    expect(dockerfile).toMatch(/^ENV WORKER_WORKFLOW_BUNDLE=\/app\/workflow-bundle\.js$/m);
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(dockerfile).toMatch(/^CMD \["node", "--enable-source-maps", "main\.js"\]$/m);
    // Everything the runtime stage copies is in the context.
    const copied = /^COPY package\.json (.+) \.\/$/m.exec(dockerfile)?.[1]?.split(' ') ?? [];
    expect(copied.length).toBeGreaterThan(0);
    for (const file of copied) expect(readdirSync(imageDir)).toContain(file);
  });
});

describe('TemporalWorkerImage errors', () => {
  function project(name: string, files: Record<string, string>): string {
    const dir = join(work, name);
    for (const [file, content] of Object.entries(files)) {
      mkdirSync(join(dir, file, '..'), { recursive: true });
      writeFileSync(join(dir, file), content);
    }
    return dir;
  }
  const worker = {
    'package.json': '{"name":"app","type":"module"}',
    'worker/main.ts': 'console.log("worker");\n',
    'worker/workflows/index.ts': 'export async function order() {}\n',
  };
  const stage = (dir: string) => () =>
    TemporalWorkerImage.stage({
      entry: join(dir, 'worker', 'main.ts'),
      workflowsPath: join(dir, 'worker', 'workflows', 'index.ts'),
    });

  it('tells the user to install esbuild when their project has none (never falls back to Docker)', () => {
    const dir = project('no-esbuild', {
      ...worker,
      'package-lock.json': '{"lockfileVersion":3,"packages":{"":{"name":"app"}}}',
    });
    expect(stage(dir)).toThrow(TemporalWorkerImageError);
    expect(stage(dir)).toThrow(/esbuild is not installed in .*no-esbuild.*npm i -D esbuild/);
  });

  it('wants an npm lock file, and names a yarn or pnpm one it cannot use', () => {
    const yarn = project('yarn', { ...worker, 'yarn.lock': '' });
    expect(stage(yarn)).toThrow(/yarn\.lock is not an npm lock file/);
    expect(stage(project('no-lock', worker))).toThrow(/no package-lock\.json in .*no-lock.* or above/);
  });

  it('names a missing entry file', () => {
    expect(() =>
      TemporalWorkerImage.stage({ entry: join(work, 'nope.ts'), workflowsPath: join(work, 'nope.ts') }),
    ).toThrow(/entry .*nope\.ts does not exist/);
  });
});
