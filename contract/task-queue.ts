/** The task queue the worker polls and the gateway's default target starts workflows on, unless configured. */
export const DEFAULT_TASK_QUEUE = 'event-gateway';
