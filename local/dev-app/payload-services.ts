/**
 * The payload side of `event-gateway dev`, as the app's gateway declares it: local-kms when it has
 * `payloadEncryption`, gofakes3 (with the app's threshold) when it has `largePayloads`, the team's
 * codec module as the synth bundled it (`payloadCodec`), and — when any of these leaves payloads the
 * UI cannot show as they are — the gateway's codec server as the local
 * UI's and CLI's codec endpoint (local/codec-endpoint.ts), with the app's own codec settings.
 * An app that declares neither runs without them, as it does in AWS.
 */
import { join } from 'node:path';
import { PAYLOAD_ENV } from '../../contract/env-names';
import { localCodecEndpoint, localCodecEnv } from '../codec-endpoint';
import { startLocalPayloadKms } from '../payload-kms';
import { startLocalPayloadStore } from '../payload-store';
import type { AppGateway } from './cloud-assembly';

/** What the gateway and the worker get, and what the ready banner says of each service. */
export interface DevPayloadServices {
  /** PAYLOAD_ENV for the gateway and the worker: empty when the app declares neither prop. */
  readonly env: Readonly<Record<string, string>>;
  readonly kms: string;
  readonly s3: string;
}

/** The codec server the local UI gets, and the gateway's codec settings; none when there is nothing to decode. */
export interface DevCodecServer {
  readonly endpoint: string;
  /** GATEWAY_CODEC_* for the local gateway: the app's own, with the local UI's origins added. */
  readonly env: Readonly<Record<string, string>>;
}

/** The codec server for the local UI and CLI, when the app's payloads need one to be read. */
export function devCodecServer(
  gateway: AppGateway,
  gatewayUrl: string,
  uiPort: number,
): DevCodecServer | undefined {
  const { payloads } = gateway;
  if (!payloads.encryption && !payloads.largePayloads && !payloads.codecModule) return undefined;
  return {
    endpoint: localCodecEndpoint(gatewayUrl),
    env: { ...gateway.codecEnv, ...localCodecEnv(uiPort, gateway.codecEnv) },
  };
}

/** Starts what the app's payload props need; each started service is stopped by `onStarted`'s stop. */
export async function startDevPayloadServices(options: {
  readonly gateway: AppGateway;
  readonly devDir: string;
  readonly log: (line: string) => void;
  readonly onStarted: (stop: () => Promise<void>) => void;
}): Promise<DevPayloadServices> {
  const { payloads } = options.gateway;
  const { devDir, log, onStarted } = options;
  // Their state lives in the state directory as long as the workflows they encrypted or stored.
  const [kms, store] = await Promise.all([
    payloads.encryption
      ? startLocalPayloadKms({ dataDir: join(devDir, 'kms'), log }).then((started) => {
          onStarted(() => started.stop());
          return started;
        })
      : undefined,
    payloads.largePayloads
      ? startLocalPayloadStore({
          dataDir: join(devDir, 's3'),
          log,
          thresholdBytes: payloads.largePayloads.thresholdBytes,
        }).then((started) => {
          onStarted(() => started.stop());
          return started;
        })
      : undefined,
  ]);
  return {
    env: {
      ...kms?.env,
      ...store?.env,
      // The team's codecs as the synth bundled them (a worker's own `payloadCodecs` option wins).
      ...(payloads.codecModule ? { [PAYLOAD_ENV.codecModule]: payloads.codecModule } : {}),
    },
    kms: kms?.description ?? 'off (your gateway has no payloadEncryption: payloads are stored as they are)',
    s3: store?.description ?? 'off (your gateway has no largePayloads: no payload is offloaded)',
  };
}
