import type { GraphQLError, GraphQLSchema } from 'graphql';
import { isPromise, type FetchAPI, type Plugin } from 'graphql-yoga';
import { useGenericAuth } from '@envelop/generic-auth';
import type { Context } from '../graphql/context.ts';
import { createDocumentCache } from '../graphql/document-cache.ts';
import { createKnownOperations } from '../graphql/known-operations.ts';
import { checkAccess, compileAccessRules, rulesOfOperation, type AccessRule } from './access-rules.ts';
import { UnauthenticatedError } from './errors.ts';
import type { AccessTokenCheck, VerifiedAccessToken } from './jwt.ts';
import type { Principal } from './principal.ts';
import { currentRequest } from '../shared/request-context.ts';
import type { DomainError } from '../shared/errors.ts';

export interface JanusAuthOptions {
  /** Checks a bearer token's signature and claims, without the database; at once when it can. */
  checkToken(accessToken: string): AccessTokenCheck | Promise<AccessTokenCheck>;
  /** The caller behind a valid token; null when its session was revoked or its user is gone. */
  principalOf(claims: VerifiedAccessToken): Promise<Principal | null>;
  /** Turns a failed check into the error clients see (the central error mapping). */
  toError(error: Error): GraphQLError;
  /**
   * The answer, in its surface's format, to a request refused before Yoga reads its body; undefined
   * when only Yoga's own pipeline can shape it (it is then refused there, with the same error).
   * At once, without a promise, when it can.
   */
  answerEarly?(refusal: EarlyRefusal): Response | undefined | Promise<Response | undefined>;
}

export interface EarlyRefusal {
  request: Request;
  url: URL;
  error: GraphQLError;
  fetchAPI: FetchAPI;
}

const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;

function bearerToken(request: Request): string | undefined {
  return BEARER.exec(request.headers.get('authorization') ?? '')?.[1];
}

/**
 * The one auth path of Janus. The bearer token of a request is checked once, here and nowhere
 * else, and the caller behind it resolved once into `context.principal` (generic-auth) for every
 * operation, GraphQL or REST (SOFA executes through this same envelop pipeline). Access rules come
 * from the SDL markers, compiled once per schema; each execution only looks up the rules of the
 * root fields it selects (cached per parsed document), instead of generic-auth's per-request walk.
 *
 * A token this Janus never issued (malformed, forged, another issuer, audience or type) refuses
 * the whole request, whatever it asks for (RFC 6750's invalid_token): it is a client bug or an
 * attack, never something to serve as if no token had come. A token it issued that has expired or
 * been revoked is the ordinary state of a client about to refresh: public fields still serve it.
 *
 * Each refusal happens where it is first possible:
 * - a token never issued here, before the body is read (`onRequest`), when `answerEarly` can
 *   shape the answer; else as soon as Yoga has the parameters;
 * - a GraphQL text that already reached execution once has rules known from the text alone
 *   (`onParams`): a refused caller is answered before parsing, validation and the rest;
 * - anything else (first sight of a text, REST) in `onExecute`, with the same rules and errors.
 */
export function useJanusAuth(options: JanusAuthOptions): Plugin<Context> {
  let schema: GraphQLSchema | undefined;
  let rules = new Map<string, AccessRule>();
  const rulesByDocument = createDocumentCache((document, operationName) =>
    schema ? rulesOfOperation(rules, schema, document, operationName) : [],
  );
  const rulesByText = createKnownOperations<AccessRule[]>();

  // Requests whose token was never issued here, known once their check has settled.
  const untrusted = new WeakSet<Request>();
  const tokenChecks = new WeakMap<Request, AccessTokenCheck | Promise<AccessTokenCheck> | undefined>();
  const settled = (request: Request, result: AccessTokenCheck): AccessTokenCheck => {
    if (result.status === 'invalid') untrusted.add(request);
    tokenChecks.set(request, result);
    return result;
  };
  function tokenCheckOf(request: Request): AccessTokenCheck | Promise<AccessTokenCheck> | undefined {
    if (tokenChecks.has(request)) return tokenChecks.get(request);
    const token = bearerToken(request);
    if (token === undefined) return void tokenChecks.set(request, undefined);
    const check = options.checkToken(token);
    if (!isPromise(check)) return settled(request, check);
    const pending = check.then((result) => settled(request, result));
    tokenChecks.set(request, pending);
    return pending;
  }

  const principals = new WeakMap<Request, Promise<Principal | null>>();
  async function resolvePrincipal(request: Request): Promise<Principal | null> {
    const check = await tokenCheckOf(request);
    const principal = check?.status === 'valid' ? await options.principalOf(check.claims) : null;
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
  const clientErrors = new Map<string, GraphQLError>();
  const clientErrorOf = (denied: DomainError): GraphQLError => {
    const key = `${denied.code} ${denied.message}`;
    let error = clientErrors.get(key);
    if (!error) clientErrors.set(key, (error = options.toError(denied)));
    return error;
  };
  const untrustedToken = new UnauthenticatedError();
  const untrustedTokenError = (): GraphQLError => clientErrorOf(untrustedToken);
  const refusal = (request: Request, operationRules: AccessRule[], principal: Principal | null): GraphQLError | undefined => {
    if (untrusted.has(request)) return untrustedTokenError();
    const denied = checkAccess(operationRules, principal);
    return denied && clientErrorOf(denied);
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
    // Returns a promise only while something is pending (a signature to verify, an answer to
    // shape for the first time): every hook after this one waits on it, and promises are most
    // of what a request costs on the way to a refusal.
    onRequest({ request, url, fetchAPI, endResponse }) {
      const { answerEarly } = options;
      const check = answerEarly && tokenCheckOf(request);
      if (!check) return;
      const refuseUntrusted = ({ status }: AccessTokenCheck): void | Promise<void> => {
        if (status !== 'invalid') return;
        const answer = answerEarly({ request, url, error: untrustedTokenError(), fetchAPI });
        if (!isPromise(answer)) return void (answer && endResponse(answer));
        return answer.then((shaped) => void (shaped && endResponse(shaped)));
      };
      return isPromise(check) ? check.then(refuseUntrusted) : refuseUntrusted(check);
    },
    async onParams({ params, request, setResult }) {
      await tokenCheckOf(request);
      if (untrusted.has(request)) return setResult({ errors: [untrustedTokenError()] });
      const operationRules = rulesByText.get(params);
      if (!operationRules) return;
      const error = refusal(request, operationRules, await principalOf(request));
      if (error) setResult({ errors: [error] });
    },
    onExecute({ args, setResultAndStopExecution }) {
      const operationRules = rulesByDocument.get(args.document, args.operationName);
      rulesByText.learn(args.contextValue.params, operationRules);
      const error = refusal(args.contextValue.request, operationRules, args.contextValue.principal ?? null);
      if (error) setResultAndStopExecution({ errors: [error] });
    },
  };
}
