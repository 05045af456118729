/** Settings: the event queues and their consumers. */
import { flag, wholeNumber } from './source';

export const queueShape = {
  fifo: flag(),
  queueBatchSize: wholeNumber(),
  queueBatchingWindowSeconds: wholeNumber(),
  queueMaxConcurrency: wholeNumber(),
  queueMaxReceiveCount: wholeNumber(),
};
