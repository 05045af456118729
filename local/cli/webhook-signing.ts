/**
 * `event-gateway send --source NAME`: a webhook signed the way that source's provider signs it, for
 * local testing against the gateway's verifiers. The source (its verifier and where its secret is)
 * comes from the same configuration the gateway reads: GATEWAY_CONFIG, else the local default.
 * The tests check these signatures with each provider's own verifier, not with ours.
 */
import { createHmac, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Webhook } from 'standardwebhooks';
import { DEFAULT_GATEWAY_CONFIG } from '../../functions/core/default-config';
import { GATEWAY_ENV } from '../../functions/core/env-names';
import {
  GatewayConfigError,
  parseGatewayConfig,
  parseGatewayConfigJson,
} from '../../functions/core/gateway-config';
import type { Source } from '../../functions/core/gateway-config-model';
import { parseSecretValue, slackSignedContent } from '../../functions/core/webhook-verifiers';
import { CliUsageError } from './io';

/** The declared source, or a usage error listing the declared ones. */
export function findSource(env: Readonly<Record<string, string | undefined>>, name: string): Source {
  let sources: readonly Source[];
  try {
    const json = env[GATEWAY_ENV.config];
    sources = (json ? parseGatewayConfigJson(json) : parseGatewayConfig(DEFAULT_GATEWAY_CONFIG)).sources;
  } catch (error) {
    if (!(error instanceof GatewayConfigError)) throw error;
    throw new CliUsageError(
      `${GATEWAY_ENV.config} is not a valid configuration: ${error.problems.join('; ')}`,
    );
  }
  const source = sources.find((candidate) => candidate.name === name);
  if (!source) {
    const declared = sources.map((candidate) => candidate.name).join(', ') || 'none';
    throw new CliUsageError(`No source "${name}" is declared (declared: ${declared}).`);
  }
  return source;
}

/** The secret to sign with: the given one, else the first of the source's (env or file). */
export function sourceSecret(
  source: Source,
  env: Readonly<Record<string, string | undefined>>,
  given: string | undefined,
): string | undefined {
  if (given !== undefined) return given;
  const ref = source.secret;
  if (!ref) return undefined;
  let raw: string | undefined;
  if ('env' in ref) raw = env[ref.env];
  else if ('file' in ref) {
    try {
      raw = readFileSync(ref.file, 'utf8');
    } catch {
      raw = undefined;
    }
  } else {
    throw new CliUsageError(
      `The source "${source.name}" keeps its secret in Secrets Manager: pass --secret.`,
    );
  }
  if (raw === undefined || raw.trim() === '') {
    const where = 'env' in ref ? `$${ref.env}` : ref.file;
    throw new CliUsageError(`The source "${source.name}" needs its secret: set ${where} or pass --secret.`);
  }
  const parsed = parseSecretValue(raw);
  if (!parsed.ok) throw new CliUsageError(`The secret of "${source.name}" ${parsed.error}.`);
  return parsed.secrets[0];
}

const hmac = (algorithm: string, secret: string, data: string, encoding: 'hex' | 'base64' = 'hex') =>
  createHmac(algorithm, secret).update(data).digest(encoding);

export interface SignOptions {
  /** The provider's delivery id (standard-webhooks `webhook-id`); default a fresh UUID. */
  eventId?: string | undefined;
  /** The event type for providers that send it in a header (GitHub's event, Shopify's topic). */
  type?: string | undefined;
  now?: Date;
}

/** The headers the provider would send with `body`. */
export function providerHeaders(
  source: Source,
  secret: string | undefined,
  body: string,
  options: SignOptions = {},
): Record<string, string> {
  const { verifier } = source;
  const now = options.now ?? new Date();
  const seconds = String(Math.floor(now.getTime() / 1000));
  const id = options.eventId ?? randomUUID();
  if (verifier.preset === 'none') return {};
  if (secret === undefined)
    throw new CliUsageError(`The source "${source.name}" needs a secret to sign with.`);
  switch (verifier.preset) {
    case 'stripe':
      return { 'stripe-signature': `t=${seconds},v1=${hmac('sha256', secret, `${seconds}.${body}`)}` };
    case 'github':
      return {
        'x-github-event': options.type ?? 'pull_request',
        'x-github-delivery': id,
        'x-hub-signature-256': `sha256=${hmac('sha256', secret, body)}`,
      };
    case 'standard-webhooks': {
      let webhook: Webhook;
      try {
        webhook = new Webhook(secret);
      } catch (error) {
        throw new CliUsageError('The secret is not a Standard Webhooks secret (whsec_<base64>).', {
          cause: error,
        });
      }
      return {
        'webhook-id': id,
        'webhook-timestamp': seconds,
        'webhook-signature': webhook.sign(id, now, body),
      };
    }
    case 'slack':
      return {
        'x-slack-request-timestamp': seconds,
        'x-slack-signature': `v0=${hmac('sha256', secret, slackSignedContent(seconds, body))}`,
      };
    case 'shopify':
      return {
        'x-shopify-topic': options.type ?? 'orders/paid',
        'x-shopify-webhook-id': id,
        'x-shopify-hmac-sha256': hmac('sha256', secret, body, 'base64'),
      };
    case 'hmac': {
      const signed = verifier.timestampHeader ? `${seconds}.${body}` : body;
      return {
        ...(verifier.timestampHeader ? { [verifier.timestampHeader]: seconds } : {}),
        [verifier.header]: `${verifier.prefix}${hmac(verifier.algorithm, secret, signed, verifier.encoding)}`,
      };
    }
    case 'api-key':
      return { [verifier.header]: secret };
  }
}
