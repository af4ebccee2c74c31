import { InvalidInputError, MethodNotAllowedError, NotFoundError } from '../shared/errors.ts';
import { checkArgumentTypes } from './argument-types.ts';
import { routesAt, type RestRoute } from './routes.ts';

/** What the guard reads of a REST request's target. */
export interface RestTarget {
  method: string;
  pathname: string;
  searchParams: URLSearchParams;
}

function checkArguments(route: RestRoute, names: Iterable<string>, where: 'query' | 'body'): void {
  for (const name of names) {
    if (!route.argumentNames.has(name)) throw new InvalidInputError(name, `Unknown ${where} parameter "${name.slice(0, 64)}"`);
    // Secret arguments (@secret in the SDL) never travel in a URL, where access logs and browser history keep them.
    if (where === 'query' && route.secretArguments.has(name)) {
      throw new InvalidInputError(name, `"${name}" must be sent in the JSON request body, never in the URL`);
    }
  }
}

/**
 * The route a REST request asks for: the route and method exist, no unknown or secret query
 * parameter. SOFA itself would answer 404 with no body and accept passwords in the query string.
 * Throws the DomainError to answer with.
 */
export function restRouteOf(request: RestTarget, routes: readonly RestRoute[], basePath: string): RestRoute {
  const candidates = routesAt(routes, basePath, request.pathname);
  if (candidates.length === 0) throw new NotFoundError(`No route ${request.pathname}`);
  const route = candidates.find((candidate) => candidate.method === request.method);
  if (!route) throw new MethodNotAllowedError(candidates.map((candidate) => candidate.method));
  checkArguments(route, request.searchParams.keys(), 'query');
  return route;
}

/**
 * A POST route's body (read by the edge within its limit; empty when none came): a JSON object of
 * the route's arguments with their types, every required one present (empty is fine for a route
 * without one). SOFA itself would ignore unknown fields, and name a missing one in GraphQL's
 * words (`Variable "$password" of required type …`), which mean nothing to a REST client.
 */
export function checkRestBody(route: RestRoute, text: string): void {
  const body = text.trim() === '' ? {} : jsonObjectOf(text);
  checkArguments(route, Object.keys(body), 'body');
  const missing = route.bodyRequired.find((name) => !Object.hasOwn(body, name));
  if (missing) throw new InvalidInputError(missing, `Missing body parameter "${missing}"`);
  checkArgumentTypes(route.field, body);
}

function jsonObjectOf(text: string): Record<string, unknown> {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new InvalidInputError('body', 'The request body is not valid JSON');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new InvalidInputError('body', 'The request body must be a JSON object of the arguments');
  }
  return body as Record<string, unknown>;
}
