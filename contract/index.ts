/**
 * Wire names shared by the gateway and the worker: plain data, importing nothing, so both sides (and
 * workflow code in Temporal's sandbox) can use them. Never rename a wire name: it is recorded in
 * workflow histories.
 */
export * from './env-names';
export * from './staged-workflow';
export * from './task-queue';
export * from './temporal-headers';
export * from './callbacks';
export * from './callback-keys';
export * from './demo-handshake';
export * from './errors';
