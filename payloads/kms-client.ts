/**
 * Which client serves the codec's two KMS operations (kms-operations.ts): the AWS SDK's `KMSClient`
 * (any credentials its default chain finds: ECS task role, profiles, SSO…), or the lean JSON client
 * of kms-json-client.ts where the credentials are plain environment variables (a Lambda function).
 * The SDK is imported on the first call only, so a process that never calls KMS never loads it.
 */
import type * as KmsSdk from '@aws-sdk/client-kms';
import type { KMSClient } from '@aws-sdk/client-kms';
import { LeanKmsClient, leanKmsSettings } from './kms-json-client';
import type { KmsDataKeyClient } from './kms-operations';

/** Whether `kms` is the SDK's client (it has a middleware stack) rather than a {@link KmsDataKeyClient}. */
function isSdkClient(kms: KMSClient | KmsDataKeyClient): kms is KMSClient {
  return 'middlewareStack' in kms && 'send' in kms;
}

/** The SDK's `KMSClient` (given, or created on the first call) as a {@link KmsDataKeyClient}. */
export function sdkKmsClient(client: KMSClient | (() => Promise<KMSClient>)): KmsDataKeyClient {
  let loaded: Promise<[typeof KmsSdk, KMSClient]> | undefined;
  const load = () =>
    (loaded ??= Promise.all([
      import('@aws-sdk/client-kms'),
      typeof client === 'function' ? client() : Promise.resolve(client),
    ]));
  return {
    async generateDataKey(input) {
      const [sdk, kms] = await load();
      return kms.send(new sdk.GenerateDataKeyCommand({ ...input, KeySpec: 'AES_256' }));
    },
    async decrypt(input) {
      const [sdk, kms] = await load();
      return kms.send(new sdk.DecryptCommand(input));
    },
  };
}

/**
 * The client the codec calls: the one given (the SDK's or a {@link KmsDataKeyClient}); else the lean
 * client when `env` holds the credentials and a region of a Lambda function (leanKmsSettings); else
 * the SDK's `KMSClient` with its default configuration chain, imported on the first call.
 */
export function kmsClientOf(
  kms: KMSClient | KmsDataKeyClient | undefined,
  env: Readonly<Record<string, string | undefined>> = process.env,
): KmsDataKeyClient {
  if (kms) return isSdkClient(kms) ? sdkKmsClient(kms) : kms;
  const lean = leanKmsSettings(env);
  if (lean) return new LeanKmsClient(lean);
  return sdkKmsClient(async () => new (await import('@aws-sdk/client-kms')).KMSClient({}));
}
