/**
 * Region and credentials for an AWS client pointed at a local emulator (the local stack's ElasticMQ,
 * local-kms, gofakes3), shared by the gateway and the worker. The local stack may run the gateway
 * in-process with an env of its own, which the SDK's default chain (process.env) never sees; the
 * emulators check no signature, so placeholders do, and keep the SDK from looking for credentials.
 */
export function localEmulatorAccess(env: Readonly<Record<string, string | undefined>>): {
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
} {
  return {
    region: env.AWS_REGION ?? 'us-east-1',
    credentials: {
      accessKeyId: env.AWS_ACCESS_KEY_ID ?? 'local',
      secretAccessKey: env.AWS_SECRET_ACCESS_KEY ?? 'local',
    },
  };
}
