/**
 * Stands in for `@grpc/proto-loader` in the Lambda bundles (an esbuild alias in
 * infra/lambda-handlers.ts). grpc-js requires the loader only to serve its own channelz and ORCA
 * services, which the gateway never starts; bundled for real, it would bring protobufjs's full
 * reflection runtime (parser, descriptor types, `long`) into every cold start, beside the lean
 * client's static codecs that need only `protobufjs/minimal`.
 */
function unavailable(): never {
  throw new Error(
    '@grpc/proto-loader is not bundled into the gateway Lambdas: grpc-js channelz and ORCA services are not used',
  );
}

export const loadSync = unavailable;
export const load = unavailable;
export const fromJSON = unavailable;
