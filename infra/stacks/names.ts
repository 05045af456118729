/**
 * Names derived from the deployment prefix, shared by both stacks. Plain strings, so the gateway
 * stack's dashboard can show the worker stack's metric without a cross-stack reference.
 */
export interface DeploymentNames {
  gatewayStack: string;
  workerStack: string;
  /** Base name of the standard queue pair (`<base>`, `<base>-dlq`); FIFO adds `.fifo`. */
  queueBase: string;
  dashboard: string;
  /** Namespace of the backlog metric: per deployment, so two deployments never mix their backlogs. */
  metricNamespace: string;
  backlogMetricName: string;
}

export function deploymentNames(prefix: string): DeploymentNames {
  return {
    gatewayStack: prefix,
    workerStack: `${prefix}-worker`,
    queueBase: `${prefix}-events`,
    dashboard: prefix,
    metricNamespace: `EventGateway/${prefix}`,
    backlogMetricName: 'TemporalTaskQueueBacklog',
  };
}
