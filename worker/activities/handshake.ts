/**
 * The handshake demo's activities. `awaitWarehouse` shows async completion by callback URL: it mints
 * a URL bound to its own task token, hands it over and returns "complete me later".
 */
import { CompleteAsyncError, Context } from '@temporalio/activity';
import type { CallbackMinter } from '../callbacks/minter';
import type { HandshakeActivities, PartnerNotice } from '../workflows/handshake-activity-types';

export interface HandshakeActivityDeps {
  minter: CallbackMinter;
  /**
   * Hands a URL to its recipient. @default logs it through the activity logger, which is how the
   * local stack "sends" it: the URL appears in the worker's output, ready for curl.
   */
  notify?: (notice: PartnerNotice) => void | Promise<void>;
}

function logNotice(notice: PartnerNotice): void {
  Context.current().log.info(`callback URL for the ${notice.recipient}: ${notice.url}`, {
    workflowId: notice.workflowId,
    expiresAt: notice.expiresAt,
    ...(notice.failUrl ? { failUrl: notice.failUrl } : {}),
  });
}

/** Activities of a standalone activity have no workflow; these always run in one. */
function workflowIdOf(info: Context['info']): string {
  return info.workflowExecution?.workflowId ?? info.activityId;
}

export function createHandshakeActivities(deps: HandshakeActivityDeps): HandshakeActivities {
  const notify = deps.notify ?? logNotice;
  return {
    async notifyPartner({ url, expiresAt }) {
      await notify({
        workflowId: workflowIdOf(Context.current().info),
        recipient: 'partner',
        url,
        expiresAt,
      });
    },
    async awaitWarehouse() {
      const { info } = Context.current();
      const callback = await deps.minter.mintForActivity({
        taskToken: info.taskToken,
        workflowId: workflowIdOf(info),
        expiresInSeconds: 24 * 3600,
      });
      await notify({
        workflowId: workflowIdOf(info),
        recipient: 'warehouse',
        url: callback.url,
        failUrl: callback.failUrl,
        expiresAt: callback.expiresAt,
      });
      throw new CompleteAsyncError();
    },
  };
}
