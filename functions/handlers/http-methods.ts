/**
 * Which methods a path supports, for 405 answers: a request to an existing endpoint with the wrong
 * method must say so (RFC 9110 §15.5.6, with `Allow`) instead of pretending the endpoint is absent.
 */

/** A registered route as Hono lists it (`app.routes`): Hono path syntax, `ALL` for middleware. */
export interface RegisteredRoute {
  readonly method: string;
  readonly path: string;
}

const toMatcher = (path: string): RegExp =>
  new RegExp(
    `^${path
      .split('/')
      .map((segment) => (segment.startsWith(':') ? '[^/]+' : segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
      .join('/')}$`,
  );

/**
 * The methods the app answers on `path`, sorted; empty when no endpoint has that path. Hono answers
 * HEAD wherever it answers GET, so HEAD is listed with it.
 */
export function allowedMethods(routes: readonly RegisteredRoute[], path: string): string[] {
  const methods = new Set<string>();
  for (const route of routes) {
    if (route.method === 'ALL' || !toMatcher(route.path).test(path)) continue;
    methods.add(route.method.toUpperCase());
    if (route.method.toUpperCase() === 'GET') methods.add('HEAD');
  }
  return [...methods].sort();
}
