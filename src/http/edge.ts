import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { UnauthenticatedError } from '../auth/errors.ts';
import type { AccessTokenCheck } from '../auth/jwt.ts';
import type { EdgeContext } from '../graphql/context.ts';
import { checkRestBody, restRouteOf } from '../rest/guard.ts';
import { isUnderBasePath, type RestRoute } from '../rest/routes.ts';
import type { ErrorRenderer } from '../shared/client-errors.ts';
import { InvalidInputError, MethodNotAllowedError, NotFoundError, PayloadTooLargeError, UnsupportedMediaTypeError } from '../shared/errors.ts';
import { REFUSED_OPERATION, requestIdOf, runInRequest, type RequestContext } from '../shared/request-context.ts';
import { hasBody, readBody } from './body.ts';
import { clientAddressOf } from './client-address.ts';
import { isPreflight, type Cors } from './cors.ts';
import { recordRequest, type Metrics } from './metrics.ts';
import { sendReply, type Endpoint, type Reply } from '../shared/reply.ts';
import { unsafeTextIn } from '../shared/text-rule.ts';

/** Yoga's Node entry point, with the edge's context for the operation. */
export type GraphQLHandler = (request: IncomingMessage, response: ServerResponse, context: EdgeContext) => unknown;

export interface PlainEndpoint {
  /** GET and HEAD unless said otherwise. */
  methods?: readonly string[];
  handle: Endpoint;
}

/**
 * A Node handler the edge hands every request under its paths (the OpenID Provider), after the
 * request id, CORS and the declared body length, with the access log and metrics of any request.
 */
export interface MountedHandler {
  matches(pathname: string): boolean;
  /** The operation label of a path, for metrics and the access log: from a closed set. */
  operationOf(pathname: string): string;
  handle(request: IncomingMessage, response: ServerResponse, pathname: string): Promise<void>;
}

export interface EdgeOptions {
  graphqlPath: string;
  rest: { basePath: string; routes: readonly RestRoute[] };
  /** Answered here, never by Yoga: health, readiness, metrics, keys, documents. */
  endpoints: ReadonlyMap<string, PlainEndpoint>;
  /** Answered by their own handlers: the OpenID Provider. */
  mounts?: readonly MountedHandler[];
  /** GraphQL at graphqlPath and the REST operation routes, both executed by Yoga. */
  operations: GraphQLHandler;
  bodyLimitBytes: number;
  cors: Cors;
  checkToken(token: string): Promise<AccessTokenCheck>;
  errors: ErrorRenderer;
  trustProxy: boolean;
  logger: Logger;
  metrics: Metrics;
}

type Surface = NonNullable<RequestContext['surface']>;

const READ_METHODS = ['GET', 'HEAD'];
/**
 * The origin of every URL the edge and Yoga read: this plus the request target, never the `Host`
 * header, which the client chooses (`Host: x/rest/me#` would otherwise move Yoga to another path
 * than the one the edge checked, and a Host-derived URL could reach an answer).
 */
const FIXED_ORIGIN = 'http://janus';
const FIXED_HOST = new URL(FIXED_ORIGIN).host;
/** As long as the sessions' and audit trail's column. */
const USER_AGENT_MAX = 512;

/**
 * The User-Agent as sessions and the audit trail store it: cut to the column, and none at all when
 * the text rule refuses it (control characters such as U+009B, which would reach screens and
 * terminals; no browser sends them).
 */
function storableUserAgent(header: string | undefined): string | undefined {
  const userAgent = header?.slice(0, USER_AGENT_MAX);
  return userAgent === undefined || unsafeTextIn(userAgent) ? undefined : userAgent;
}
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;
// GraphQL over HTTP: JSON, or GraphQL's own media type; REST: JSON. A form post needs no CORS
// preflight, so any web page could make a browser send one: refused.
const GRAPHQL_BODY = /^application\/(json|graphql-response\+json|graphql)\s*(;|$)/i;
const REST_BODY = /^application\/(.+\+)?json\s*(;|$)/i;

