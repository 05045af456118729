/**
 * The validation layer alone: zod and the gateway's routing configuration (the staged demo's)
 * validated and compiled at module scope — what both functions did at init before the synth sealed
 * the file, and still do with an unsealed one (`routing-sealed.ts` is what they do now). No HTTP,
 * no Temporal, no AWS. Beside the anchor it shows what checking the configuration costs.
 */
import { DEFAULT_GATEWAY_CONFIG } from '../../functions/core/default-config';
import { parseGatewayConfig } from '../../functions/core/gateway-config';

const config = parseGatewayConfig(DEFAULT_GATEWAY_CONFIG);

export function handler(): { statusCode: number; body: string } {
  return { statusCode: 200, body: String(config.targets.length) };
}
