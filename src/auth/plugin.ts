import type { GraphQLError, GraphQLSchema } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { useGenericAuth } from '@envelop/generic-auth';
import type { Context } from '../graphql/context.ts';
import { createDocumentCache } from '../graphql/document-cache.ts';
import { checkAccess, compileAccessRules, rulesOfOperation, type AccessRule } from './access-rules.ts';
import type { Principal } from './principal.ts';
import { currentRequest } from '../shared/request-context.ts';

export interface JanusAuthOptions {
  /** Resolves the caller from a bearer token; null when the token is not valid. */
  authenticate(accessToken: string): Promise<Principal | null>;
  /** Turns a failed check into the error clients see (the central error mapping). */
  toError(error: Error): GraphQLError;
}

const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;

function bearerToken(request: Request): string | undefined {
  return BEARER.exec(request.headers.get('authorization') ?? '')?.[1];
}

/**
 * The one auth path of Janus. generic-auth resolves the caller into `context.principal` for
 * every operation, GraphQL or REST (SOFA executes through this same envelop pipeline). Access
 * rules come from the SDL markers, compiled once per schema; each execution only looks up the
 * rules of the root fields it selects (cached per parsed document), instead of generic-auth's
 * per-request walk of the whole document.
 */
export function useJanusAuth(options: JanusAuthOptions): Plugin<Context> {
  let schema: GraphQLSchema | undefined;
  let rules = new Map<string, AccessRule>();
  const rulesByDocument = createDocumentCache((document, operationName) =>
    schema ? rulesOfOperation(rules, schema, document, operationName) : [],
  );

  return {
    onPluginInit({ addPlugin }) {
      const resolvePrincipal = useGenericAuth<Principal, Context, 'principal'>({
        mode: 'resolve-only',
        contextFieldName: 'principal',
        resolveUserFn: async (context) => {
          const token = bearerToken(context.request);
          const principal = token ? await options.authenticate(token) : null;
          const request = currentRequest();
          if (principal && request) request.actorId = principal.user.id;
          return principal;
        },
      });
      // generic-auth types its plugin with a context of its own making (it adds `validateUser`,
      // which resolve-only mode never sets); at run time it only reads `request` and writes `principal`.
      addPlugin(resolvePrincipal as unknown as Plugin<Context>);
    },
    onSchemaChange({ schema: next }) {
      schema = next;
      rules = compileAccessRules(next);
      rulesByDocument.clear();
    },
    onExecute({ args, setResultAndStopExecution }) {
      const denied = checkAccess(rulesByDocument.get(args.document, args.operationName), args.contextValue.principal ?? null);
      if (denied) setResultAndStopExecution({ errors: [options.toError(denied)] });
    },
  };
}
