import { randomUUID } from 'node:crypto';
import { GraphQLError } from 'graphql';
import { Response } from 'fets';
import { DomainError, ERROR_STATUS, isErrorCode, type ErrorCode } from '../shared/errors.ts';
import type { Logger } from './logger.ts';

/**
 * The one place that turns failures into what clients see, for both surfaces:
 * domain errors keep their message and code; errors graphql-js raises about the request itself
 * (parse, validation, variable coercion) are the client's; anything else is masked and logged.
 */

interface ClientError {
  message: string;
  code: ErrorCode;
}

function originalOf(error: unknown): unknown {
  let current = error;
  while (current instanceof GraphQLError && current.originalError) current = current.originalError;
  return current;
}

function classify(error: unknown, logger: Logger): ClientError {
  const original = originalOf(error);
  if (original instanceof DomainError) return { message: original.message, code: original.code };
  if (original instanceof GraphQLError) {
    const code = original.extensions.code;
    return { message: original.message, code: isErrorCode(code) ? code : 'BAD_USER_INPUT' };
  }
  const errorId = randomUUID();
  logger.error({ err: original, errorId }, 'unexpected error');
  return { message: `Unexpected error (id ${errorId})`, code: 'INTERNAL_SERVER_ERROR' };
}

export function toGraphQLError(error: unknown, logger: Logger): GraphQLError {
  const { message, code } = classify(error, logger);
  const located = error instanceof GraphQLError ? error : undefined;
  return new GraphQLError(message, {
    nodes: located?.nodes,
    path: located?.path,
    extensions: { code },
  });
}

/** Yoga's `maskedErrors.maskError`: every GraphQL error passes through here before it is sent. */
export function createErrorMask(logger: Logger): (error: unknown) => GraphQLError {
  return (error) => toGraphQLError(error, logger);
}

/** SOFA's `errorHandler`: the REST body and the highest status among the errors. */
export function createRestErrorHandler(logger: Logger): (errors: readonly unknown[]) => Response {
  return (errors) => {
    const clientErrors = errors.map((error) => classify(error, logger));
    const status = clientErrors
      .map(({ code }) => ERROR_STATUS[code])
      .reduce((highest, next) => (next > highest ? next : highest));
    const headers: Record<string, string> = {};
    if (status === 401) headers['www-authenticate'] = 'Bearer realm="janus"';
    const body = { errors: clientErrors.map(({ message, code }) => ({ message, extensions: { code } })) };
    return Response.json(body, { status, headers });
  };
}
