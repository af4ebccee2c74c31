import type { IncomingMessage } from 'node:http';
import type { GraphQLError, ValidationContext } from 'graphql';
import { createYoga, type Plugin, type YogaServerInstance } from 'graphql-yoga';
import { useSofa } from '@graphql-yoga/plugin-sofa';
import { useDisableIntrospection } from '@graphql-yoga/plugin-disable-introspection';
import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import type { Store } from '@envelop/rate-limiter';
import type { JWK } from 'jose';
import type { MikroORM } from '@mikro-orm/postgresql';
import { JWKS_PATH, useJwks } from '../http/jwks.ts';
import { useJanusAuth } from '../auth/plugin.ts';
import type { AppContext, Services } from './context.ts';
import { buildSchema } from './schema.ts';
import { buildOpenApiDocument } from '../rest/openapi/document.ts';
import { API_INFO } from '../rest/openapi/info.ts';
import { useOpenApiDocument } from '../rest/openapi/plugin.ts';
import { useRateLimits } from '../ratelimit/plugin.ts';
import { NotFoundError, PayloadTooLargeError } from '../shared/errors.ts';
import { clientAddressOf } from '../http/client-address.ts';
import { createErrorMask, createRestErrorHandler, toGraphQLError, useStacklessResultCopies } from '../shared/client-errors.ts';
import { createEarlyAnswers } from './early-answers.ts';
import { createGraphiQLRenderer, useRestDocs } from '../http/explorers.ts';
import { useIntrospectionLimit } from './introspection-limit.ts';
import type { Logger } from 'pino';
import { METRICS_PATH, useMetrics, type Metrics } from '../http/metrics.ts';
import { READY_PATH, useReadiness } from '../http/ready.ts';
import { readBody, useRestGuard } from '../rest/guard.ts';
import { isUnderBasePath, OPENAPI_PATH, REST_BASE_PATH, restRoutesOf, routeAt, SOFA_FULL_OBJECT_FIELDS, sofaRoutesOf } from '../rest/routes.ts';

export const GRAPHQL_PATH = '/graphql';
export const HEALTH_PATH = '/health';
export const BODY_LIMIT_BYTES = 100 * 1024;
/** types → fields → args: as deep as GraphiQL's standard introspection query nests lists. */
const INTROSPECTION_LIST_NESTING = 3;

/** What the Node HTTP server hands Yoga with each request. */
interface ServerContext {
  req?: IncomingMessage;
}

export type JanusApp = YogaServerInstance<ServerContext, AppContext>;

export interface AppOptions {
  config: {
    production: boolean;
    graphiql: boolean;
    introspection: boolean;
    /** Take the client address from X-Forwarded-For (only behind a proxy that sets it). */
    trustProxy: boolean;
    loginRateLimit: { max: number; windowSeconds: number };
  };
  services: Services;
  orm: MikroORM;
  logger: Logger;
  publicJwks: readonly JWK[];
  rateLimitStore: Store;
  metrics: Metrics;
}

/**
 * Armor throws on a limit by default, which reaches clients as an unclassified error; reported
 * to the validation context instead, a limit is the GRAPHQL_VALIDATION_FAILED it is.
 */
const asValidationErrors = {
  propagateOnRejection: false,
  onReject: [(context: ValidationContext | null, error: GraphQLError) => context?.reportError(error)],
};

/**
 * Unknown paths and oversized GraphQL bodies get the same JSON error shape as REST. The size
 * check replaces Yoga's own limit, which pipes every body through a counting stream: a declared
 * Content-Length is checked as it is, and only a body without one is read and counted.
 */
