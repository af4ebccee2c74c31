import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type Provider from 'oidc-provider';
import type { Adapter, AdapterPayload, Interaction } from 'oidc-provider';
import { MfaRequiredError } from '../auth/errors.ts';
import { isClientToken } from '../auth/jwt.ts';
import type { AccountService } from '../accounts/service.ts';
import type { AuditLog } from '../audit/service.ts';
import type { MfaService } from '../mfa/service.ts';
import type { FieldLimiter } from '../ratelimit/plugin.ts';
import type { Authentication, TokenService } from '../tokens/service.ts';
import { readBody } from '../http/body.ts';
import { DomainError } from '../shared/errors.ts';
import { InvalidMfaTokenError } from '../mfa/errors.ts';
import { PAGE_HEADERS, renderCodePage, renderConsentPage, renderLoginPage } from './pages.ts';
import { OIDC_SCOPES, acrOf, scopeList } from './scopes.ts';

/** What Janus keeps about an interaction between its pages (beside oidc-provider's own record). */
interface InteractionState extends AdapterPayload {
  /** Bound to this interaction: every form carries it, every POST must return it. */
  csrf: string;
  /** Set once the password was right and a second factor is due (mfa.verify completes it). */
  mfaToken?: string;
  /** Set once the login is complete: the Janus session it opened becomes the grant's. */
  login?: { userId: string; sessionId: string; amr: string[]; authTime: number; permissions: string[] };
}

export interface InteractionDeps {
  provider: Provider;
  /** Where the state above is kept: the provider's own table, as model `JanusInteraction`. */
  state: Adapter;
  accounts: Pick<AccountService, 'login'>;
  mfa: Pick<MfaService, 'verify'>;
  tokens: Pick<TokenService, 'checkAccessToken'>;
  audit: Pick<AuditLog, 'recordAlone'>;
  /** `loginUser`'s and `verifyMfa`'s rate limits, from the SDL: the pages count with the API. */
  limits: { login: FieldLimiter; code: FieldLimiter };
  clientIp(request: IncomingMessage): string;
  bodyLimitBytes: number;
  /** The OpenID Provider's resource indicator for Janus (its access tokens). */
  resource: string;
}

type Step = 'login' | 'code' | 'consent' | 'deny';
const STEPS: readonly Step[] = ['login', 'code', 'consent', 'deny'];
/** `/oauth/interaction/<uid>` (INTERACTION_PREFIX in provider.ts), and `/<step>` for a form's POST. */
const INTERACTION_PATH = /^\/oauth\/interaction\/([A-Za-z0-9_-]{1,64})(?:\/(login|code|consent|deny))?$/;

/** What a page says about a refused step: the message, status and headers of the error. */
interface Problem {
  message: string;
  status?: number;
  headers?: Readonly<Record<string, string>>;
}

/**
 * The password-and-code checks speak Janus's errors: the page shows their message (never whether
 * an email exists); too many attempts answer 429 with Retry-After, as the API does.
 */
function problemOf(error: unknown): Problem {
  if (!(error instanceof DomainError)) throw error;
  return { message: error.message, status: error.code === 'RATE_LIMITED' ? 429 : 400, headers: error.headers };
}

function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

function send(response: ServerResponse, status: number, html: string, headers: Readonly<Record<string, string>> = {}): void {
  response.writeHead(status, { ...headers, ...PAGE_HEADERS });
  response.end(html);
}

function seeOther(response: ServerResponse, location: string): void {
  response.writeHead(303, { location, 'cache-control': 'no-store' });
  response.end();
}

/**
 * Janus's login, second-factor and consent pages at the provider's interaction URL
 * (`/oauth/interaction/<uid>`): GET shows the step the interaction is at, each form POSTs to
 * `<uid>/<step>` with the interaction's CSRF token. The checks are Janus's own: `loginUser`'s
 * service and rate limits, `verifyMfa`'s for the code, whose login opens a Janus session like any
 * other. The consent form grants the requested scopes (the user's permissions among them) in a
 * grant whose id is that session's: revoking one revokes the other.
 */
