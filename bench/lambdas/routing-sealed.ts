/**
 * The configuration layer as the deployed functions run it at init: the synth's routing file
 * (validated, defaults filled in) checked against its digest and compiled without validating it
 * again (functions/adapters/gateway-config-file.ts). Beside `routing-config.ts`, the full
 * validation it replaces, it shows what sealing the file at synth saves.
 */
import { gatewayConfigFromText } from '../../functions/adapters/gateway-config-file';
import { GATEWAY_ENV } from '../../functions/core/env-names';

const config = await gatewayConfigFromText(process.env[GATEWAY_ENV.config] ?? '', process.env);

export function handler(): { statusCode: number; body: string } {
  return { statusCode: 200, body: String(config.targets.length) };
}
