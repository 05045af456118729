/**
 * CloudEvent routes as configured: their schema, their compilation (match, workflow-ID template,
 * payload mapping) and the start-up check that the target a route's IDs resolve to declares its
 * operation. Webhook routes (webhook-routes.ts) share the kind and target checks.
 */
import type { Route, RouteKind, Target } from './gateway-config-model';
import { declaredOperation } from './operation-arguments';
import { compileMapping } from './payload-mapping';
import type { RouteConfig } from './route-schemas';
import { parseTemplate, sampleTemplate } from './route-expressions';

export type { RouteConfig };

/** The operation name a start route carries (starts have no name of their own). */
export const START_ROUTE_OPERATION = 'start';

/**
 * The kind and operation a route declares: exactly one of `signal`, `update` or `start: true`
 * (a problem otherwise). Webhook and CloudEvent routes share it.
 */
export function routeKind(
  route: { signal?: string | undefined; update?: string | undefined; start?: true | undefined },
  where: string,
  problems: string[],
): { kind: RouteKind; operation: string } {
  const set = [route.signal, route.update, route.start].filter((value) => value !== undefined);
  if (set.length !== 1) problems.push(`${where}: set exactly one of "signal", "update" or "start"`);
  if (route.update !== undefined) return { kind: 'update', operation: route.update };
  if (route.signal !== undefined) return { kind: 'signal', operation: route.signal };
  return route.start
    ? { kind: 'start', operation: START_ROUTE_OPERATION }
    : { kind: 'signal', operation: '' };
}

/** Compiles one route, adding every problem it has to `problems`. */
export function compileRoute(route: RouteConfig, index: number, problems: string[]): Route {
  const where = `routes[${index}]`;
  const { match } = route;
  if ((match.type === undefined) === (match.typePrefix === undefined)) {
    problems.push(`${where}.match: set exactly one of "type" or "typePrefix"`);
  }
  const { kind, operation } = routeKind(route, where, problems);
  const template = parseTemplate(route.workflowId);
  if (!template.ok) problems.push(`${where}.workflowId: ${template.error}`);
  return {
    name: route.name,
    kind,
    operation,
    matches: (event) =>
      (match.type === undefined || event.type === match.type) &&
      (match.typePrefix === undefined || event.type.startsWith(match.typePrefix)) &&
      (match.source === undefined || event.source === match.source),
    workflowId: template.ok ? template.template : { source: route.workflowId, parts: [], fields: [] },
    payload: compileMapping(route.payload, `${where}.payload`, problems),
    ...(route.startIfMissing === undefined ? {} : { startIfMissing: route.startIfMissing }),
  };
}

/** Values a business key commonly takes; a template filled with them stands in for real IDs. */
const SAMPLE_KEYS = ['1', 'a', 'A1', 'order-42', '6f1c2a9e-0b4d-4c8e-9a57-3d2b1e0f4c6a'];

/**
 * Start-up check that a route's operation is declared by the target its IDs resolve to. Decidable
 * only where sample IDs resolve to a target: a template whose samples match no target pattern is
 * not reported (real keys may still match), a constant ID that matches none is.
 */
export function checkRouteTarget(
  route: Pick<Route, 'workflowId' | 'kind' | 'operation'>,
  targets: readonly Target[],
  index: number | string,
  problems: string[],
) {
  const where = typeof index === 'number' ? `routes[${index}]` : index;
  const template = route.workflowId;
  // A route already reported as malformed (no operation, unparsable template) has nothing to check.
  if (template.parts.length === 0 || route.operation === '') return;
  const ids =
    template.fields.length === 0
      ? [template.source]
      : SAMPLE_KEYS.map((key) => sampleTemplate(template, key));
  const resolved = ids
    .map((id) => targets.find((target) => target.matches(id)))
    .filter((target): target is Target => target !== undefined);
  if (resolved.length === 0) {
    if (template.fields.length === 0) {
      problems.push(`${where}.workflowId: "${template.source}" matches no declared target`);
    }
    return;
  }
  const declares = (target: Target) => declaredOperation(target, route.kind, route.operation) !== undefined;
  if (!resolved.some(declares)) {
    const names = [...new Set(resolved.map((target) => `"${target.name}"`))].join(', ');
    problems.push(
      route.kind === 'start'
        ? `${where}.start: target ${names}, which workflow IDs like "${ids[0] ?? ''}" resolve to, declares no "start"`
        : `${where}.${route.kind}: "${route.operation}" is not declared by target ${names}, which workflow IDs like "${ids[0] ?? ''}" resolve to`,
    );
  }
}
