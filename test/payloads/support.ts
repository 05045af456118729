import type { KMSClient } from '@aws-sdk/client-kms';
import type { LocalKms } from '../../local/kms-server';

/** A real KMS client for the emulator that also records the name of every command it sends. */
export function countingKmsClient(kms: LocalKms): { client: KMSClient; calls: string[] } {
  const calls: string[] = [];
  // One attempt: a fault test should see KMS's first answer, not the SDK's retries of it.
  const client = kms.client({ maxAttempts: 1 });
  client.middlewareStack.add(
    (next, context) => (args) => {
      calls.push(context.commandName ?? 'unknown');
      return next(args);
    },
    { step: 'initialize', name: 'countKmsCalls' },
  );
  return { client, calls };
}

/** The occurrences of each command name, e.g. `{ GenerateDataKeyCommand: 1 }`. */
export const tally = (calls: readonly string[]): Record<string, number> =>
  calls.reduce<Record<string, number>>(
    (counts, name) => ({ ...counts, [name]: (counts[name] ?? 0) + 1 }),
    {},
  );
