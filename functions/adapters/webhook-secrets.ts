/**
 * Each webhook source's secrets, read once at start-up: an environment variable or a local file in
 * `npm run dev`, a Secrets Manager secret in AWS (its ARN in the configuration, never the value;
 * read at cold start, cached by Powertools). A value is one secret or a JSON array of secrets
 * (rotation). Sources whose secret is marked `optional` and absent are disabled, not fatal: the
 * local default declares demo sources whose secrets a developer may not have set.
 */
import { readFile } from 'node:fs/promises';
import { parseSecretValue } from '../core/webhook-verifiers';
import type { Source } from '../core/gateway-config-model';
import type { Env } from './secrets';
import { createWebhookVerifier, WebhookSecretError, type WebhookVerifier } from './webhook-verification';

/** A source as the HTTP route uses it: ready, or disabled with the reason. */
export type SourceRuntime =
  { source: Source; verifier: WebhookVerifier } | { source: Source; disabled: string };

export interface WebhookSecretReaders {
  env: Env;
  readFile?: (path: string) => Promise<string>;
  secret?: (arn: string) => Promise<string>;
}

async function readSecretArn(arn: string): Promise<string> {
  const { getSecret } = await import('@aws-lambda-powertools/parameters/secrets');
  const value = await getSecret(arn, { maxAge: 300 });
  if (typeof value !== 'string') throw new Error('the secret is not a string');
  return value;
}

/** The raw value of a source's secret; undefined when an optional one is absent. */
async function rawSecret(source: Source, readers: WebhookSecretReaders): Promise<string | undefined> {
  const ref = source.secret;
  if (!ref) return undefined;
  if ('env' in ref) {
    const value = readers.env[ref.env];
    if (value === undefined || value.trim() === '') {
      if (ref.optional) return undefined;
      throw new WebhookSecretError(`environment variable ${ref.env} is not set`);
    }
    return value;
  }
  if ('file' in ref) {
    try {
      return await (readers.readFile ?? ((path) => readFile(path, 'utf8')))(ref.file);
    } catch (error) {
      if (ref.optional && (error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new WebhookSecretError(`cannot read ${ref.file}: ${(error as Error).message}`, { cause: error });
    }
  }
  const arn = 'secretArn' in ref ? ref.secretArn : readers.env[ref.secretArnEnv];
  if (!arn) {
    const variable = 'secretArnEnv' in ref ? ref.secretArnEnv : '';
    throw new WebhookSecretError(`environment variable ${variable} (the secret's ARN) is not set`);
  }
  try {
    return await (readers.secret ?? readSecretArn)(arn);
  } catch (error) {
    throw new WebhookSecretError(`cannot read ${arn}: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

async function sourceRuntime(source: Source, readers: WebhookSecretReaders): Promise<SourceRuntime> {
  if (source.verifier.preset === 'none')
    return { source, verifier: createWebhookVerifier(source.verifier, []) };
  const raw = await rawSecret(source, readers);
  const where = source.secret && 'env' in source.secret ? ` (set ${source.secret.env})` : '';
  if (raw === undefined)
    return { source, disabled: `The source "${source.name}" has no secret configured${where}.` };
  const parsed = parseSecretValue(raw);
  if (!parsed.ok) throw new WebhookSecretError(`the secret ${parsed.error}`);
  return { source, verifier: createWebhookVerifier(source.verifier, parsed.secrets) };
}

/**
 * Every source's verifier, or every problem (named `sources.<name>.secret`), read in parallel. The
 * problems never quote a secret.
 */
export async function loadSourceRuntimes(
  sources: readonly Source[],
  readers: WebhookSecretReaders,
): Promise<{ ok: true; sources: Map<string, SourceRuntime> } | { ok: false; problems: string[] }> {
  const results = await Promise.allSettled(sources.map((source) => sourceRuntime(source, readers)));
  const problems: string[] = [];
  const loaded = new Map<string, SourceRuntime>();
  results.forEach((result, index) => {
    const name = sources[index]!.name;
    if (result.status === 'fulfilled') loaded.set(name, result.value);
    else if (result.reason instanceof WebhookSecretError)
      problems.push(`sources.${name}.secret: ${result.reason.message}`);
    else throw result.reason;
  });
  return problems.length > 0 ? { ok: false, problems } : { ok: true, sources: loaded };
}
