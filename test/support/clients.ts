import createClient, { type Client, type Middleware } from 'openapi-fetch';
import { ClientError, GraphQLClient } from 'graphql-request';
import type { paths } from '../../generated/rest-api.ts';
import { assertDocumentedAnswer } from './openapi-responses.ts';

export type RestClient = Client<paths>;

export function authorization(token: string | undefined): Record<string, string> {
  return token ? { authorization: `Bearer ${token}` } : {};
}

/** Every answer a typed REST client receives is checked against generated/openapi.json. */
function documentedAnswers(restUrl: string): Middleware {
  return {
    async onResponse({ request, response }) {
      const text = await response.clone().text();
      assertDocumentedAnswer({
        method: request.method,
        path: request.url.slice(restUrl.length),
        status: response.status,
        headers: response.headers,
        body: text ? (JSON.parse(text) as unknown) : undefined,
      });
      return undefined;
    },
  };
}

/** openapi-fetch typed by generated/rest-api.ts: a route or argument the document drops fails the type check. */
export function restClient(restUrl: string, token?: string): RestClient {
  const client = createClient<paths>({ baseUrl: restUrl, headers: authorization(token) });
  client.use(documentedAnswers(restUrl));
  return client;
}

export function graphqlClient(graphqlUrl: string, token?: string): GraphQLClient {
  return new GraphQLClient(graphqlUrl, { headers: authorization(token) });
}

export interface GraphQLFailure {
  code?: string;
  message?: string;
  extensions?: Record<string, unknown>;
  status: number;
}

/** The first error's code and the HTTP status of a GraphQL answer that carried errors; rethrows anything else. */
export function graphqlFailure(error: unknown): GraphQLFailure {
  if (!(error instanceof ClientError)) throw error;
  const first = error.response.errors?.[0];
  const code = first?.extensions?.code;
  return { code: typeof code === 'string' ? code : undefined, message: first?.message, extensions: first?.extensions, status: error.response.status };
}
