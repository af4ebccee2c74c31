import type { IncomingMessage, ServerResponse } from 'node:http';
import type Provider from 'oidc-provider';
import type { MountedHandler } from '../http/edge.ts';
import { PayloadTooLargeError } from '../shared/errors.ts';
import { PAGE_HEADERS, renderErrorPage } from './pages.ts';
import { DISCOVERY_PATH, INTERACTION_PREFIX, INTROSPECTION_PATH, OAUTH_PREFIX, USERINFO_PATH } from './provider.ts';

/** oidc-provider's own body limit (not configurable): 56 KiB. */
const PROVIDER_BODY_LIMIT = 56 * 1024;

type NodeHandler = (request: IncomingMessage, response: ServerResponse) => Promise<void>;

/** The operation labels of the provider's routes (metrics, access log): a closed set. */
const ROUTE_LABELS: readonly (readonly [string, string])[] = [
  [`${OAUTH_PREFIX}/auth`, 'oidc.authorization'],
  [`${OAUTH_PREFIX}/token/revocation`, 'oidc.revocation'],
  [INTROSPECTION_PATH, 'oidc.introspection'],
  [`${OAUTH_PREFIX}/token`, 'oidc.token'],
  [`${OAUTH_PREFIX}/session/end`, 'oidc.end_session'],
  [USERINFO_PATH, 'oidc.userinfo'],
  [INTERACTION_PREFIX, 'oidc.interaction'],
];

/** The paths the provider answers and their labels: fixed, known before the provider exists. */
export const OIDC_PATHS = {
  matches: (pathname: string): boolean => pathname === DISCOVERY_PATH || pathname.startsWith(`${OAUTH_PREFIX}/`),
  operationOf(pathname: string): string {
    if (pathname === DISCOVERY_PATH) return 'oidc.discovery';
    return ROUTE_LABELS.find(([prefix]) => pathname === prefix || pathname.startsWith(`${prefix}/`))?.[1] ?? 'oidc.other';
  },
} satisfies Omit<MountedHandler, 'handle'>;

/** An OAuth error oidc-provider raised for a client's mistake (it carries the status to answer). */
function isOAuthError(error: unknown): error is Error & { status: number; error: string; error_description?: string; expose?: boolean } {
  return error instanceof Error && typeof (error as { status?: unknown }).status === 'number' && typeof (error as { error?: unknown }).error === 'string';
}

/**
 * The OpenID Provider as the edge mounts it: discovery and everything under /oauth. Janus answers
 * its interaction pages and userinfo; oidc-provider the protocol endpoints, which render their
 * OAuth errors themselves (RFC 6749 JSON, or the error page). The provider builds its URLs from
 * the public URL, never from the client's Host header.
 */
export function createOidcMount(options: {
  provider: Provider;
  publicUrl: string;
  pages: { matches(pathname: string): boolean; handle(request: IncomingMessage, response: ServerResponse, pathname: string): Promise<void> };
  userinfo: NodeHandler;
  /** Reads an introspection request before the provider does (introspection.ts: Janus's JWT access tokens). */
  prepareIntrospection(request: IncomingMessage): Promise<void>;
}): MountedHandler {
  const publicUrl = new URL(options.publicUrl);
  const callback = options.provider.callback() as unknown as NodeHandler;

  async function handle(request: IncomingMessage, response: ServerResponse, pathname: string): Promise<void> {
    response.setHeader('x-frame-options', 'DENY');
    if (options.pages.matches(pathname)) return options.pages.handle(request, response, pathname);
    if (pathname === USERINFO_PATH) return options.userinfo(request, response);
    if (pathname === INTROSPECTION_PATH) await options.prepareIntrospection(request);
    // oidc-provider stops reading a body past its own limit and answers: declared, it is refused here.
    if (Number(request.headers['content-length']) > PROVIDER_BODY_LIMIT) throw new PayloadTooLargeError(PROVIDER_BODY_LIMIT);
    request.headers.host = publicUrl.host;
    request.headers['x-forwarded-host'] = publicUrl.host;
    request.headers['x-forwarded-proto'] = publicUrl.protocol.slice(0, -1);
    return callback(request, response);
  }

  return {
    ...OIDC_PATHS,
    async handle(request, response, pathname) {
      try {
        await handle(request, response, pathname);
      } catch (error) {
        // A body left unread past the limit: the connection cannot carry another request.
        if (error instanceof PayloadTooLargeError) response.setHeader('connection', 'close');
        // The pages' own refusals (an unknown or expired interaction, a missing cookie): a page, never a 5xx.
        if (!isOAuthError(error) || error.status >= 500 || response.headersSent) throw error;
        response.writeHead(error.status, PAGE_HEADERS);
        response.end(renderErrorPage(error.error, error.expose === false ? undefined : error.error_description));
      }
    },
  };
}
