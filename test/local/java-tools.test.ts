import { mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ELASTICMQ_TOOL, startElasticMq } from '../../local/elasticmq';
import { cachedMavenToolLib, ensureMavenTool, findJava, mavenToolVersion } from '../../local/java-tools';
import {
  ensureTimeSkippingServerExecutable,
  TEMPORAL_TEST_SERVER_TOOL,
} from '../../local/time-skipping-server';

const saved = {
  PATH: process.env.PATH,
  JAVA_HOME: process.env.JAVA_HOME,
  cache: process.env.EVENT_GATEWAY_CACHE,
};
let scratch: string;

beforeEach(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'java-tools-'));
  // An empty tool cache, so nothing is found without fetching.
  process.env.EVENT_GATEWAY_CACHE = join(scratch, 'cache');
});
afterEach(async () => {
  for (const [name, value] of [
    ['PATH', saved.PATH],
    ['JAVA_HOME', saved.JAVA_HOME],
    ['EVENT_GATEWAY_CACHE', saved.cache],
  ] as const) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  await rm(scratch, { recursive: true, force: true });
});

describe('the Java tool fetcher', () => {
  it('says how to install Java when there is none', async () => {
    expect(await findJava()).toMatch(/java$/);
    process.env.PATH = join(scratch, 'empty');
    delete process.env.JAVA_HOME;
    await expect(startElasticMq({ port: 0 })).rejects.toThrow(
      /Java is not installed.*JAVA_HOME.*SQS_ENDPOINT/s,
    );
    await expect(ensureTimeSkippingServerExecutable()).rejects.toThrow(/Java is not installed/);
  });

  it('says how to install Maven when the jars are not cached and mvn is missing', async () => {
    const bin = join(scratch, 'bin');
    await mkdir(bin);
    await symlink(await findJava(), join(bin, 'java'));
    process.env.PATH = bin;
    delete process.env.MAVEN_HOME;
    await expect(ensureMavenTool(ELASTICMQ_TOOL, () => undefined)).rejects.toThrow(
      /Maven is not installed.*apt-get install maven.*SQS_ENDPOINT/s,
    );
  });

  it('reads each version from its pom and keys the cache by version and pom content', async () => {
    expect(await mavenToolVersion(ELASTICMQ_TOOL)).toMatch(/^\d+\.\d+\.\d+$/);
    expect(await mavenToolVersion(TEMPORAL_TEST_SERVER_TOOL)).toMatch(/^\d+\.\d+\.\d+$/);
    const lib = await cachedMavenToolLib(ELASTICMQ_TOOL);
    expect(lib).toMatch(
      new RegExp(
        `^${join(scratch, 'cache', 'elasticmq')}/${await mavenToolVersion(ELASTICMQ_TOOL)}-[0-9a-f]{10}/lib$`,
      ),
    );
  });
});
