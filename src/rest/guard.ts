import type { Plugin } from 'graphql-yoga';
import {
  DomainError,
  InvalidInputError,
  MethodNotAllowedError,
  NotFoundError,
  PayloadTooLargeError,
} from '../shared/errors.ts';
import { isUnderBasePath, routesAt, type RestRoute } from './routes.ts';

/** Arguments that must never travel in a URL, where access logs and browser history keep them. */
export const SECRET_ARGUMENTS: ReadonlySet<string> = new Set(['password', 'currentPassword', 'newPassword', 'refreshToken']);

export interface RestGuardOptions {
  basePath: string;
  routes: readonly RestRoute[];
  bodyLimitBytes: number;
  respond(error: DomainError): Response;
}

/** The body as text, refused past `limit` bytes whether or not the client declared its length. */
export async function readBody(request: Request, limit: number): Promise<string> {
  const declared = Number(request.headers.get('content-length') ?? Number.NaN);
  if (declared > limit) throw new PayloadTooLargeError(limit);
  // A chunked body has no declared length: read a copy and count, leaving the original to SOFA.
  const text = request.body ? await request.clone().text() : '';
  if (Buffer.byteLength(text) > limit) throw new PayloadTooLargeError(limit);
  return text;
}

function isJson(request: Request): boolean {
  const type = request.headers.get('content-type') ?? '';
  return /^application\/(.+\+)?json\s*(;|$)/i.test(type);
}

function checkArguments(route: RestRoute, names: Iterable<string>, where: 'query' | 'body'): void {
  for (const name of names) {
    if (!route.argumentNames.has(name)) throw new InvalidInputError(name, `Unknown ${where} parameter "${name.slice(0, 64)}"`);
    if (where === 'query' && SECRET_ARGUMENTS.has(name)) {
      throw new InvalidInputError(name, `"${name}" must be sent in the JSON request body, never in the URL`);
    }
  }
}

/** The route a request asks for, with its query parameters checked. */
function routeOf(request: Request, url: URL, options: RestGuardOptions): RestRoute {
  const candidates = routesAt(options.routes, options.basePath, url.pathname);
  if (candidates.length === 0) throw new NotFoundError(`No route ${url.pathname}`);
  const route = candidates.find((candidate) => candidate.method === request.method);
  if (!route) throw new MethodNotAllowedError(candidates.map((candidate) => candidate.method));
  checkArguments(route, url.searchParams.keys(), 'query');
  return route;
}

async function checkBody(request: Request, route: RestRoute, options: RestGuardOptions): Promise<void> {
  const text = await readBody(request, options.bodyLimitBytes);
  if (text.trim() === '') return;
  if (!isJson(request)) throw new InvalidInputError('body', 'The request body must be JSON (Content-Type: application/json)');
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new InvalidInputError('body', 'The request body is not valid JSON');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new InvalidInputError('body', 'The request body must be a JSON object of the arguments');
  }
  checkArguments(route, Object.keys(body), 'body');
}

/**
 * Checks a REST request before SOFA sees it: the route and method exist, no unknown or secret
 * query parameter, a JSON object body of known arguments within the size limit. SOFA itself
 * would ignore unknown fields, accept passwords in the query string and answer 404 with no body.
 */
export function useRestGuard(options: RestGuardOptions): Plugin {
  return {
    // A promise only while a body is read: one returned for every request would make each later
    // request hook wait a turn of the event loop.
    onRequest({ request, url, endResponse }) {
      if (!isUnderBasePath(options.basePath, url.pathname)) return;
      const refuse = (error: unknown): void => {
        if (!(error instanceof DomainError)) throw error;
        endResponse(options.respond(error));
      };
      try {
        const route = routeOf(request, url, options);
        if (route.method === 'POST') return checkBody(request, route, options).catch(refuse);
      } catch (error) {
        refuse(error);
      }
    },
  };
}
