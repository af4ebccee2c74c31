import type { GraphQLError, ValidationContext } from 'graphql';
import { createYoga, type YogaLogger, type YogaServerInstance } from 'graphql-yoga';
import { useSofa } from '@graphql-yoga/plugin-sofa';
import { useDisableIntrospection } from '@graphql-yoga/plugin-disable-introspection';
import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import type { GraphQLSchema } from 'graphql';
import type { Logger } from 'pino';
import { useJanusAuth } from '../auth/plugin.ts';
import { limiterOptionsOf, useRateLimits, type RateLimitSettings } from '../ratelimit/plugin.ts';
import type { RateLimitStore } from '../ratelimit/store.ts';
import { fullObjectFieldsOf, sofaRoutesOf, type RestRoute } from '../rest/routes.ts';
import { createErrorMask, createRestErrorHandler, toGraphQLError, type ErrorRenderer } from '../shared/client-errors.ts';
import type { AppContext, EdgeContext, Services } from './context.ts';
import { createGraphiQLRenderer, useGraphiQLHeaders } from './graphiql.ts';
import { useIntrospectionLimit } from './introspection-limit.ts';
import { createOperationFacts } from './operation-facts.ts';
import { useOperationMetrics, type LoginCounter } from './plugins/operation-metrics.ts';

/** types → fields → args: as deep as GraphiQL's standard introspection query nests lists. */
const INTROSPECTION_LIST_NESTING = 3;

export type OperationsServer = YogaServerInstance<EdgeContext, AppContext>;

export interface OperationsOptions {
  schema: GraphQLSchema;
  graphqlPath: string;
  rest: { basePath: string; routes: readonly RestRoute[] };
  config: RateLimitSettings & { production: boolean; graphiql: boolean; introspection: boolean; reauthMaxAgeSeconds: number };
  services: Services;
  logger: Logger;
  /** The one error renderer, shared with the edge: SOFA's REST errors go through it too. */
  errors: ErrorRenderer;
  rateLimitStore: RateLimitStore;
  metrics: LoginCounter;
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
 * Yoga logs every error its mask replaced; the mask (src/shared/client-errors.ts) has already
 * logged the unexpected ones once, with their stack and request id, and client errors are not
 * faults: Yoga's own error lines go to debug.
 */
function yogaLogger(logger: Logger): YogaLogger {
  return {
    debug: (...args) => logger.debug({ yoga: args }, 'yoga'),
    info: (...args) => logger.info({ yoga: args }, 'yoga'),
    warn: (...args) => logger.warn({ yoga: args }, 'yoga'),
    error: (...args) => logger.debug({ yoga: args }, 'yoga error'),
  };
}

/**
 * The operations: GraphQL at `graphqlPath` and its SOFA mirror under the REST base path, both
 * executed by one Yoga/envelop pipeline (auth, limits, rate limits, metrics). HTTP concerns —
 * plain endpoints, CORS, the body, the bearer token — are the edge's (src/http/edge.ts).
 */
export function createOperations(options: OperationsOptions): OperationsServer {
  const { config, services, logger, schema } = options;
  const facts = createOperationFacts(schema);
  return createYoga<EdgeContext, AppContext>({
    schema,
    graphqlEndpoint: options.graphqlPath,
    landingPage: false,
    // The edge has read the body within its limit.
    maxRequestBodySize: false,
    // CORS is the edge's, by allow-list.
    cors: false,
    graphiql: config.graphiql && { title: 'Janus GraphiQL' },
    renderGraphiQL: createGraphiQLRenderer(),
    logging: yogaLogger(logger),
    context: ({ clientIp, credential }) => ({ services, clientIp, credential }),
    maskedErrors: { maskError: createErrorMask(logger) },
    plugins: [
      ...(config.graphiql ? [useGraphiQLHeaders()] : []),
      useOperationMetrics(options.metrics, facts),
      useJanusAuth({
        facts,
        principalOf: (claims) => services.tokens.principalOf(claims),
        toError: (error) => toGraphQLError(error, logger),
        reauthMaxAgeSeconds: config.reauthMaxAgeSeconds,
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
      useRateLimits({ ...limiterOptionsOf(config, options.rateLimitStore), clientIp: (context) => context.clientIp }),
      useSofa({
        basePath: options.rest.basePath,
        routes: sofaRoutesOf(options.rest.routes),
        ignore: fullObjectFieldsOf(schema),
        errorHandler: createRestErrorHandler(options.errors),
      }),
    ],
  });
}
