import type { Problem } from './problems';

/**
 * What a step returns: a value, or the problem that stops the event. A failure of a step that
 * calls out (a Temporal read) also says whether trying again may help (`transient`).
 */
export type Result<T> = { ok: true; value: T } | { ok: false; problem: Problem; transient?: boolean };

export const ok = <T>(value: T): Result<T> => ({ ok: true, value });
export const fail = (problem: Problem): Result<never> => ({ ok: false, problem });
