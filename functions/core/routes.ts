/**
 * Routing an event: a matched route — CloudEvent or webhook — applied to it gives a command for the
 * workflow its ID template names, checked by the target that ID resolves to exactly as a direct
 * signal is. Senders know business keys (an order id), not workflow IDs.
 */
import { parseCloudEventJson } from './cloud-event';
import {
  checkOperation,
  resolveTarget,
  type SignalCommand,
  type StartCommand,
  type UpdateCommand,
} from './commands';
import { namespaceEventId, type EventIdEntry } from './event-ids';
import { validateField } from './field-validation';
import type { GatewayConfig, RouteDelivery, Target } from './gateway-config-model';
import { eventId as eventIdCheck } from './checks.generated.js';
import { declaredOperation } from './operation-arguments';
import { eventField, mapPayload, missingRequiredField, type PathFormat } from './payload-mapping';
import { problem } from './problems';
import { fail, ok, type Result } from './result';
import { formatFieldPath, renderTemplate } from './route-expressions';

/** One delivery an event produces; `target` carries the route's start-if-missing decision. */
export type RoutedCommand =
  | { route: string; kind: 'signal'; command: SignalCommand; target: Target }
  | { route: string; kind: 'update'; command: UpdateCommand; target: Target }
  | { route: string; kind: 'start'; command: StartCommand; target: Target };

/**
 * One matched route applied to an event: its workflow ID rendered, its target resolved, its
 * argument mapped and checked. `format` names fields in problems as the route's author wrote them.
 */
export function routeToCommand(
  config: GatewayConfig,
  route: RouteDelivery,
  event: unknown,
  ids: { eventId: string; suppliedId?: string | undefined },
  format: PathFormat = formatFieldPath,
): Result<RoutedCommand> {
  const workflowId = renderTemplate(route.workflowId, event, format);
  if (!workflowId.ok) return workflowId;
  const target = resolveTarget(config, workflowId.value);
  if (!target.ok) {
    return fail({ ...target.problem, detail: `Route "${route.name}": ${target.problem.detail}` });
  }
  // An operation without arguments takes none, whatever the mapping (its default is the whole data).
  const takesNone = declaredOperation(target.value, route.kind, route.operation)?.arity === 'none';
  const mapped = takesNone
    ? ok({ argument: undefined, missing: new Map<string, string>() })
    : mapPayload(route, event, format);
  if (!mapped.ok) return mapped;
  const payload = checkOperation(target.value, route.kind, route.operation, mapped.value.argument);
  if (!payload.ok) {
    return fail(
      missingRequiredField(route, payload.problem, mapped.value.missing) ??
        eventField(route, payload.problem, format),
    );
  }
  const routedTarget =
    route.startIfMissing === undefined
      ? target.value
      : { ...target.value, startIfMissing: route.startIfMissing };
  const common = {
    workflowId: workflowId.value,
    payload: payload.value,
    eventId: ids.eventId,
    ...(ids.suppliedId === undefined ? {} : { suppliedId: ids.suppliedId }),
    source: route.name,
  };
  switch (route.kind) {
    case 'signal':
      return ok({
        route: route.name,
        kind: 'signal',
        command: { ...common, signal: route.operation },
        target: routedTarget,
      });
    case 'update':
      return ok({
        route: route.name,
        kind: 'update',
        command: { ...common, update: route.operation },
        target: routedTarget,
      });
    case 'start':
      return ok({ route: route.name, kind: 'start', command: common, target: routedTarget });
  }
}

/**
 * CloudEvent (JSON form) → the deliveries its matching routes produce, for HTTP and queue ingress
 * alike. All or nothing: when any matching route cannot use the event, the event is refused before
 * anything is delivered, so a sender fixes and resends it whole. Two routes that produce the same
 * workflow and operation collapse into the first (the event id would dedupe the second anyway).
 *
 * @param options.eventId an authenticated event id (e.g. a webhook id) that replaces the event's `id`.
 * @param options.namespace the entry point and caller the id is namespaced under (core/event-ids.ts);
 *   every ingress passes it, so a CloudEvent `id` never collides with a provider's event id.
 */
export function routeCloudEvent(
  config: GatewayConfig,
  input: unknown,
  options: { eventId?: string; namespace?: { entry: EventIdEntry; caller: string } } = {},
): Result<RoutedCommand[]> {
  const event = parseCloudEventJson(input);
  if (!event.ok) return event;
  const supplied = options.eventId ?? event.value.id;
  const ids = options.namespace
    ? namespaceEventId(config, { ...options.namespace, supplied, field: 'id' })
    : validateField(eventIdCheck, supplied, 'id');
  if (!ids.ok) return ids;
  const delivered = typeof ids.value === 'string' ? { eventId: ids.value } : ids.value;
  const matching = config.routes.filter((route) => route.matches(event.value));
  if (matching.length === 0) {
    return fail(
      problem(
        'no-matching-route',
        `No route matches an event of type "${event.value.type.slice(0, 200)}" from source "${event.value.source.slice(0, 200)}".`,
        'type',
      ),
    );
  }
  const routed: RoutedCommand[] = [];
  const seen = new Set<string>();
  for (const route of matching) {
    const result = routeToCommand(config, route, event.value, delivered);
    if (!result.ok) return result;
    const { kind, command } = result.value;
    const key = JSON.stringify([kind, command.workflowId, route.operation]);
    if (seen.has(key)) continue;
    seen.add(key);
    routed.push(result.value);
  }
  return ok(routed);
}
