/**
 * The handshake demo: the two ways a partner with nothing but an HTTP client moves a workflow on.
 * 1. The workflow mints a callback URL for a signal, hands it to the partner and waits for the POST.
 * 2. An activity hands the warehouse a URL bound to its own task token and completes asynchronously
 *    (`CompleteAsyncError`); the warehouse's POST becomes the activity's result.
 */
import { condition, defineQuery, defineSignal, proxyActivities, setHandler } from '@temporalio/workflow';
import {
  HANDSHAKE,
  type HandshakeInput,
  type HandshakeResult,
  type HandshakeStatus,
} from '../../contract/demo-handshake';
import { callbackUrl } from '../callbacks/workflow-api';
import type { HandshakeActivities } from './handshake-activity-types';

export const partnerAcknowledgedSignal = defineSignal<[unknown]>(HANDSHAKE.acknowledgedSignal);
export const handshakeStatusQuery = defineQuery<HandshakeStatus>(HANDSHAKE.statusQuery);

const { notifyPartner } = proxyActivities<HandshakeActivities>({
  startToCloseTimeout: '30 seconds',
});
// The warehouse may take a day; the activity does no work itself, so there is nothing to heartbeat.
const { awaitWarehouse } = proxyActivities<HandshakeActivities>({
  startToCloseTimeout: '1 day',
  retry: { maximumAttempts: 1 },
});

export async function handshakeWorkflow(input: HandshakeInput = {}): Promise<HandshakeResult> {
  const status: HandshakeStatus = { waitingFor: 'callback-url' };
  let acknowledged = false;
  setHandler(handshakeStatusQuery, () => status);
  // The first acknowledgement wins; the gateway already drops a replay of the same URL.
  setHandler(partnerAcknowledgedSignal, (body) => {
    if (acknowledged) return;
    acknowledged = true;
    status.acknowledgement = body;
  });

  const partner = await callbackUrl({
    signal: HANDSHAKE.acknowledgedSignal,
    expiresInSeconds: input.expiresInSeconds ?? 3600,
  });
  // The id, never the URL: a query answers anyone allowed to query, the URL is the partner's alone.
  status.partnerCallbackId = partner.id;
  status.waitingFor = 'partner';
  await notifyPartner({ url: partner.url, callbackId: partner.id, expiresAt: partner.expiresAt });
  await condition(() => acknowledged);

  if (input.skipWarehouse) {
    status.waitingFor = 'nothing';
    return { acknowledgement: status.acknowledgement };
  }
  status.waitingFor = 'warehouse';
  const warehouseReceipt = await awaitWarehouse();
  status.waitingFor = 'nothing';
  return { acknowledgement: status.acknowledgement, warehouseReceipt };
}
