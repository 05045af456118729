/**
 * Java-based local tools (ElasticMQ, the Temporal time-skipping test server) come from Maven Central
 * as plain jars, fetched once by Maven from a fetch-only pom under local/maven/ into the tool cache
 * outside the repo, and run with the machine's own `java`. No binary is downloaded any other way.
 */
import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rename, rm, stat } from 'node:fs/promises';
import { delimiter, dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { toolCacheDir } from './cache-dir';
import { EventGatewayError } from '../contract/errors';

/** A fetch lock older than this was left by a killed process: no real fetch takes that long. */
const FETCH_LOCK_STALE_MS = 15 * 60_000;

/** Oldest Java the fetched servers are known to run on (they are tested here with 17). */
export const MIN_JAVA_MAJOR = 11;

const run = promisify(execFile);

export class JavaToolError extends EventGatewayError {
  override readonly name = 'JavaToolError';
}

/** A tool described by a fetch-only pom in local/maven/<name>/pom.xml. */
export interface MavenTool {
  /** Directory name under local/maven/ and under the tool cache. */
  readonly name: string;
  /** `groupId:artifactId` of the main artifact, for progress messages. */
  readonly artifact: string;
}

function onPath(command: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const candidate = join(dir, command);
    if (dir && existsSync(candidate)) return candidate;
  }
  return undefined;
}

let javaChecked: { where: string; java: Promise<string> } | undefined;

/** `$JAVA_HOME/bin/java`, else `java` on PATH; checked once per process and JAVA_HOME/PATH. */
export function findJava(): Promise<string> {
  const where = `${process.env.JAVA_HOME ?? ''}\0${process.env.PATH ?? ''}`;
  if (javaChecked?.where !== where) {
    const java = checkJava();
    javaChecked = { where, java };
    java.catch(() => {
      if (javaChecked?.java === java) javaChecked = undefined;
    });
  }
  return javaChecked.java;
}

async function checkJava(): Promise<string> {
  const home = process.env.JAVA_HOME;
  const java = home && existsSync(join(home, 'bin', 'java')) ? join(home, 'bin', 'java') : onPath('java');
  if (!java) {
    throw new JavaToolError(
      `Java is not installed: the local SQS server (ElasticMQ) and the Temporal time-skipping test server run on ` +
        `the JVM. Install a JDK or JRE >= ${MIN_JAVA_MAJOR} (e.g. \`apt-get install openjdk-17-jre-headless\`, ` +
        '`brew install openjdk`) and put `java` on PATH or set JAVA_HOME. To use another SQS endpoint instead ' +
        'of ElasticMQ, set SQS_ENDPOINT.',
    );
  }
  let versionText: string;
  try {
    // `java -version` writes to stderr, on every JDK vendor.
    const { stderr, stdout } = await run(java, ['-version']);
    versionText = `${stderr}${stdout}`;
  } catch (cause) {
    throw new JavaToolError(`${java} -version failed; is the Java installation broken?`, { cause });
  }
  const match = /version "(\d+)(?:\.(\d+))?/.exec(versionText);
  // Java 8 and older report "1.8.0_x"; 9+ report "17.0.1".
  const major = match ? (match[1] === '1' ? Number(match[2]) : Number(match[1])) : 0;
  if (major < MIN_JAVA_MAJOR) {
    throw new JavaToolError(
      `${java} is Java ${major || 'of unknown version'}; the local servers need Java >= ${MIN_JAVA_MAJOR}. ` +
        'Set JAVA_HOME to a newer JDK.',
    );
  }
  return java;
}

function findMaven(): string {
  const home = process.env.MAVEN_HOME ?? process.env.M2_HOME;
  const mvn = home && existsSync(join(home, 'bin', 'mvn')) ? join(home, 'bin', 'mvn') : onPath('mvn');
  if (!mvn) {
    throw new JavaToolError(
      'Maven is not installed, and it is needed once to fetch the Java servers (ElasticMQ, the Temporal test ' +
        'server) from Maven Central into the tool cache. Install Maven >= 3.6.3 (e.g. `apt-get install maven`, ' +
        '`brew install maven`), or set SQS_ENDPOINT to use another SQS endpoint instead of ElasticMQ.',
    );
  }
  return mvn;
}

export function mavenPomPath(tool: MavenTool): string {
  return fileURLToPath(new URL(`./maven/${tool.name}/pom.xml`, import.meta.url));
}

/** The version pinned by the pom's `tool.version` property; the pom is the single source of it. */
export async function mavenToolVersion(tool: MavenTool): Promise<string> {
  const pom = await readFile(mavenPomPath(tool), 'utf8');
  const version = /<tool\.version>\s*([^<\s]+)\s*<\/tool\.version>/.exec(pom)?.[1];
  if (!version) throw new JavaToolError(`${mavenPomPath(tool)} has no <tool.version> property.`);
  return version;
}

