/**
 * What the handlers record through (issue 30): builds an event's records from what the handler
 * knows and writes them to the {@link EventLogWriter}, under the rule that the log is for people and
 * the guarantee stays Temporal plus the queues —
 * - a record costs the request at most one write, bounded by `writeTimeoutMs`; the body goes through
 *   the payload codecs while the event is being delivered ({@link EventRecorder.begin});
 * - a failed (or late) write is logged and counted, never turns a delivered event into a failure:
 *   {@link EventRecording.finish} never throws.
 */
import type {
  EventEntry,
  EventRecordStage,
  EventStatus,
  RecordedBody,
  RouteOutcome,
  Verification,
} from '../core/event-record';
import { eventStatusOf, providerIdOf } from '../core/event-record';
import { recordedHeaders } from '../core/event-record-headers';
import { recordedProblem } from '../core/event-record-outcomes';
import type { Problem } from '../core/problems';
import { traceIdOf } from '../core/trace-context';
import type { GatewayLogger } from './logger';
import type { EventLogWriter } from './ports';
import type { TemporalDataConverter } from './temporal-data-converter';
import { toPayload } from './temporal-wire/payloads';
import { currentTraceContext } from './tracing';

/** What a handler knows of an event when it takes it. */
export interface ReceivedEvent {
  readonly eventId: string;
  readonly entry: EventEntry;
  readonly eventType?: string | undefined;
  /** The raw body as received. */
  readonly body?: Uint8Array | string | undefined;
  /** The request's headers: only allow-listed ones are kept (core/event-record-headers.ts). */
  readonly headers?: Iterable<[string, string]> | undefined;
  /** A source's own signature header, never kept whatever its name. */
  readonly signatureHeader?: string | undefined;
  readonly verification?: Verification | undefined;
  /** When the gateway first received it (ISO); default now. A queued event's keeps its first. */
  readonly receivedAt?: string | undefined;
}

/** What became of the event. */
export interface EventOutcome {
  readonly routes: readonly RouteOutcome[];
  /** Default: from the routes (eventStatusOf). */
  readonly status?: EventStatus;
  readonly problem?: Problem;
}

/** One event's record in the making: the body already on its way through the codecs. */
export interface EventRecording {
  /** Writes the record with the outcome. Never throws; resolves within the write timeout. */
  finish(outcome: EventOutcome): Promise<void>;
}

export interface EventRecorder {
  /** Whether records are written at all (a log is configured). */
  readonly enabled: boolean;
  /**
   * Starts an event's record at `stage` (`received` for the function that took it; `queue` for
   * the queue function delivering an event the gateway queued, `replay` for a replay).
   */
  begin(event: ReceivedEvent, stage?: EventRecordStage): EventRecording;
  /** Writes that failed or timed out since the process started (also logged, one line each). */
  readonly failedWrites: number;
}

const NOTHING: EventRecording = { finish: async () => {} };

/** The recorder when no event log is configured: records nothing, costs nothing. */
export const NO_EVENT_RECORDER: EventRecorder = { enabled: false, begin: () => NOTHING, failedWrites: 0 };

export interface EventRecorderOptions {
  readonly writer: EventLogWriter;
  readonly logger: GatewayLogger;
  /** The gateway's data converter: with codecs, bodies are kept as encoded payloads. */
  readonly dataConverter?: TemporalDataConverter | undefined;
  /** Longest a request waits for its record's write. @default 2000 */
  readonly writeTimeoutMs?: number;
  /** The clock (tests). */
  readonly now?: () => Date;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function plainBody(body: Uint8Array | string): RecordedBody {
  if (typeof body === 'string') return { text: body };
  try {
    return { text: utf8.decode(body) };
  } catch {
    return { base64: Buffer.from(body).toString('base64') };
  }
}

const base64 = (bytes: Uint8Array | null | undefined): string => Buffer.from(bytes ?? []).toString('base64');

/** The body through the codecs, as a Temporal Payload in proto3 JSON form. */
async function encodedBody(
  converter: TemporalDataConverter,
  body: Uint8Array | string,
): Promise<RecordedBody> {
  const bytes = typeof body === 'string' ? new TextEncoder().encode(body) : body;
  const [payload] = await converter.encodePayloads([toPayload(bytes)]);
  const metadata: Record<string, string> = {};
  for (const [key, value] of Object.entries(payload?.metadata ?? {})) metadata[key] = base64(value);
  return { payload: { metadata, data: base64(payload?.data) } };
}

export function createEventRecorder(options: EventRecorderOptions): EventRecorder {
  const { writer, logger, dataConverter } = options;
  const timeoutMs = options.writeTimeoutMs ?? 2_000;
  const now = options.now ?? (() => new Date());
  let failedWrites = 0;

  const failed = (eventId: string, error: unknown) => {
    failedWrites += 1;
    logger.error('event log write failed: the event itself is unaffected', {
      eventId,
      error: error instanceof Error ? error.message : String(error),
      failedWrites,
    });
  };

  /** The write, or a timeout: whichever comes first; a late write still completes in the background. */
  async function bounded(eventId: string, write: () => Promise<void>): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), timeoutMs);
    });
    try {
      const settled = await Promise.race([write().then(() => 'written' as const), late]);
      if (settled === 'late') failed(eventId, new Error(`no answer within ${timeoutMs} ms`));
    } catch (error) {
      failed(eventId, error);
    } finally {
      clearTimeout(timer);
    }
  }

  return {
    enabled: true,
    get failedWrites() {
      return failedWrites;
    },
    begin(event, stage = 'received') {
      const receivedAt = event.receivedAt ?? now().toISOString();
      const traceparent = currentTraceContext()?.traceparent;
      const traceId = traceparent ? traceIdOf(traceparent) : undefined;
      const { body } = event;
      // Started now, awaited in finish: the codec's KMS call overlaps the delivery.
      const recordedBody: Promise<RecordedBody | undefined> =
        body === undefined || stage !== 'received'
          ? Promise.resolve(undefined)
          : dataConverter?.encodes
            ? encodedBody(dataConverter, body)
            : Promise.resolve(plainBody(body));
      // An encoding failure surfaces in finish, as a failed write.
      recordedBody.catch(() => {});
      const headers =
        event.headers && stage === 'received'
          ? recordedHeaders(event.headers, event.signatureHeader)
          : undefined;
      const providerId = providerIdOf(event.entry, event.eventId);
      return {
        finish: (outcome) =>
          bounded(event.eventId, async () => {
            const kept = await recordedBody;
            await writer.record({
              version: 1,
              eventId: event.eventId,
              receivedAt,
              recordedAt: now().toISOString(),
              stage,
              entry: event.entry,
              ...(event.eventType !== undefined ? { eventType: event.eventType.slice(0, 500) } : {}),
              ...(providerId !== undefined ? { providerId } : {}),
              ...(kept !== undefined ? { body: kept } : {}),
              ...(headers !== undefined ? { headers } : {}),
              ...(event.verification !== undefined ? { verification: event.verification } : {}),
              status: outcome.status ?? eventStatusOf(outcome.routes),
              ...(outcome.problem !== undefined ? { problem: recordedProblem(outcome.problem) } : {}),
              routes: outcome.routes,
              ...(traceId !== undefined ? { traceId } : {}),
            });
          }),
      };
    },
  };
}
