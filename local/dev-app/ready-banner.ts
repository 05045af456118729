/**
 * What `event-gateway dev` prints once everything answers: where each thing is, one webhook URL and a
 * ready-to-paste `event-gateway send` line per source (and `stripe listen` for a Stripe source), and
 * each local secret by name — its value only the one time it was generated, as `stripe listen` shows
 * its `whsec_` once.
 */
import { relative } from 'node:path';
import type { LocalSourceSecret } from '../cli/dev-session';
import type { LocalSecret } from '../cli/local-secrets';
import type { AppGateway } from './cloud-assembly';

export interface ReadyBannerInput {
  readonly gateway: AppGateway;
  readonly gatewayUrl: string;
  readonly temporalAddress: string;
  readonly temporalUiUrl: string;
  readonly sqsEndpoint: string;
  /** The local KMS and the key payloads are encrypted under. */
  readonly payloadEncryption: string;
  /** The local S3 and the bucket large payloads go to. */
  readonly largePayloads: string;
  /** The codec server the UI and the CLI decode with; none when the app's payloads need none. */
  readonly codecEndpoint: string | undefined;
  /** The trace backend's UI (Zipkin), or why there is none (startDevTraceBackend's description). */
  readonly traces: string;
  readonly sources: readonly LocalSourceSecret[];
  readonly secrets: readonly LocalSecret[];
  readonly devDir: string;
  readonly worker: string | undefined;
}

function describeSecret(secret: LocalSecret, devDir: string): string {
  switch (secret.origin) {
    case 'generated now':
      return `${secret.name}=${secret.value}   (generated; shown once, kept in ${relative(process.cwd(), devDir) || devDir}/secrets.env)`;
    case 'generated earlier':
      return `${secret.name} (generated earlier, in ${relative(process.cwd(), devDir) || devDir}/secrets.env)`;
    default:
      return `${secret.name} (from your ${secret.origin === '.env' ? '.env' : 'environment'})`;
  }
}

export function readyBanner(input: ReadyBannerInput): string {
  const { gatewayUrl } = input;
  const port = new URL(gatewayUrl).port;
  const lines = [
    '',
    `[dev] ready — ${input.gateway.path} of your app, running locally`,
    `  gateway       ${gatewayUrl}   (OpenAPI: ${gatewayUrl}/openapi.json; auth: ${input.gateway.auth})`,
    `  temporal      ${input.temporalAddress}, namespace default   UI: ${input.temporalUiUrl}`,
    `  sqs           ${input.sqsEndpoint}`,
    `  kms           ${input.payloadEncryption}`,
    `  s3            ${input.largePayloads}`,
    `  codec         ${
      input.codecEndpoint
        ? `${input.codecEndpoint}   (the UI decodes with it; CLI: temporal workflow show --codec-endpoint ${input.codecEndpoint} …)`
        : 'off (nothing to decode: payloads are stored as they are)'
    }`,
    `  traces        ${input.traces}`,
    `  worker        ${input.worker ?? '(none: pass --worker <entry> to run yours here)'}`,
  ];
  if (input.sources.length > 0) {
    lines.push('', '  webhooks');
    const width = Math.max(...input.sources.map((source) => source.source.length));
    for (const source of input.sources)
      lines.push(
        `    ${source.source.padEnd(width)}  ${gatewayUrl}/v1/webhooks/${encodeURIComponent(source.source)}`,
      );
  }
  if (input.secrets.length > 0) {
    lines.push('', '  local secrets (an environment variable or a line in .env with the same name wins)');
    for (const secret of input.secrets) lines.push(`    ${describeSecret(secret, input.devDir)}`);
  }
  lines.push('', '  try it (in this directory)');
  for (const source of input.sources) {
    lines.push(`    npx event-gateway send --source ${source.source} --payload event.json`);
    if (source.preset === 'stripe') {
      lines.push(
        `    stripe listen --forward-to localhost:${port}/v1/webhooks/${source.source}` +
          `   (then: ${source.name}=<the whsec_ it prints> npx event-gateway dev …)`,
      );
    }
  }
  lines.push(`    curl ${gatewayUrl}/healthz`, '  Ctrl-C stops everything.', '');
  return lines.join('\n');
}
