/** Settings: the VPC the worker (and optionally the functions) run in, created or imported. */
import type { z } from 'zod';
import { flag, list, text, wholeNumber } from './source';

export const networkShape = {
  vpcId: text(/^vpc-[0-9a-f]{8,17}$/, 'must be a VPC id (vpc-…)'),
  vpcPrivateSubnetIds: list(),
  vpcAvailabilityZones: list(),
  vpcMaxAzs: wholeNumber(),
  natGateways: wholeNumber(),
  functionsInVpc: flag(),
};

type Network = z.output<z.ZodObject<typeof networkShape>>;

/** An imported VPC needs its subnets and zones; a created one needs a NAT for the worker's egress. */
export function checkNetwork(settings: Network, ctx: z.RefinementCtx): void {
  const issue = (key: keyof Network, message: string) =>
    ctx.addIssue({ code: 'custom', path: [key], message });
  if (settings.vpcId) {
    for (const key of ['vpcMaxAzs', 'natGateways'] as const) {
      if (settings[key] !== undefined)
        issue(key, 'only applies to a VPC the stack creates; vpcId imports one');
    }
    const subnets = settings.vpcPrivateSubnetIds;
    const zones = settings.vpcAvailabilityZones;
    if (!subnets) issue('vpcPrivateSubnetIds', 'is required with vpcId');
    if (!zones) issue('vpcAvailabilityZones', 'is required with vpcId');
    if (subnets?.some((id) => !/^subnet-[0-9a-f]{8,17}$/.test(id))) {
      issue('vpcPrivateSubnetIds', `must be subnet ids (subnet-…) (got ${subnets.join(',')})`);
    }
    if (subnets && zones && subnets.length !== zones.length) {
      issue('vpcAvailabilityZones', 'must list one availability zone per private subnet, in the same order');
    }
    return;
  }
  for (const key of ['vpcPrivateSubnetIds', 'vpcAvailabilityZones'] as const) {
    if (settings[key] !== undefined) issue(key, 'only applies together with vpcId');
  }
  if (settings.natGateways === 0) {
    issue('natGateways', 'must be at least 1: the worker in private subnets reaches Temporal through NAT');
  }
}
