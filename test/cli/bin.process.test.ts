/**
 * The `event-gateway` bin as a shell runs it. `event-gateway dlq list | head -1`: the reader
 * closing the pipe ends the output quietly (exit 0), not with an EPIPE stack trace.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const bin = fileURLToPath(new URL('../../bin/event-gateway.js', import.meta.url));

describe('the event-gateway bin', () => {
  it('exits 0 without an error when its reader has already closed the pipe', async () => {
    const child = spawn(process.execPath, [bin, '--help'], { stdio: ['ignore', 'pipe', 'pipe'] });
    // Closed before the CLI (started through tsx, ~1 s) writes a byte: its first write meets EPIPE.
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
  });
});
