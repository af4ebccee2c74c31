import { LockMode, UniqueConstraintViolationException, type EntityManager, type MikroORM } from '@mikro-orm/postgresql';
import * as oidc from 'openid-client';
import { LastSignInMethodError } from '../accounts/errors.ts';
import { findUserForUpdate } from '../accounts/queries.ts';
import { loginRefusalEvent, type SessionRule } from '../accounts/session-rule.ts';
import { User } from '../accounts/user.entity.ts';
import { tryNormalizeEmail } from '../accounts/validation.ts';
import type { AuditLog } from '../audit/service.ts';
import { MfaRequiredError, UnauthenticatedError } from '../auth/errors.ts';
import type { MfaService } from '../mfa/service.ts';
import { Role } from '../roles/role.entity.ts';
import { InvalidInputError, NotFoundError, type DomainError } from '../shared/errors.ts';
import { hashOpaqueSecret, newOpaqueSecret } from '../shared/opaque-secret.ts';
import { unsafeTextIn } from '../shared/text-rule.ts';
import type { Authentication, TokenService } from '../tokens/service.ts';
import { Identity, SignInState } from './entities.ts';
import { AccountExistsError, IdentityLinkedError, ProviderEmailNotVerifiedError, SignInFailedError } from './errors.ts';
import type { ProviderIdentity, SignInChecks, SignInProviderClient } from './providers.ts';

export interface SignInService {
  /** The configured providers' ids, in configuration order. */
  providers(): { id: string }[];
  /**
   * Begins a sign-in (or, with `userId`, the linking of a provider to that user): the URL to send
   * the browser to. State, nonce, PKCE verifier and redirect URI stay here, for STATE_TTL_SECONDS.
   */
  start(provider: string, redirectUri: string, userId?: string): Promise<{ authorizationUrl: string }>;
  /** Completes a sign-in: the account rules of docs/sign-in.md, then a session proven `fed`. */
  complete(provider: string, code: string, state: string): Promise<Authentication>;
  /** Completes the linking `start` began for `userId`. */
  link(userId: string, provider: string, code: string, state: string): Promise<Identity>;
  identities(userId: string): Promise<Identity[]>;
  /** Removes the user's identity at `provider`, unless it is their last way to sign in. */
  unlink(userId: string, provider: string): Promise<void>;
}

/** How long a started sign-in may take at the provider. */
export const STATE_TTL_SECONDS = 600;
/** RFC 8176's method reference of a federated login: @requiresMfa wants `otp`, so this never satisfies it. */
export const FEDERATED: readonly string[] = ['fed'];
/** The role an account created at its first sign-in gets: the first self-assignable role of registration. */
const DEFAULT_ROLE = 'user';
const NAME_MAX_LENGTH = 100;

/** What the callback must match, as `start` stored it: read and deleted in one statement, so it works once. */
const CONSUME_STATE_SQL = `
  delete from sign_in_states where state_hash = ? and provider = ? and expires_at > now()
  returning nonce, code_verifier, redirect_uri, user_id`;

interface StateRow {
  nonce: string;
  code_verifier: string;
  redirect_uri: string;
  user_id: string | null;
}

/** A provider's name, stored only when it would pass registration's own rule; else left empty. */
function nameOf(raw: string | undefined): string {
  const value = raw?.trim() ?? '';
  return value.length <= NAME_MAX_LENGTH && !unsafeTextIn(value) ? value : '';
}

type Outcome = { authentication: Authentication } | { mfaToken: string } | { refusal: DomainError };

