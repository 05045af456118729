/** `temporal workflow show --detailed` with the Temporal CLI the local stacks build, against a local stack. */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { ensureTemporalCli } from '../../local/temporal-cli';

const run = promisify(execFile);

/** The history as the CLI prints it; `flags` such as `--codec-endpoint <url>` are appended. */
export async function workflowShow(temporalPort: number, workflowId: string, ...flags: string[]) {
  const cli = await ensureTemporalCli();
  const { stdout } = await run(cli, [
    'workflow',
    'show',
    '--address',
    `127.0.0.1:${temporalPort}`,
    '--workflow-id',
    workflowId,
    '--detailed',
    ...flags,
  ]);
  return stdout;
}