function useHttpGuard(respond: ReturnType<typeof createRestErrorHandler>): Plugin {
  const known = [GRAPHQL_PATH, JWKS_PATH, HEALTH_PATH, READY_PATH, METRICS_PATH];
  return {
    // A promise only for a body that must be read to be measured: one returned by every request
    // would make each later request hook wait a turn of the event loop.
    onRequest({ request, url, endResponse }) {
      if (isUnderBasePath(REST_BASE_PATH, url.pathname)) return;
      if (!known.includes(url.pathname)) return endResponse(respond([new NotFoundError(`No route ${url.pathname}`)]));
      const declared = request.headers.get('content-length');
      if (declared !== null && Number(declared) > BODY_LIMIT_BYTES) return endResponse(respond([new PayloadTooLargeError(BODY_LIMIT_BYTES)]));
      if (declared !== null || !request.body) return;
      return readBody(request, BODY_LIMIT_BYTES).then(
        () => undefined,
        (error: unknown) => {
          if (!(error instanceof PayloadTooLargeError)) throw error;
          endResponse(respond([error]));
        },
      );
    },
  };
}

/** GraphQL at /graphql and its SOFA mirror under /rest, both executed by one Yoga/envelop pipeline. */
export function createApp(options: AppOptions): JanusApp {
  const { config, services, logger } = options;
  const schema = buildSchema();
  const routes = restRoutesOf(schema);
  const respond = createRestErrorHandler(logger);
  return createYoga<ServerContext, AppContext>({
    schema,
    graphqlEndpoint: GRAPHQL_PATH,
    landingPage: false,
    // useHttpGuard enforces BODY_LIMIT_BYTES for less per request.
    maxRequestBodySize: false,
    graphiql: config.graphiql && { title: 'Janus GraphiQL' },
    renderGraphiQL: createGraphiQLRenderer(),
    logging: logger,
    context: ({ req }) => ({ services, clientIp: clientAddressOf(req, config.trustProxy) }),
    maskedErrors: { maskError: createErrorMask(logger) },
    healthCheckEndpoint: HEALTH_PATH,
    plugins: [
      useMetrics(options.metrics, { restBasePath: REST_BASE_PATH, graphqlPath: GRAPHQL_PATH, routes }),
      useStacklessResultCopies(),
      // Right after metrics, before every other request hook: a token Janus never issued is refused
      // before anything else is read or checked, at the cost of as few hooks as possible.
      useJanusAuth({
        checkToken: (token) => services.tokens.checkAccessToken(token),
        principalOf: (claims) => services.tokens.principalOf(claims),
        toError: (error) => toGraphQLError(error, logger),
        answerEarly: createEarlyAnswers({
          graphqlPath: GRAPHQL_PATH,
          isRestOperation: (pathname) => routeAt(routes, REST_BASE_PATH, pathname) !== undefined,
          respondRest: respond,
        }),
      }),
      useHttpGuard(respond),
      useReadiness(options.orm, respond),
      useJwks(options.publicJwks),
      useRestDocs({ basePath: REST_BASE_PATH, respond: (error) => respond([error]) }),
      useOpenApiDocument(`${REST_BASE_PATH}${OPENAPI_PATH}`, buildOpenApiDocument(schema, API_INFO), (error) => respond([error])),
      useRestGuard({
        basePath: REST_BASE_PATH,
        routes,
        bodyLimitBytes: BODY_LIMIT_BYTES,
        respond: (error) => respond([error]),
      }),
      EnvelopArmorPlugin({
        maxDepth: { n: 10, flattenFragments: true, ignoreIntrospection: true, ...asValidationErrors },
        maxAliases: { n: 10, ...asValidationErrors },
        maxTokens: { n: 1000 },
        maxDirectives: { n: 20, ...asValidationErrors },
        costLimit: { maxCost: 5000, ...asValidationErrors },
        blockFieldSuggestion: { enabled: config.production },
      }),
      useIntrospectionLimit(INTROSPECTION_LIST_NESTING),
      ...(config.introspection ? [] : [useDisableIntrospection()]),
      useRateLimits({
        ...config.loginRateLimit,
        store: options.rateLimitStore,
        clientIp: (context) => context.clientIp,
      }),
      useSofa({
        basePath: REST_BASE_PATH,
        routes: sofaRoutesOf(routes),
        ignore: [...SOFA_FULL_OBJECT_FIELDS],
        errorHandler: respond,
      }),
    ],
  });
}
