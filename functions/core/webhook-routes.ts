/**
 * Webhook routes as configured: which of a source's events (by type, exactly, by prefix or by glob,
 * and by field conditions) go to which workflow, as which signal, update or start, with which
 * argument. Compiled once at start-up with the source that declares them (webhook-sources.ts).
 */
import type { FieldCondition, WebhookRoute } from './gateway-config-model';
import { compileMapping } from './payload-mapping';
import { parseTemplate } from './route-expressions';
import { routeKind } from './route-compiler';
import { parseWebhookPath } from './webhook-fields';
import type { ConditionConfig, WebhookRouteConfig } from './route-schemas';

/** `*` within one dot-separated part, `**` across parts; everything else literal. */
export function compileGlob(glob: string): RegExp {
  const body = glob
    .split(/(\*\*|\*)/)
    .map((part) =>
      part === '**' ? '.*' : part === '*' ? '[^.]*' : part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'),
    )
    .join('');
  return new RegExp(`^${body}$`, 'u');
}

function compileCondition(condition: ConditionConfig): FieldCondition {
  if (typeof condition !== 'object') return (value, found) => found && value === condition;
  if ('in' in condition) return (value, found) => found && condition.in.some((option) => option === value);
  return (_value, found) => found === condition.exists;
}

function compileTypeMatch(match: WebhookRouteConfig['match'], where: string, problems: string[]) {
  const given = [match.type, match.typePrefix, match.typeGlob].filter((value) => value !== undefined);
  if (given.length > 1) problems.push(`${where}.match: set at most one of "type", "typePrefix", "typeGlob"`);
  if (match.type !== undefined) return (type: string | undefined) => type === match.type;
  if (match.typePrefix !== undefined) {
    const prefix = match.typePrefix;
    return (type: string | undefined) => type !== undefined && type.startsWith(prefix);
  }
  if (match.typeGlob !== undefined) {
    const glob = compileGlob(match.typeGlob);
    return (type: string | undefined) => type !== undefined && glob.test(type);
  }
  return () => true;
}

export function compileWebhookRoute(
  route: WebhookRouteConfig,
  where: string,
  problems: string[],
): WebhookRoute {
  const { kind, operation } = routeKind(route, where, problems);
  const template = parseTemplate(route.workflowId, parseWebhookPath);
  if (!template.ok) problems.push(`${where}.workflowId: ${template.error}`);
  const conditions = Object.entries(route.match.fields ?? {}).flatMap(([text, condition]) => {
    const path = parseWebhookPath(text);
    if (!path.ok) {
      problems.push(`${where}.match.fields: ${path.error}`);
      return [];
    }
    return [{ path: path.path, holds: compileCondition(condition) }];
  });
  return {
    name: route.name,
    kind,
    operation,
    matchesType: compileTypeMatch(route.match, where, problems),
    conditions,
    workflowId: template.ok ? template.template : { source: route.workflowId, parts: [], fields: [] },
    payload: compileMapping(route.payload, `${where}.payload`, problems, parseWebhookPath),
    ...(route.startIfMissing === undefined ? {} : { startIfMissing: route.startIfMissing }),
  };
}
