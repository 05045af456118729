/**
 * The child process `TemporalWorkerImage` runs at synth: argv[2] is a {@link WorkerImageStagingRequest}
 * as JSON; the {@link StagedWorkerImage} is the last line on stdout; a failure is one line on stderr
 * and exit code 1.
 */
import { stageWorkerImage } from './worker-image-staging';
import type { WorkerImageStagingRequest } from './worker-image-types';

try {
  const request = JSON.parse(process.argv[2] ?? '') as WorkerImageStagingRequest;
  const staged = await stageWorkerImage(request);
  process.stdout.write(`\n${JSON.stringify(staged)}\n`);
  // The Temporal SDK's native bridge may keep the event loop alive; the work is done.
  process.exit(0);
} catch (error) {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