export function createInteractionPages(deps: InteractionDeps) {
  const { provider, state } = deps;

  async function stateOf(uid: string, interaction: Interaction): Promise<InteractionState> {
    const found = (await state.find(uid)) as InteractionState | undefined;
    if (found) return found;
    const fresh: InteractionState = { csrf: randomBytes(32).toString('base64url') };
    await save(uid, interaction, fresh);
    return fresh;
  }

  const save = (uid: string, interaction: Interaction, value: InteractionState): Promise<void> =>
    state.upsert(uid, value, Math.max(1, interaction.exp - Math.floor(Date.now() / 1000)));

  async function clientNameOf(interaction: Interaction): Promise<string> {
    const client = await provider.Client.find(interaction.params.client_id);
    return client?.clientName ?? interaction.params.client_id;
  }

  /** The scopes the consent grants: those requested that the user can hold (OIDC ones, and the role's permissions). */
  function grantableScopes(interaction: Interaction, permissions: readonly string[]): string[] {
    const holdable = new Set<string>([...OIDC_SCOPES, ...permissions]);
    return scopeList(interaction.params.scope).filter((scope) => holdable.has(scope));
  }

  async function show(response: ServerResponse, uid: string, interaction: Interaction, current: InteractionState, problem?: Problem, email?: string): Promise<void> {
    const base = `/oauth/interaction/${uid}`;
    const form = { csrf: current.csrf, clientName: await clientNameOf(interaction), error: problem?.message };
    const status = problem ? (problem.status ?? 400) : 200;
    const headers = problem?.headers;
    if (current.login) {
      const scopes = grantableScopes(interaction, current.login.permissions);
      return send(response, status, renderConsentPage({ ...form, action: `${base}/consent`, denyAction: `${base}/deny`, scopes }), headers);
    }
    if (current.mfaToken) return send(response, status, renderCodePage({ ...form, action: `${base}/code` }), headers);
    return send(response, status, renderLoginPage({ ...form, action: `${base}/login`, email }), headers);
  }

  /** The login a Janus Authentication proves, as the interaction keeps it. */
  async function loginOf(authentication: Authentication): Promise<NonNullable<InteractionState['login']>> {
    const check = await deps.tokens.checkAccessToken(authentication.token);
    if (check.status !== 'valid' || isClientToken(check.claims)) throw new Error('a fresh login token did not verify');
    const { sub, sid, amr, auth_time } = check.claims;
    return { userId: sub, sessionId: sid, amr, authTime: auth_time, permissions: authentication.permissions };
  }

  async function submit(request: IncomingMessage, response: ServerResponse, uid: string, step: Step, interaction: Interaction): Promise<void> {
    const current = await stateOf(uid, interaction);
    const form = new URLSearchParams((await readBody(request, deps.bodyLimitBytes)).toString('utf8'));
    // A forged cross-site post has no way to read the token off the page.
    if (!sameText(form.get('csrf') ?? '', current.csrf)) return show(response, uid, interaction, current, { message: 'The form expired: please try again' });
    const ip = deps.clientIp(request);

    if (step === 'login' && !current.login) {
      const email = form.get('email') ?? '';
      const password = form.get('password') ?? '';
      try {
        await deps.limits.login({ ip }, { email });
        current.login = await loginOf(await deps.accounts.login(email, password));
      } catch (error) {
        const mfaToken = error instanceof MfaRequiredError ? (error.extensions.mfaToken as string | undefined) : undefined;
        if (!mfaToken) return show(response, uid, interaction, current, problemOf(error), email);
        current.mfaToken = mfaToken;
      }
      await save(uid, interaction, current);
      return seeOther(response, `/oauth/interaction/${uid}`);
    }

    if (step === 'code' && current.mfaToken && !current.login) {
      try {
        await deps.limits.code({ ip }, { mfaToken: current.mfaToken });
        current.login = await loginOf(await deps.mfa.verify(current.mfaToken, form.get('code') ?? ''));
        delete current.mfaToken;
      } catch (error) {
        // A dead challenge (expired, too many wrong codes): back to the password.
        if (error instanceof InvalidMfaTokenError) delete current.mfaToken;
        await save(uid, interaction, current);
        return show(response, uid, interaction, current, problemOf(error));
      }
      await save(uid, interaction, current);
      return seeOther(response, `/oauth/interaction/${uid}`);
    }

    if (step === 'deny') {
      await state.destroy(uid);
      return provider.interactionFinished(request, response, { error: 'access_denied', error_description: 'The user denied the request' }, { mergeWithLastSubmission: false });
    }

    if (step === 'consent' && current.login) {
      const { userId, sessionId, amr, authTime, permissions } = current.login;
      const scopes = grantableScopes(interaction, permissions);
      // The grant's id is the login's Janus session: its access tokens carry it as `sid`.
      const grant = new provider.Grant({ jti: sessionId, accountId: userId, clientId: interaction.params.client_id });
      // Every scope is both an OpenID scope (oidc-provider's list holds them all) and one of Janus's
      // resource (its access tokens): the grant holds them as both.
      if (scopes.length > 0) {
        grant.addOIDCScope(scopes.join(' '));
        grant.addResourceScope(deps.resource, scopes.join(' '));
      }
      const grantId = await grant.save();
      // After the grant is saved (oidc-provider's adapter writes it on its own connection).
      await deps.audit.recordAlone('oauth.consent', userId);
      await state.destroy(uid);
      return provider.interactionFinished(
        request,
        response,
        { login: { accountId: userId, amr, acr: acrOf(amr), ts: authTime }, consent: { grantId } },
        { mergeWithLastSubmission: false },
      );
    }
    // A step out of order (a stale tab): show where the interaction is.
    return seeOther(response, `/oauth/interaction/${uid}`);
  }

  return {
    matches: (pathname: string): boolean => INTERACTION_PATH.test(pathname),
    async handle(request: IncomingMessage, response: ServerResponse, pathname: string): Promise<void> {
      const [, uid, rawStep] = INTERACTION_PATH.exec(pathname) ?? [];
      const step = STEPS.find((known) => known === rawStep);
      const method = request.method ?? 'GET';
      if (!uid || (step ? method !== 'POST' : method !== 'GET' && method !== 'HEAD')) {
        response.writeHead(405, { allow: step ? 'POST' : 'GET, HEAD' });
        return void response.end();
      }
      // Checks the interaction cookie against the uid: an interaction is only ever the browser's that began it.
      const interaction = await provider.interactionDetails(request, response);
      if (interaction.uid !== uid) return seeOther(response, `/oauth/interaction/${interaction.uid}`);
      if (step) return submit(request, response, uid, step, interaction);
      return show(response, uid, interaction, await stateOf(uid, interaction));
    },
  };
}
