import type { TestServer } from './server.ts';

export type Surface = 'graphql' | 'rest';
export const SURFACES: Surface[] = ['graphql', 'rest'];

/** One operation, as a GraphQL client and as a REST client would send it. */
export interface OperationCall {
  document: string;
  operationName: string;
  /** The root field whose value is the answer. */
  field: string;
  variables?: Record<string, unknown>;
  rest: { method: 'GET' | 'POST'; path: string; body?: Record<string, unknown> };
}

export interface Outcome<T> {
  /** The field's value when the call succeeded. */
  data?: T;
  /** The first error's code, when it failed. */
  code?: string;
  status: number;
}

interface ErrorsBody {
  errors?: { message: string; extensions?: { code?: string } }[];
}

/** Runs `call` on `surface` and reduces both answers to the same shape, so a test can assert once for both. */
export async function perform<T>(server: TestServer, surface: Surface, call: OperationCall, token?: string): Promise<Outcome<T>> {
  if (surface === 'graphql') {
    const response = await server.graphql<Record<string, T>>(call.document, {
      operationName: call.operationName,
      variables: call.variables,
      token,
    });
    const error = response.body.errors?.[0];
    return error
      ? { code: error.extensions?.code, status: response.status }
      : { data: response.body.data?.[call.field], status: response.status };
  }
  const response = await server.rest<T & ErrorsBody>(call.rest.method, call.rest.path, { body: call.rest.body, token });
  const error = (response.body as ErrorsBody | undefined)?.errors?.[0];
  return error ? { code: error.extensions?.code, status: response.status } : { data: response.body, status: response.status };
}
