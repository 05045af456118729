/**
 * `payloadCodec: { entry }` on the gateway (issue 28): the team's codec module bundled at synth into
 * every function's asset as team-codec.mjs (its own imports inlined), named by PAYLOAD_ENV.codecModule
 * in the functions' environment; the functions' runtime loader imports that very file and runs it
 * before the built-in encryption; a missing entry is a props problem; cdk-nag stays clean.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { PAYLOAD_ENV } from '../../../contract/env-names';
import { loadPayloadCodecs } from '../../../functions/adapters/temporal-data-converter';
import { TEAM_CODEC_FILE } from '../../../infra/index';
import { TEAM_GZIP_ENCODING } from '../../fixtures/team-codec/gzip-codec';
import { synthOneTargetGateway } from '../support/stand-ins';
import { functionEnvironment, logicalId, propsProblemsOf, resource } from '../support/template';

const TEAM_CODEC_ENTRY = fileURLToPath(new URL('../../fixtures/team-codec/index.ts', import.meta.url));

const build = synthOneTargetGateway;

/** The directory of a function's code asset in the cloud assembly (its S3 key is `<hash>.zip`). */
function assetDirOf(built: ReturnType<typeof build>, functionId: string): string {
  const code = resource(built.template, functionId).Properties?.Code as { S3Key: string };
  const dir = join(built.assembly.directory, `asset.${code.S3Key.replace(/\.zip$/, '')}`);
  expect(existsSync(dir), dir).toBe(true);
  return dir;
}

describe('TemporalEventGateway payloadCodec', () => {
  const built = build({ payloadCodec: { entry: TEAM_CODEC_ENTRY }, payloadEncryption: {} });
  const functions = [built.gateway.httpFunction!, ...built.gateway.queueFunctions];

  it('bundles the module into every function asset and names it in their environment', () => {
    for (const fn of functions) {
      const id = logicalId(built.stack, fn.function);
      expect(functionEnvironment(built.template, id)).toMatchObject({
        [PAYLOAD_ENV.codecModule]: TEAM_CODEC_FILE,
      });
      const dir = assetDirOf(built, id);
      expect(readdirSync(dir)).toEqual(expect.arrayContaining(['index.mjs', TEAM_CODEC_FILE]));
      // The fixture's own second file is inlined: the asset needs no sources beside it.
      expect(readFileSync(join(dir, TEAM_CODEC_FILE), 'utf8')).toContain(TEAM_GZIP_ENCODING);
    }
  });

  it("is what the functions' loader imports at cold start, before the built-in encryption", async () => {
    const dir = assetDirOf(built, logicalId(built.stack, built.gateway.httpFunction!.function));
    const codecs = await loadPayloadCodecs({
      [PAYLOAD_ENV.codecModule]: TEAM_CODEC_FILE,
      [PAYLOAD_ENV.kmsKeyId]: 'alias/orders-payloads',
      LAMBDA_TASK_ROOT: dir,
    });
    expect(codecs.map((codec) => codec.constructor.name)).toEqual([
      expect.not.stringMatching(/^KmsEncryptionCodec$/),
      'KmsEncryptionCodec',
    ]);
    const [encoded] = await codecs[0]!.encode([
      {
        metadata: { encoding: new TextEncoder().encode('json/plain') },
        data: new TextEncoder().encode('{}'),
      },
    ]);
    expect(new TextDecoder().decode(encoded!.metadata!.encoding)).toBe(TEAM_GZIP_ENCODING);
  });

  it('leaves the functions without a team codec when the prop is absent', () => {
    const plain = build({});
    const id = logicalId(plain.stack, plain.gateway.httpFunction!.function);
    expect(functionEnvironment(plain.template, id)).not.toHaveProperty(PAYLOAD_ENV.codecModule);
    expect(readdirSync(assetDirOf(plain, id))).not.toContain(TEAM_CODEC_FILE);
  });

  it('refuses an entry that does not exist, or none', () => {
    expect(propsProblemsOf(() => build({ payloadCodec: { entry: 'codec/missing.ts' } }))).toEqual([
      expect.stringMatching(/^payloadCodec\.entry: .*codec\/missing\.ts does not exist$/),
    ]);
    expect(propsProblemsOf(() => build({ payloadCodec: { entry: ' ' } }))).toEqual([
      'payloadCodec.entry: must name the codec module file, e.g. codec/index.ts',
    ]);
  });
});
