import { randomUUID } from 'node:crypto';
import { GraphQLError } from 'graphql';
import { Response } from 'fets';
import { ConnectionException } from '@mikro-orm/core';
import { DomainError, ERROR_STATUS, ServiceUnavailableError, isErrorCode, withoutStack, type ErrorCode } from './errors.ts';
import type { Logger } from 'pino';
import { currentRequest } from './request-context.ts';
import type { Reply } from './reply.ts';
import { withoutArgumentValues } from './argument-values.ts';

/**
 * The one place that turns failures into what clients see, for both surfaces:
 * domain errors keep their message and code; errors graphql-js raises about the request itself
 * (parse, validation, variable coercion) are the client's; anything else is masked and logged.
 */

interface ClientError {
  message: string;
  code: ErrorCode;
  headers?: Readonly<Record<string, string>>;
  /**
   * The status graphql-yoga gave a request error (unparseable JSON, bad parameters, a document
   * that does not parse or validate, a mutation over GET), kept so GraphQL-over-HTTP status codes
   * survive the mapping; `spec` marks those the spec answers with 200 on `application/json`.
   */
  http?: { status?: number; spec?: boolean };
  /** What a DomainError adds to `extensions` beside its code (e.g. `mfaToken`); never the code. */
  extensions?: Readonly<Record<string, unknown>>;
}

interface HttpExtension {
  status?: number;
  spec?: boolean;
  headers?: Record<string, string>;
}

/** The error and the errors it wraps, outermost first. */
function chainOf(error: unknown): unknown[] {
  const chain = [error];
  for (let current = error; current instanceof GraphQLError && current.originalError; current = current.originalError) {
    chain.push(current.originalError);
  }
  return chain;
}

function codeOf(error: unknown): ErrorCode | undefined {
  const code = error instanceof GraphQLError ? error.extensions.code : undefined;
  return isErrorCode(code) ? code : undefined;
}

const CONNECTION_ERRORS = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', '57P01', '57P02', '57P03', '08000', '08003', '08006']);

/** The database could not be reached or dropped the connection: not the client's fault, nor a bug. */
function isConnectionFailure(error: unknown): boolean {
  if (error instanceof ConnectionException) return true;
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  return (
    (typeof code === 'string' && CONNECTION_ERRORS.has(code)) ||
    /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error/i.test(error.message)
  );
}

/**
 * The status Yoga gave a request error, as GraphQL over HTTP asks. Yoga marks with `spec` the
 * errors that `application/json` answers with 200 (a document that does not parse or validate),
 * except where the request never reached GraphQL (its JSON did not parse: Yoga keeps that cause
 * in `extensions.originalError`), which is a 400 on every media type.
 */
function requestErrorStatusOf(error: GraphQLError): (HttpExtension & { status: number }) | undefined {
  const http = error.extensions.http as HttpExtension | undefined;
  if (!http?.status) return undefined;
  const reachedGraphQL = error.extensions.originalError === undefined;
  return { status: http.status, spec: http.spec === true && reachedGraphQL, headers: http.headers };
}

function classify(error: unknown, logger: Logger): ClientError {
  const chain = chainOf(error);
  const domain = chain.find((link) => link instanceof DomainError);
  if (domain) return { message: domain.message, code: domain.code, headers: domain.headers, extensions: domain.extensions };
  const outer = chain[0];
  if (outer instanceof GraphQLError) {
    const code = codeOf(outer);
    const http = requestErrorStatusOf(outer);
    if (code) {
      const own = clientErrors.has(outer) ? (outer.extensions.http as HttpExtension | undefined)?.headers : undefined;
      return { message: withoutArgumentValues(outer.message), code, headers: http?.headers ?? own, http, extensions: ownExtensionsOf(outer) };
    }
    // Without a path the error is about the request itself (its JSON, document or variables),
    // not about resolving a field: the client's mistake, whatever a scalar threw underneath.
    if (!outer.path) {
      return {
        message: withoutArgumentValues(outer.message),
        code: http?.status === 405 ? 'METHOD_NOT_ALLOWED' : 'BAD_USER_INPUT',
        headers: http?.headers,
        http,
      };
    }
  }
  const innermost = chain.at(-1);
  if (isConnectionFailure(innermost)) {
    logger.error({ err: innermost }, 'database unavailable');
    const unavailable = new ServiceUnavailableError();
    return { message: unavailable.message, code: unavailable.code };
  }
  const innerCode = codeOf(innermost);
  if (innerCode && innermost instanceof GraphQLError) return { message: innermost.message, code: innerCode };
  // The id lets support find the logged stack from what the client saw.
  const errorId = currentRequest()?.requestId ?? randomUUID();
  logger.error({ err: innermost, errorId }, 'unexpected error');
  return { message: `Unexpected error (request id ${errorId})`, code: 'INTERNAL_SERVER_ERROR' };
}

