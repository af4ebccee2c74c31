import type { GraphQLError, GraphQLSchema } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { useGenericAuth } from '@envelop/generic-auth';
import type { Context } from '../graphql/context.ts';
import { createDocumentCache } from '../graphql/document-cache.ts';
import { createKnownOperations } from '../graphql/known-operations.ts';
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
 * The one auth path of Janus. The caller behind a request's bearer token is resolved once per
 * request, here and nowhere else, into `context.principal` (generic-auth) for every operation,
 * GraphQL or REST (SOFA executes through this same envelop pipeline). Access rules come from the
 * SDL markers, compiled once per schema; each execution only looks up the rules of the root
 * fields it selects (cached per parsed document), instead of generic-auth's per-request walk.
 *
 * The check runs where it is first possible. For a GraphQL request whose exact operation text
 * already reached execution once, the rules are known as soon as Yoga has the request's
 * parameters (`onParams`): a refused caller is answered there, before parsing, validation and
 * the rest of the pipeline, which is most of the cost of refusing a flood of bad tokens. Any
 * other operation (first sight of a text, REST) is checked in `onExecute`, with the same rules,
 * the same principal and the same error.
 */
export function useJanusAuth(options: JanusAuthOptions): Plugin<Context> {
  let schema: GraphQLSchema | undefined;
  let rules = new Map<string, AccessRule>();
  const rulesByDocument = createDocumentCache((document, operationName) =>
    schema ? rulesOfOperation(rules, schema, document, operationName) : [],
  );
  const rulesByText = createKnownOperations<AccessRule[]>();

  const principals = new WeakMap<Request, Promise<Principal | null>>();
  async function resolvePrincipal(request: Request): Promise<Principal | null> {
    const token = bearerToken(request);
    const principal = token ? await options.authenticate(token) : null;
    const logged = currentRequest();
    if (principal && logged) logged.actorId = principal.user.id;
    return principal;
  }
  function principalOf(request: Request): Promise<Principal | null> {
    let principal = principals.get(request);
    if (!principal) principals.set(request, (principal = resolvePrincipal(request)));
    return principal;
  }
  // The same few refusals again and again (no valid token, a missing permission), each the same
  // immutable client error: made once, not once per refused request.
  const refusals = new Map<string, GraphQLError>();
  const refusal = (operationRules: AccessRule[], principal: Principal | null): GraphQLError | undefined => {
    const denied = checkAccess(operationRules, principal);
    if (!denied) return undefined;
    const key = `${denied.code} ${denied.message}`;
    let error = refusals.get(key);
    if (!error) refusals.set(key, (error = options.toError(denied)));
    return error;
  };

  return {
    onPluginInit({ addPlugin }) {
      const resolveIntoContext = useGenericAuth<Principal, Context, 'principal'>({
        mode: 'resolve-only',
        contextFieldName: 'principal',
        resolveUserFn: (context) => principalOf(context.request),
      });
      // generic-auth types its plugin with a context of its own making (it adds `validateUser`,
      // which resolve-only mode never sets); at run time it only reads `request` and writes `principal`.
      addPlugin(resolveIntoContext as unknown as Plugin<Context>);
    },
    onSchemaChange({ schema: next }) {
      schema = next;
      rules = compileAccessRules(next);
      rulesByDocument.clear();
      rulesByText.clear();
    },
    async onParams({ params, request, setResult }) {
      const operationRules = rulesByText.get(params);
      if (!operationRules) return;
      const error = refusal(operationRules, await principalOf(request));
      if (error) setResult({ errors: [error] });
    },
    onExecute({ args, setResultAndStopExecution }) {
      const operationRules = rulesByDocument.get(args.document, args.operationName);
      rulesByText.learn(args.contextValue.params, operationRules);
      const error = refusal(operationRules, args.contextValue.principal ?? null);
      if (error) setResultAndStopExecution({ errors: [error] });
    },
  };
}
