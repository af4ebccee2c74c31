import { randomUUID } from 'node:crypto';
import { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { Response } from 'fets';
import { ConnectionException } from '@mikro-orm/core';
import { DomainError, ERROR_STATUS, ServiceUnavailableError, isErrorCode, withoutStack, type ErrorCode } from './errors.ts';
import type { Logger } from 'pino';
import { currentRequest } from './request-context.ts';

/**
 * The one place that turns failures into what clients see, for both surfaces:
 * domain errors keep their message and code; errors graphql-js raises about the request itself
 * (parse, validation, variable coercion) are the client's; anything else is masked and logged.
 */

interface ClientError {
  message: string;
  code: ErrorCode;
  headers?: Readonly<Record<string, string>>;
}

interface HttpExtension {
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

function classify(error: unknown, logger: Logger): ClientError {
  const chain = chainOf(error);
  const domain = chain.find((link) => link instanceof DomainError);
  if (domain) return { message: domain.message, code: domain.code, headers: domain.headers };
  const outer = chain[0];
  if (outer instanceof GraphQLError) {
    const code = codeOf(outer);
    if (code) return { message: outer.message, code, headers: (outer.extensions.http as HttpExtension | undefined)?.headers };
    // Without a path the error is about the request itself (its JSON, document or variables),
    // not about resolving a field: the client's mistake, whatever a scalar threw underneath.
    if (!outer.path) return { message: outer.message, code: 'BAD_USER_INPUT' };
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

export function toGraphQLError(error: unknown, logger: Logger): GraphQLError {
  if (error instanceof GraphQLError && clientErrors.has(error)) return error;
  const { message, code, headers } = classify(error, logger);
  const located = error instanceof GraphQLError ? error : undefined;
  // The client's copy needs no stack: whatever deserved one was logged by `classify`.
  const clientError = withoutStack(
    () =>
      new GraphQLError(message, {
        nodes: located?.nodes,
        path: located?.path,
        // Yoga sends `http.headers` as response headers and never shows `http` to the client.
        extensions: headers && Object.keys(headers).length > 0 ? { code, http: { headers } } : { code },
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

/**
 * Before serialising a GraphQL result, Yoga copies each of its errors (to drop `http` from the
 * extensions), and every copy captures a stack: measured at a tenth of the time of answering a
 * request with a rejected token. The copies are serialised and dropped at once, so they are made
 * without; errors that deserve a stack were logged before this point (`classify`).
 */
export function useStacklessResultCopies(): Plugin {
  return { instrumentation: { resultProcess: (_request, processResult) => withoutStack(processResult) } };
}

/** SOFA's `errorHandler`: the REST body and the highest status among the errors. */
export function createRestErrorHandler(logger: Logger): (errors: readonly unknown[]) => Response {
  return (errors) => {
    const clientErrors = errors.map((error) => classify(error, logger));
    const status = clientErrors
      .map(({ code }) => ERROR_STATUS[code])
      .reduce((highest, next) => (next > highest ? next : highest));
    const headers: Record<string, string> = Object.assign({}, ...clientErrors.map((error) => error.headers ?? {}));
    if (status === 401) headers['www-authenticate'] = 'Bearer realm="janus"';
    const body = { errors: clientErrors.map(({ message, code }) => ({ message, extensions: { code } })) };
    return Response.json(body, { status, headers });
  };
}
