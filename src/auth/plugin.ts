import type { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { useGenericAuth } from '@envelop/generic-auth';
import type { Context } from '../graphql/context.ts';
import type { OperationFactsCache } from '../graphql/operation-facts.ts';
import { currentRequest, REFUSED_OPERATION } from '../shared/request-context.ts';
import { checkAccess } from './access-rules.ts';
import type { VerifiedToken } from './jwt.ts';
import { callerIdOf, type Caller } from './principal.ts';

export interface JanusAuthOptions {
  facts: OperationFactsCache;
  /** The caller behind a valid token; null when its session was revoked or its user is gone. */
  principalOf(claims: VerifiedToken): Promise<Caller | null>;
  /** Turns a refusal into the error clients see (the one error mapping). */
  toError(error: Error): GraphQLError;
  /** How old a login @requiresRecentLogin accepts (JANUS_REAUTH_MAX_AGE). */
  reauthMaxAgeSeconds: number;
}

/**
 * Authorisation, for GraphQL and REST alike (SOFA executes through this same envelop pipeline).
 * The edge has read the bearer token once and refused a token Janus never issued
 * (src/http/edge.ts); what reaches this plugin is `context.credential`: a valid token's claims,
 * an expired token, or none. Here, once per operation:
 * - the caller behind a valid token is loaded once into `context.principal` (generic-auth's
 *   resolve-only mode), and only when there is a valid token;
 * - the access rules of the root fields the operation selects (compiled once from the SDL, looked
 *   up per parsed document in the operation facts) are checked before execution. Resolvers
 *   never check again.
 */
export function useJanusAuth(options: JanusAuthOptions): Plugin<Context> {
  async function resolvePrincipal(context: Context): Promise<Caller | null> {
    const credential = context.credential;
    if (credential?.status !== 'valid') return null;
    const principal = await options.principalOf(credential.claims);
    const logged = currentRequest();
    if (principal && logged) logged.actorId = callerIdOf(principal);
    return principal;
  }

  return {
    onPluginInit({ addPlugin }) {
      const resolveIntoContext = useGenericAuth<Caller, Context, 'principal'>({
        mode: 'resolve-only',
        contextFieldName: 'principal',
        resolveUserFn: resolvePrincipal,
      });
      // generic-auth types its plugin with a context of its own making (it adds `validateUser`,
      // which resolve-only mode never sets); at run time it only reads `request` and writes `principal`.
      addPlugin(resolveIntoContext as unknown as Plugin<Context>);
    },
    onExecute({ args, setResultAndStopExecution }) {
      const { rules } = options.facts.of(args.document, args.operationName);
      const { credential, principal } = args.contextValue;
      // A token was sent but brought no caller: expired, or its session was revoked (not valid any more).
      const tokenProblem = credential === undefined ? undefined : credential.status === 'expired' ? 'expired' : 'invalid';
      const policy = { reauthMaxAgeSeconds: options.reauthMaxAgeSeconds, nowSeconds: Math.floor(Date.now() / 1000) };
      const denied = checkAccess(rules, principal ?? null, policy, tokenProblem);
      if (!denied) return;
      const logged = currentRequest();
      if (logged) logged.operation = REFUSED_OPERATION;
      setResultAndStopExecution({ errors: [options.toError(denied)] });
    },
  };
}
