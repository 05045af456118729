/** Settings: the worker service's size, scaling and drain time. */
import { wholeNumber } from './source';

export const workerShape = {
  workerCpu: wholeNumber(),
  workerMemoryMiB: wholeNumber(),
  workerDesiredCount: wholeNumber(),
  workerMinCount: wholeNumber(),
  workerMaxCount: wholeNumber(),
  workerShutdownGraceSeconds: wholeNumber(),
  workerCpuTargetPercent: wholeNumber(),
  backlogScaleOutThreshold: wholeNumber(),
};