export function createSignInService(deps: {
  orm: MikroORM;
  clients: ReadonlyMap<string, SignInProviderClient>;
  redirectUris: readonly string[];
  tokens: Pick<TokenService, 'startSession' | 'invalidate'>;
  mfa: Pick<MfaService, 'startChallenge'>;
  audit: Pick<AuditLog, 'record' | 'recordAlone'>;
  sessionRule: SessionRule;
  /** Ways the user can sign in, counted by every module (password, identities, passkeys…), in `em`'s transaction. */
  signInMethods: (em: EntityManager, userId: string) => Promise<number>;
}): SignInService {
  const { orm, clients, redirectUris, tokens, mfa, audit, sessionRule, signInMethods } = deps;

  function clientOf(provider: string): SignInProviderClient {
    const client = clients.get(provider);
    if (!client) throw new InvalidInputError('provider', 'Unknown provider: signInProviders lists the configured ones');
    return client;
  }

  /** Consumes the state and redeems the code at the provider: SIGN_IN_FAILED for any state but a live one of this provider and purpose. */
  async function redeem(provider: string, code: string, state: string, userId: string | null): Promise<ProviderIdentity> {
    const client = clientOf(provider);
    const [row] = await orm.em.fork().execute<StateRow[]>(CONSUME_STATE_SQL, [hashOpaqueSecret(state), provider]);
    if (!row || row.user_id !== userId) throw new SignInFailedError();
    const checks: SignInChecks = { state, nonce: row.nonce, codeVerifier: row.code_verifier, redirectUri: row.redirect_uri };
    return client.identityOf(code, checks);
  }

  /**
   * The account of an identity seen for the first time (Ory Kratos #3574: an unverified address
   * never links): a new one for a verified address no account holds; the holder of that address
   * when both sides verified it; otherwise a refusal that reveals nothing more.
   */
  async function accountFor(em: EntityManager, provider: string, identity: ProviderIdentity): Promise<User> {
    if (!identity.email || !identity.emailVerified) throw new ProviderEmailNotVerifiedError();
    // An address Janus cannot hold (its shape rule) cannot be anyone's account here.
    const email = tryNormalizeEmail(identity.email);
    if (!email) throw new ProviderEmailNotVerifiedError();
    const owner = await em.findOne(User, { email }, { populate: ['role'], lockMode: LockMode.PESSIMISTIC_WRITE });
    if (owner) {
      if (!owner.emailVerified || (await em.count(Identity, { user: owner.id, provider })) > 0) throw new AccountExistsError();
      em.create(Identity, { user: owner, provider, subject: identity.subject, email });
      audit.record(em, 'identity.link', owner.id);
      return owner;
    }
    const role = await em.findOneOrFail(Role, { name: DEFAULT_ROLE });
    const user = em.create(User, {
      email,
      passwordHash: null,
      firstName: nameOf(identity.firstName),
      lastName: nameOf(identity.lastName),
      phoneNumber: '',
      role,
      // The provider vouched for it: as good as Janus's own link.
      emailVerified: true,
    });
    em.create(Identity, { user, provider, subject: identity.subject, email });
    audit.record(em, 'registration', user.id);
    return user;
  }

  /** Two first sign-ins of one identity or address at once: the loser starts again and then finds the account. */
  async function once<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (error instanceof UniqueConstraintViolationException) throw new SignInFailedError();
      throw error;
    }
  }

  return {
    providers: () => [...clients.keys()].map((id) => ({ id })),

    async start(provider, redirectUri, userId) {
      const client = clientOf(provider);
      if (!redirectUris.includes(redirectUri)) {
        throw new InvalidInputError('redirectUri', 'This redirect URI is not allowed: JANUS_SIGN_IN_REDIRECT_URIS lists the allowed ones');
      }
      const checks: SignInChecks = { state: newOpaqueSecret(), nonce: oidc.randomNonce(), codeVerifier: oidc.randomPKCECodeVerifier(), redirectUri };
      // Built first: a provider that cannot be reached leaves no row behind.
      const url = await client.authorizationUrl(checks);
      const em = orm.em.fork();
      em.create(SignInState, {
        stateHash: hashOpaqueSecret(checks.state),
        provider,
        nonce: checks.nonce,
        codeVerifier: checks.codeVerifier,
        redirectUri,
        user: userId ?? null,
        expiresAt: new Date(Date.now() + STATE_TTL_SECONDS * 1000),
      });
      await em.flush();
      return { authorizationUrl: url.href };
    },

    async complete(provider, code, state) {
      const identity = await redeem(provider, code, state, null);
      const outcome = await once(() => orm.em.fork().transactional(async (em): Promise<Outcome> => {
        const known = await em.findOne(Identity, { provider, subject: identity.subject }, { populate: ['user.role'] });
        const user = known ? known.user : await accountFor(em, provider, identity);
        const refusal = sessionRule.refusalOf(user);
        if (refusal) {
          audit.record(em, loginRefusalEvent(refusal), user.id);
          return { refusal };
        }
        // The account's second factor applies whichever way the first step was proven.
        if (user.mfaEnabled) return { mfaToken: await mfa.startChallenge(em, user, { firstFactor: FEDERATED }) };
        audit.record(em, 'login.success', user.id);
        return { authentication: await tokens.startSession(em, user, FEDERATED) };
      }));
      if ('refusal' in outcome) throw outcome.refusal;
      if ('mfaToken' in outcome) throw new MfaRequiredError(outcome.mfaToken);
      return outcome.authentication;
    },

    async link(userId, provider, code, state) {
      const identity = await redeem(provider, code, state, userId);
      return once(() => orm.em.fork().transactional(async (em) => {
        const user = await findUserForUpdate(em, userId);
        if (!user) throw new UnauthenticatedError();
        const taken = await em.count(Identity, { $or: [{ provider, subject: identity.subject }, { provider, user: user.id }] });
        if (taken > 0) throw new IdentityLinkedError();
        const email = identity.email && identity.emailVerified ? (tryNormalizeEmail(identity.email) ?? null) : null;
        const linked = em.create(Identity, { user, provider, subject: identity.subject, email });
        audit.record(em, 'identity.link', user.id);
        return linked;
      }));
    },

    identities: (userId) => orm.em.fork().find(Identity, { user: userId }, { orderBy: { createdAt: 'asc', id: 'asc' } }),

    async unlink(userId, provider) {
      await orm.em.fork().transactional(async (em) => {
        // The user's row lock queues concurrent unlinks: two cannot each see the other's method.
        const user = await findUserForUpdate(em, userId);
        if (!user) throw new UnauthenticatedError();
        const identity = await em.findOne(Identity, { user: user.id, provider });
        if (!identity) throw new NotFoundError('No identity at this provider is linked to the account');
        if ((await signInMethods(em, user.id)) <= 1) throw new LastSignInMethodError();
        em.remove(identity);
        audit.record(em, 'identity.unlink', user.id);
      });
    },
  };
}
