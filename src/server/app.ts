import { createYoga, type YogaServerInstance } from 'graphql-yoga';
import { useSofa } from '@graphql-yoga/plugin-sofa';
import type { JWK } from 'jose';
import { useJwks } from '../auth/jwks-plugin.ts';
import { useJanusAuth } from '../auth/plugin.ts';
import type { AppContext } from '../graphql/context.ts';
import { buildSchema } from '../graphql/schema.ts';
import { createErrorMask, createRestErrorHandler, toGraphQLError } from './errors.ts';
import type { Logger } from './logger.ts';
import type { Services } from './services.ts';

export const GRAPHQL_PATH = '/graphql';
export const REST_BASE_PATH = '/rest';

export type JanusApp = YogaServerInstance<object, AppContext>;

/** GraphQL at /graphql and its SOFA mirror under /rest, both executed by one Yoga/envelop pipeline. */
export function createApp(options: { services: Services; logger: Logger; publicJwks: readonly JWK[] }): JanusApp {
  const { services, logger } = options;
  return createYoga<object, AppContext>({
    schema: buildSchema(),
    graphqlEndpoint: GRAPHQL_PATH,
    landingPage: false,
    logging: logger,
    context: () => ({ services }),
    maskedErrors: { maskError: createErrorMask(logger) },
    plugins: [
      useJwks(options.publicJwks),
      useJanusAuth({
        authenticate: (token) => services.tokens.authenticate(token),
        toError: (error) => toGraphQLError(error, logger),
      }),
      useSofa({
        basePath: REST_BASE_PATH,
        // SOFA would answer only `{ id }` for a nested object that has an id; a client of
        // login needs the whole user.
        ignore: ['AuthPayload.user', 'UserEdge.node'],
        errorHandler: createRestErrorHandler(logger),
        openAPI: {
          info: {
            title: 'Janus REST API',
            description: 'Generated from the GraphQL schema. Send `Authorization: Bearer <token>`.',
            version: '0.1.0',
          },
          components: {
            securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
          },
        },
      }),
    ],
  });
}
