import type { IncomingHttpHeaders } from 'node:http';

export interface CorsOptions {
  /** Exact origins (`https://app.example.com`) allowed to call Janus from a browser; empty: none. */
  origins: readonly string[];
  /** Whether browsers may send cookies along: Janus uses bearer tokens, so off unless asked for. */
  credentials: boolean;
}

const ALLOWED_METHODS = 'GET, POST, OPTIONS';
const ALLOWED_HEADERS = 'Authorization, Content-Type, Accept, X-Request-Id';
const EXPOSED_HEADERS = 'X-Request-Id, Retry-After, RateLimit, RateLimit-Policy, WWW-Authenticate';
const PREFLIGHT_MAX_AGE_SECONDS = '600';

/**
 * CORS by allow-list, for every path: a listed origin gets `Access-Control-Allow-Origin` echoing
 * it (and the preflight answer); any other origin gets no CORS headers, so browsers keep pages
 * of other origins from reading Janus's answers.
 */
export function createCors(options: CorsOptions) {
  const allowed = new Set(options.origins);
  const originOf = (headers: IncomingHttpHeaders): string | undefined => {
    const origin = headers.origin;
    return origin !== undefined && allowed.has(origin) ? origin : undefined;
  };
  const base = (origin: string): Record<string, string> => ({
    'access-control-allow-origin': origin,
    vary: 'Origin',
    ...(options.credentials ? { 'access-control-allow-credentials': 'true' } : {}),
  });
  return {
    /** Headers for an actual (non-preflight) response; empty for an origin not listed. */
    headersFor(headers: IncomingHttpHeaders): Record<string, string> {
      const origin = originOf(headers);
      return origin ? { ...base(origin), 'access-control-expose-headers': EXPOSED_HEADERS } : {};
    },
    /** A preflight (OPTIONS with Access-Control-Request-Method): the headers to answer 204 with. */
    preflightHeaders(headers: IncomingHttpHeaders): Record<string, string> {
      const origin = originOf(headers);
      if (!origin) return {};
      return {
        ...base(origin),
        'access-control-allow-methods': ALLOWED_METHODS,
        'access-control-allow-headers': ALLOWED_HEADERS,
        'access-control-max-age': PREFLIGHT_MAX_AGE_SECONDS,
      };
    },
  };
}

export type Cors = ReturnType<typeof createCors>;

/** Whether a request is a CORS preflight rather than a plain OPTIONS. */
export function isPreflight(method: string, headers: IncomingHttpHeaders): boolean {
  return method === 'OPTIONS' && headers['access-control-request-method'] !== undefined;
}
