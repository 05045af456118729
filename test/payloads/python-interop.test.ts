import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { defaultPayloadConverter } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalKms, type LocalKms } from '../../local/kms-server';
import { KmsEncryptionCodec } from '../../payloads';
import { decodePayloadProto, encodePayloadProto } from '../../payloads/payload-proto';
import { ensurePayloadCodecPython } from './python-env';

const run = promisify(execFile);
const script = new URL('./python/kms_codec.py', import.meta.url).pathname;

let kms: LocalKms;
let python: string;
beforeAll(async () => {
  [kms, python] = await Promise.all([startLocalKms(), ensurePayloadCodecPython()]);
});
afterAll(() => kms?.stop());

async function runPythonCodec(request: object): Promise<{ values: unknown[]; encoded: string }> {
  const child = run(python, [script], { maxBuffer: 16 * 1024 * 1024 });
  child.child.stdin!.end(JSON.stringify(request));
  const { stdout } = await child;
  return JSON.parse(stdout) as { values: unknown[]; encoded: string };
}

describe('the documented format, implemented in Python (temporalio + cryptography + boto3)', () => {
  it('decodes what the TypeScript codec wrote, and writes what it decodes', async () => {
    const values = [{ email: 'ada@example.com', amount: 42 }, 'plain text', null, 'x'.repeat(100_000)];
    const encrypted = await new KmsEncryptionCodec({ keyId: kms.keyAlias, kms: kms.client() }).encode(
      values.map((value) => defaultPayloadConverter.toPayload(value)),
    );
    const pythonValue = { from: 'python', items: [1, 2, 3] };
    const answer = await runPythonCodec({
      endpoint: kms.endpoint,
      region: kms.region,
      keyId: kms.keyAlias,
      payloads: encrypted.map((payload) => Buffer.from(encodePayloadProto(payload)).toString('base64')),
      pythonValue,
    });
    expect(answer.values).toEqual(values);

    const fromPython = decodePayloadProto(Buffer.from(answer.encoded, 'base64'));
    expect(new TextDecoder().decode(fromPython.metadata!['encoding'])).toBe('binary/encrypted');
    const [decoded] = await new KmsEncryptionCodec({ keyId: kms.keyAlias, kms: kms.client() }).decode([
      fromPython,
    ]);
    expect(defaultPayloadConverter.fromPayload(decoded!)).toEqual(pythonValue);
  });
});
