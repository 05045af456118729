/**
 * The handshake demo's activities. `awaitWarehouse` shows async completion by callback URL: it mints
 * a URL bound to its own task token, hands it over and returns "complete me later".
 *
 * A callback URL is a bearer capability: whoever holds it completes the step. It is handed to its
 * recipient only — here, a file in the demo's outbox (the local stand-in for e-mail) — and only its
 * id appears in logs.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CompleteAsyncError, Context } from '@temporalio/activity';
import { HANDSHAKE, handshakeOutboxFile, type HandshakeOutboxEntry } from '../../contract/demo-handshake';
import type { CallbackMinter } from '../callbacks/minter';
import type { HandshakeActivities, PartnerNotice } from '../workflows/handshake-activity-types';

export interface HandshakeActivityDeps {
  minter: CallbackMinter;
  /**
   * Hands a URL to its recipient. @default writes it to the outbox directory (`outboxDir`) and logs
   * the callback's id and the file, never the URL.
   */
  notify?: (notice: PartnerNotice) => void | Promise<void>;
  /** @default `HANDSHAKE_OUTBOX_DIR`, else `event-gateway-handshake-outbox` in the OS temp directory */
  outboxDir?: string;
}

/** The demo's outbox directory from an environment. */
export const handshakeOutboxDir = (env: Record<string, string | undefined> = process.env): string =>
  env[HANDSHAKE.outboxEnv] ?? join(tmpdir(), HANDSHAKE.defaultOutboxName);

/** Delivers a notice to the outbox: one file per workflow and recipient, readable by the owner only. */
export function outboxNotifier(dir: string): (notice: PartnerNotice) => void {
  return (notice) => {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const file = handshakeOutboxFile(dir, notice.workflowId, notice.recipient);
    const entry: HandshakeOutboxEntry = {
      callbackId: notice.callbackId,
      url: notice.url,
      ...(notice.failUrl ? { failUrl: notice.failUrl } : {}),
      expiresAt: notice.expiresAt,
    };
    writeFileSync(file, `${JSON.stringify(entry)}\n`, { mode: 0o600 });
    Context.current().log.info(`callback ${notice.callbackId} handed to the ${notice.recipient}`, {
      workflowId: notice.workflowId,
      callbackId: notice.callbackId,
      expiresAt: notice.expiresAt,
      outbox: file,
    });
  };
}

/** Activities of a standalone activity have no workflow; these always run in one. */
function workflowIdOf(info: Context['info']): string {
  return info.workflowExecution?.workflowId ?? info.activityId;
}

export function createHandshakeActivities(deps: HandshakeActivityDeps): HandshakeActivities {
  const notify: NonNullable<HandshakeActivityDeps['notify']> =
    deps.notify ?? outboxNotifier(deps.outboxDir ?? handshakeOutboxDir());
  return {
    async notifyPartner({ url, callbackId, expiresAt }) {
      await notify({
        workflowId: workflowIdOf(Context.current().info),
        recipient: 'partner',
        callbackId,
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
        callbackId: callback.id,
        url: callback.url,
        failUrl: callback.failUrl,
        expiresAt: callback.expiresAt,
      });
      throw new CompleteAsyncError();
    },
  };
}
