/**
 * Names derived from the deployment prefix, shared by both stacks. Plain strings, so the gateway
 * stack's dashboard can show the worker stack's metric without a cross-stack reference.
 */
export interface DeploymentNames {
  prefix: string;
  gatewayStack: string;
  workerStack: string;
  /** Namespace of the backlog metric: per deployment, so two deployments never mix their backlogs. */
  metricNamespace: string;
  /** Export of the large-payload bucket's name, which the worker stack imports by this name. */
  largePayloadBucketExport: string;
}

export function deploymentNames(prefix: string): DeploymentNames {
  return {
    prefix,
    gatewayStack: prefix,
    workerStack: `${prefix}-worker`,
    // The same namespace TemporalEventGateway gives its functions' metrics for this name.
    metricNamespace: `EventGateway/${prefix}`,
    largePayloadBucketExport: `${prefix}-large-payload-bucket`,
  };
}
