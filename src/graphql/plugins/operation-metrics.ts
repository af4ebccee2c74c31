import type { Plugin } from 'graphql-yoga';
import { DomainError, isErrorCode } from '../../shared/errors.ts';
import { currentRequest } from '../../shared/request-context.ts';
import type { Context } from '../context.ts';
import type { OperationFactsCache } from '../operation-facts.ts';

const LOGIN = 'Mutation.loginUser';

/** The one metric counted here; the registry is the edge's (src/http/metrics.ts). */
export interface LoginCounter {
  logins: { inc(labels: { outcome: string }): void };
}

/**
 * Names the operation of each request for the edge's metrics and access log (from the schema's
 * root fields, never from client text), and counts logins by outcome.
 */
export function useOperationMetrics(metrics: LoginCounter, facts: OperationFactsCache): Plugin<Context> {
  return {
    onExecute({ args }) {
      const operation = facts.of(args.document, args.operationName);
      const request = currentRequest();
      // REST requests are named by their route at the edge already.
      if (request && request.operation === undefined) request.operation = operation.label;
      if (!operation.rootFields.includes(LOGIN)) return;
      return {
        onExecuteDone({ result }) {
          if (!('errors' in result || 'data' in result)) return;
          const [error] = result.errors ?? [];
          const original = error?.originalError;
          const code = original instanceof DomainError ? original.code : error?.extensions.code;
          // A label takes only values from a closed set: the success, one of Janus's codes, or `error`.
          metrics.logins.inc({ outcome: error ? (isErrorCode(code) ? code : 'error') : 'success' });
        },
      };
    },
  };
}