/** Errors toGraphQLError made: already what the client may see, so the mask lets them through. */
const clientErrors = new WeakSet<GraphQLError>();

/**
 * The extensions beside code and http of an error this module made (e.g. one the mask mapped
 * before SOFA handed it to the REST handler): a domain error's, so safe to show again. Those of
 * errors made elsewhere are never copied (Yoga may keep an internal cause there).
 */
function ownExtensionsOf(error: GraphQLError): Record<string, unknown> | undefined {
  if (!clientErrors.has(error)) return undefined;
  const { code: _code, http: _http, ...extensions } = error.extensions;
  return extensions;
}

export function toGraphQLError(error: unknown, logger: Logger): GraphQLError {
  if (error instanceof GraphQLError && clientErrors.has(error)) return error;
  const { message, code, headers, http, extensions } = classify(error, logger);
  const located = error instanceof GraphQLError ? error : undefined;
  const hasHeaders = headers !== undefined && Object.keys(headers).length > 0;
  // Yoga sends `http.headers` as response headers, answers with `http.status`, and never shows
  // `http` to the client.
  const httpExtension = hasHeaders || http ? { http: { ...http, ...(hasHeaders ? { headers } : {}) } } : {};
  // The client's copy needs no stack: whatever deserved one was logged by `classify`.
  const clientError = withoutStack(
    () =>
      new GraphQLError(message, {
        nodes: located?.nodes,
        path: located?.path,
        extensions: { ...extensions, code, ...httpExtension },
      }),
  );
  clientErrors.add(clientError);
  return clientError;
}

/**
 * Yoga's `maskedErrors.maskError`: every GraphQL error passes through here before it is sent,
 * including those the auth plugin already mapped (returned as they are).
 */
export function createErrorMask(logger: Logger): (error: unknown) => GraphQLError {
  return (error) => toGraphQLError(error, logger);
}

const JSON_TYPE = 'application/json; charset=utf-8';
const GRAPHQL_RESPONSE_TYPE = 'application/graphql-response+json; charset=utf-8';

/**
 * The one error renderer: every error a client sees, on either surface and wherever it is
 * refused (at the edge, in the pipeline, in a resolver), is shaped here.
 */
export interface ErrorRenderer {
  /** The REST body (`{ errors }`) with the highest status among the errors. */
  rest(errors: readonly unknown[]): Reply;
  /**
   * A GraphQL response of errors only, for a request refused before execution, in the JSON media
   * type the client prefers. Transport errors (415, 413) answer with their status; an error
   * GraphQL reports in-band (`inBand`: an auth failure) answers 200, as it does from execution.
   */
  graphql(errors: readonly unknown[], accept: string | undefined, options?: { inBand?: boolean }): Reply;
}

/** Whether a client prefers `application/graphql-response+json` (it lists it before, or without, `application/json`). */
function prefersGraphQLResponse(accept: string | undefined): boolean {
  const index = accept?.indexOf('application/graphql-response+json') ?? -1;
  if (index < 0) return false;
  const json = accept?.indexOf('application/json') ?? -1;
  return json < 0 || index < json;
}

export function createErrorRenderer(logger: Logger): ErrorRenderer {
  const shape = (errors: readonly unknown[]) => {
    const clientErrors = errors.map((error) => classify(error, logger));
    const status = clientErrors
      .map(({ code, http }) => http?.status ?? ERROR_STATUS[code])
      .reduce((highest, next) => (next > highest ? next : highest));
    const headers: Record<string, string> = Object.assign({}, ...clientErrors.map((error) => error.headers ?? {}));
    // An error may name its own challenge (a step-up's insufficient_user_authentication).
    if (status === 401) headers['www-authenticate'] ??= 'Bearer realm="janus"';
    const body = JSON.stringify({
      errors: clientErrors.map(({ message, code, extensions }) => ({ message, extensions: { ...extensions, code } })),
    });
    return { status, headers, body };
  };
  return {
    rest(errors) {
      const { status, headers, body } = shape(errors);
      return { status, headers: { ...headers, 'content-type': JSON_TYPE }, body };
    },
    graphql(errors, accept, options = {}) {
      const { status, headers, body } = shape(errors);
      const graphqlResponse = prefersGraphQLResponse(accept);
      return {
        status: options.inBand ? 200 : status,
        headers: { ...headers, 'content-type': graphqlResponse ? GRAPHQL_RESPONSE_TYPE : JSON_TYPE },
        body,
      };
    },
  };
}

export function toResponse({ status, headers, body }: Reply): Response {
  return new Response(body ?? null, { status, headers });
}

/** SOFA's `errorHandler`: the one renderer's REST answer, as the Response SOFA returns. */
export function createRestErrorHandler(renderer: ErrorRenderer): (errors: readonly unknown[]) => Response {
  return (errors) => toResponse(renderer.rest(errors));
}
