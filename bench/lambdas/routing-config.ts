/**
 * The validation layer alone: zod and the gateway's routing configuration (the staged demo's)
 * parsed and compiled at module scope, as both functions do at init before any request — no HTTP,
 * no Temporal, no AWS. Beside the anchor it shows what checking the configuration costs.
 */
import { DEFAULT_GATEWAY_CONFIG } from '../../functions/core/default-config';
import { parseGatewayConfig } from '../../functions/core/gateway-config';

const config = parseGatewayConfig(DEFAULT_GATEWAY_CONFIG);

export function handler(): { statusCode: number; body: string } {
  return { statusCode: 200, body: String(config.targets.length) };
}