/**
 * A request the edge refuses, with the error to answer. An unread body within the limit is
 * discarded by Node once the answer is sent and the connection stays open; past the limit, the
 * connection is closed instead of reading the rest.
 */
class Refusal {
  readonly error: unknown;
  readonly closeConnection: boolean;
  constructor(error: unknown, closeConnection = false) {
    this.error = error;
    this.closeConnection = closeConnection;
  }
}

/**
 * The edge: every HTTP request enters here, and reads top to bottom. It answers the plain
 * endpoints itself; for an operation (GraphQL, or a REST route) it checks what can be checked
 * without executing anything — the target, CORS, the route, the media type, the bearer token,
 * the body's size and shape — then hands the request to Yoga. Every refusal goes through the one
 * error renderer; every request is counted and logged once, when its answer is sent.
 */
export function createEdge(options: EdgeOptions): (request: IncomingMessage, response: ServerResponse) => void {
  const { errors, logger } = options;

  const surfaceOf = (pathname: string): Surface =>
    pathname === options.graphqlPath ? 'graphql' : isUnderBasePath(options.rest.basePath, pathname) ? 'rest' : 'other';

  function render(surface: Surface, request: IncomingMessage, error: unknown, inBand = false): Reply {
    return surface === 'graphql' ? errors.graphql([error], request.headers.accept, { inBand }) : errors.rest([error]);
  }

  async function serveEndpoint(request: IncomingMessage, response: ServerResponse, pathname: string, endpoint: PlainEndpoint): Promise<void> {
    const method = request.method ?? 'GET';
    const methods = endpoint.methods ?? READ_METHODS;
    const reply = methods.includes(method)
      ? await endpoint.handle({ method, pathname, headers: request.headers })
      : errors.rest([new MethodNotAllowedError(methods)]);
    sendReply(response, reply, method);
  }

  /** Checks an operation request up to the point Yoga takes over; throws a Refusal. */
  async function admit(request: IncomingMessage, url: URL, surface: 'graphql' | 'rest', context: RequestContext): Promise<EdgeContext> {
    const method = request.method ?? 'GET';
    const route =
      surface === 'rest'
        ? restRouteOf({ method, pathname: url.pathname, searchParams: url.searchParams }, options.rest.routes, options.rest.basePath)
        : undefined;
    if (route) context.operation = route.key;

    const withBody = method !== 'GET' && method !== 'HEAD' && hasBody(request);
    if (withBody) {
      const type = request.headers['content-type'] ?? '';
      const accepted = surface === 'graphql' ? GRAPHQL_BODY : REST_BODY;
      if (!accepted.test(type)) {
        const names = surface === 'graphql' ? ['application/json', 'application/graphql'] : ['application/json'];
        throw new Refusal(new UnsupportedMediaTypeError(names));
      }
      if (Number(request.headers['content-length']) > options.bodyLimitBytes) {
        throw new Refusal(new PayloadTooLargeError(options.bodyLimitBytes), true);
      }
    }

    // The bearer token is read once, here. A token Janus never issued refuses the whole request,
    // whatever it asks for (RFC 6750's invalid_token): a client bug or an attack, never something
    // to serve as if no token had come. An expired one is a client about to refresh: public
    // fields still serve it, so it goes on to the access rules.
    const token = BEARER.exec(request.headers.authorization ?? '')?.[1];
    const check = token === undefined ? undefined : await options.checkToken(token);
    if (check?.status === 'invalid') {
      context.operation = REFUSED_OPERATION;
      throw new Refusal(new UnauthenticatedError('invalid'));
    }

    if (withBody) {
      const body = await readBody(request, options.bodyLimitBytes).catch((error: unknown) => {
        throw new Refusal(error, error instanceof PayloadTooLargeError);
      });
      if (route) checkRestBody(route, body.toString());
      // Read once, here: Yoga's Node adapter takes a body already read from `request.body`.
      (request as IncomingMessage & { body?: Buffer }).body = body;
    } else if (route?.method === 'POST') {
      checkRestBody(route, '');
    }
    return { clientIp: context.ip ?? 'unknown', credential: check };
  }

  async function handle(request: IncomingMessage, response: ServerResponse, context: RequestContext): Promise<void> {
    const method = request.method ?? 'GET';
    const target = request.url ?? '';
    // Only origin-form targets (`/path?query`): an absolute-form target or `*` names no resource here.
    if (!target.startsWith('/')) {
      response.setHeader('connection', 'close');
      return sendReply(response, errors.rest([new InvalidInputError('target', 'The request target must be a path, such as /graphql')]), method);
    }
    const url = new URL(`${FIXED_ORIGIN}${target}`);
    const surface = surfaceOf(url.pathname);
    context.surface = surface;

    for (const [name, value] of Object.entries(options.cors.headersFor(request.headers))) response.setHeader(name, value);
    if (isPreflight(method, request.headers)) {
      return sendReply(response, { status: 204, headers: options.cors.preflightHeaders(request.headers) }, method);
    }

    const endpoint = options.endpoints.get(url.pathname);
    if (endpoint) return serveEndpoint(request, response, url.pathname, endpoint);
    const mount = options.mounts?.find((candidate) => candidate.matches(url.pathname));
    if (mount) {
      context.operation = mount.operationOf(url.pathname);
      if (Number(request.headers['content-length']) > options.bodyLimitBytes) {
        response.setHeader('connection', 'close');
        return sendReply(response, errors.rest([new PayloadTooLargeError(options.bodyLimitBytes)]), method);
      }
      return mount.handle(request, response, url.pathname);
    }
    if (surface === 'other') return sendReply(response, errors.rest([new NotFoundError(`No route ${url.pathname}`)]), method);

    let edgeContext: EdgeContext;
    try {
      edgeContext = await admit(request, url, surface, context);
    } catch (error) {
      const refusal = error instanceof Refusal ? error : new Refusal(error);
      if (refusal.closeConnection) response.setHeader('connection', 'close');
      const inBand = refusal.error instanceof UnauthenticatedError;
      return sendReply(response, render(surface, request, refusal.error, inBand), method);
    }
    // Token answers (login, refresh, reset) must never be stored by a cache (RFC 6749 §5.1), and
    // no other operation's answer is meant for one either.
    response.setHeader('cache-control', 'no-store');
    response.setHeader('pragma', 'no-cache');
    // Yoga's Node adapter builds its URL from Host: it gets the fixed one.
    request.headers.host = FIXED_HOST;
    await options.operations(request, response, edgeContext);
  }

  return (request, response) => {
    const started = performance.now();
    const context: RequestContext = {
      requestId: requestIdOf(request),
      ip: clientAddressOf(request, options.trustProxy),
      userAgent: storableUserAgent(request.headers['user-agent']),
    };
    response.setHeader('x-request-id', context.requestId);
    response.once('close', () => {
      const status = response.headersSent ? response.statusCode : 499;
      const surface = context.surface ?? 'other';
      const milliseconds = performance.now() - started;
      recordRequest(options.metrics, { surface, operation: context.operation ?? 'unknown', status }, milliseconds / 1000);
      // One line per request; never a body, a token or a password.
      logger.info(
        {
          method: request.method,
          path: (request.url ?? '').split('?')[0]?.slice(0, 256),
          surface,
          operation: context.operation,
          status,
          durationMs: Math.round(milliseconds * 100) / 100,
          requestId: context.requestId,
          ip: context.ip,
        },
        'request',
      );
    });
    runInRequest(context, () =>
      handle(request, response, context).catch((error: unknown) => {
        // Only what nothing above expected: classified (and logged once, with its stack) by the renderer.
        if (response.headersSent) return void response.destroy();
        sendReply(response, errors.rest([error]), request.method ?? 'GET');
      }),
    );
  };
}
