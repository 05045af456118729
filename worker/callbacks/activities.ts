/**
 * The activity a workflow calls to get a callback URL. Minting needs the signing key and a clock,
 * neither of which belongs in the deterministic workflow sandbox, so it runs as an activity and
 * its result (the URL) is recorded in history. Register it beside your own activities:
 *
 * @example
 * await runWorker({ activities: { ...myActivities, ...createCallbackActivities(callbackMinterFromEnv()!) }, … });
 */
import type { CALLBACK_ACTIVITY } from '../../contract/callbacks';
import type { CallbackMinter, CallbackRequest, CallbackUrl } from './minter';

/** The callback activity's interface, for `proxyActivities` in workflow code. */
export type CallbackActivities = {
  [CALLBACK_ACTIVITY]: (request: CallbackRequest) => Promise<CallbackUrl>;
};

export function createCallbackActivities(minter: CallbackMinter): CallbackActivities {
  return { mintCallbackUrl: (request) => minter.mint(request) };
}
