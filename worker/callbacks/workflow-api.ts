/**
 * Callback URLs from workflow code (sandbox-safe: it only schedules the minting activity).
 */
import { proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { CallbackActivities } from './activities';
import type { CallbackRequest, CallbackUrl } from './minter';

const { mintCallbackUrl } = proxyActivities<CallbackActivities>({
  startToCloseTimeout: '10 seconds',
  retry: { maximumAttempts: 10 },
});

/**
 * Mints a callback URL that delivers its POSTed body to this workflow as a signal (or an update).
 * Requires the worker to register `createCallbackActivities`; the gateway must declare the signal
 * for this workflow's target, like any other signal.
 *
 * @example
 * const { url } = await callbackUrl({ signal: 'shipmentDispatched', expiresInSeconds: 86_400 });
 * await notifyWarehouse({ url });            // an activity hands the URL to the partner
 * await condition(() => dispatched !== undefined);
 */
export function callbackUrl(
  request: Omit<CallbackRequest, 'workflowId'> & { workflowId?: string },
): Promise<CallbackUrl> {
  return mintCallbackUrl({ ...request, workflowId: request.workflowId ?? workflowInfo().workflowId });
}
