/**
 * The staged demo's routing: the very configuration the local stack serves by default, on the task
 * queue this deployment's worker polls. A team writes its own routing here instead.
 */
import { DEFAULT_GATEWAY_CONFIG } from '../../functions/core/default-config';
import type { GatewayRouting } from '../index';

export function stagedRouting(taskQueue: string): GatewayRouting {
  return {
    ...DEFAULT_GATEWAY_CONFIG,
    targets: DEFAULT_GATEWAY_CONFIG.targets.map((target) => ({ ...target, taskQueue })),
  };
}
