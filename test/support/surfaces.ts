import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { graphqlClient, graphqlFailure, restClient, type RestClient } from './clients.ts';
import type { TestServer } from './server.ts';

export type Surface = 'graphql' | 'rest';
export const SURFACES: Surface[] = ['graphql', 'rest'];

interface ErrorBody {
  errors: { message: string; extensions: { code: string } & Record<string, unknown> }[];
}

/** What an openapi-fetch call resolves to, reduced to what `perform` reads. */
export interface RestResult<T> {
  data?: T;
  error?: ErrorBody;
  response: Response;
}

/**
 * One documented operation, as the typed GraphQL client (a generated TypedDocumentNode) and the
 * typed REST client (openapi-fetch) send it. `field` is the root field whose value is the answer.
 */
export interface OperationCall<TResult, TVariables, TField extends keyof TResult> {
  document: TypedDocumentNode<TResult, TVariables>;
  variables: TVariables;
  field: TField;
  rest(client: RestClient): Promise<RestResult<TResult[TField]>>;
}

/** Any call, for helpers that only read the outcome's code and status. */
// The result type varies per operation and is not read through this alias.
export type AnyCall = OperationCall<any, any, any>;

export interface Outcome<T> {
  /** The field's value when the call succeeded. */
  data?: T;
  /** The first error's code and message, when it failed. */
  code?: string;
  message?: string;
  /** The first error's extensions beside the code (e.g. `mfaToken`), when it failed. */
  extensions?: Record<string, unknown>;
  status: number;
}

/** Runs `call` on `surface` with the typed clients and reduces both answers to the same shape, so a test can assert once for both. */
export async function perform<TResult, TVariables, TField extends keyof TResult>(
  server: TestServer,
  surface: Surface,
  call: OperationCall<TResult, TVariables, TField>,
  token?: string,
): Promise<Outcome<TResult[TField]>> {
  if (surface === 'graphql') {
    try {
      const client = graphqlClient(server.running.graphqlUrl, token);
      // graphql-request spreads variables and headers into one rest parameter that a generic TVariables cannot satisfy.
      const request = client.request.bind(client) as (document: TypedDocumentNode<TResult, TVariables>, variables: TVariables) => Promise<TResult>;
      const data = await request(call.document, call.variables);
      return { data: data[call.field], status: 200 };
    } catch (error) {
      return graphqlFailure(error);
    }
  }
  const { data, error, response } = await call.rest(restClient(server.running.restUrl, token));
  const first = error?.errors[0];
  return first
    ? { code: first.extensions.code, message: first.message, extensions: first.extensions, status: response.status }
    : { data, status: response.status };
}