/**
 * `<version>-<hash of the pom without comments and blanks>`: a version bump and any other change of
 * what the pom fetches (an added logging binding, say) both land in a fresh cache directory.
 */
export async function mavenToolCacheKey(tool: MavenTool): Promise<string> {
  const pom = await readFile(mavenPomPath(tool), 'utf8');
  const essence = pom.replace(/<!--[\s\S]*?-->/g, '').replace(/\s+/g, '');
  const hash = createHash('sha256').update(essence).digest('hex').slice(0, 10);
  return `${await mavenToolVersion(tool)}-${hash}`;
}

/** Directory of the tool's jars in the cache; it exists only once a fetch has completed. */
export async function cachedMavenToolLib(tool: MavenTool): Promise<string> {
  return toolCacheDir(tool.name, await mavenToolCacheKey(tool), 'lib');
}

/**
 * The tool's jar directory, fetching it with Maven the first time. Test files run in parallel
 * processes, so one process fetches under a lock directory while the others wait for it (two Maven
 * runs filling one local repository at once can corrupt it). The fetch writes to a staging directory
 * that is renamed into place: an interrupted fetch is never mistaken for a complete one.
 */
export async function ensureMavenTool(
  tool: MavenTool,
  log: (line: string) => void = (line) => console.error(line),
): Promise<string> {
  const lib = await cachedMavenToolLib(tool);
  if (existsSync(lib)) return lib;
  await findJava();
  const mvn = findMaven();
  const dir = dirname(lib);
  await mkdir(dir, { recursive: true });
  const lock = join(dir, '.fetch.lock');
  let announced = false;
  for (;;) {
    try {
      await mkdir(lock);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    if (existsSync(lib)) return lib;
    const age = Date.now() - ((await stat(lock).catch(() => undefined))?.mtimeMs ?? Date.now());
    if (age > FETCH_LOCK_STALE_MS) {
      await rm(lock, { recursive: true, force: true });
      continue;
    }
    if (!announced) log(`[${tool.name}] waiting for another process that is fetching ${tool.artifact}…`);
    announced = true;
    await sleep(500);
  }
  try {
    return existsSync(lib) ? lib : await fetchMavenTool(tool, mvn, lib, log);
  } finally {
    await rm(lock, { recursive: true, force: true });
  }
}

async function fetchMavenTool(tool: MavenTool, mvn: string, lib: string, log: (line: string) => void) {
  const version = await mavenToolVersion(tool);
  const staging = await mkdtemp(join(dirname(lib), '.fetch-'));
  log(
    `[${tool.name}] fetching ${tool.artifact}:${version} and its dependencies from Maven Central into ${lib} ` +
      '(first time only)…',
  );
  const started = Date.now();
  const ticker = setInterval(
    () => log(`[${tool.name}] still fetching… ${Math.round((Date.now() - started) / 1000)} s`),
    15_000,
  );
  try {
    await runMaven(mvn, [
      '-q',
      '-B',
      '-f',
      mavenPomPath(tool),
      'dependency:copy-dependencies',
      '-DincludeScope=runtime',
      `-DoutputDirectory=${staging}`,
    ]);
    // mkdtemp made it private; the cache may be shared by several users of one machine.
    await chmod(staging, 0o755);
    await rename(staging, lib);
  } finally {
    clearInterval(ticker);
    await rm(staging, { recursive: true, force: true });
  }
  log(`[${tool.name}] fetched ${tool.artifact}:${version} in ${Math.round((Date.now() - started) / 1000)} s`);
  return lib;
}

async function runMaven(mvn: string, args: string[]): Promise<void> {
  const output: string[] = [];
  await new Promise<void>((resolve, reject) => {
    const child = spawn(mvn, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const collect = (chunk: Buffer) => output.push(chunk.toString());
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.on('error', (cause) => reject(new JavaToolError(`Could not run ${mvn}.`, { cause })));
    child.on('exit', (code) => {
      if (code === 0) return resolve();
      const tail = output.join('').trim().split('\n').slice(-30).join('\n');
      reject(
        new JavaToolError(
          `mvn ${args.join(' ')} exited with code ${code}. Is Maven Central (or your settings.xml mirror) ` +
            `reachable?\n${tail}`,
        ),
      );
    });
  });
}

/** Java's own classpath wildcard: every jar in the directory, without listing them. */
export function classpathOf(lib: string): string {
  return join(lib, '*');
}

/**
 * JVM flags for short-lived local servers: quick start and a small heap matter more than peak
 * throughput on a two-core laptop or CI runner.
 */
export const LOCAL_JVM_FLAGS = [
  '-XX:+UseSerialGC',
  '-XX:TieredStopAtLevel=1',
  '-Xss512k',
  '-Xmx256m',
  '-Djava.net.preferIPv4Stack=true',
] as const;
