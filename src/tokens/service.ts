import { randomUUID } from 'node:crypto';
import type { EntityManager, MikroORM, QueryResult } from '@mikro-orm/postgresql';
import { findUserForUpdate } from '../accounts/queries.ts';
import type { SessionRule } from '../accounts/session-rule.ts';
import { currentRequester, type AuditLog } from '../audit/service.ts';
import type { UserView } from '../accounts/user-view.ts';
import type { User } from '../accounts/user.entity.ts';
import { UnauthenticatedError } from '../auth/errors.ts';
import { isClientToken, type AccessTokenCheck, type AccessTokenService, type VerifiedToken } from '../auth/jwt.ts';
import type { Caller } from '../auth/principal.ts';
import { permissionsOf } from '../roles/permissions.ts';
import { hashOpaqueSecret, newOpaqueSecret } from '../shared/opaque-secret.ts';
import { currentRequest } from '../shared/request-context.ts';
import { InvalidRefreshTokenError } from './errors.ts';
import type { OutsideClients } from '../db/embedded.ts';
import type { Statements } from '../db/statements.ts';
import { createPrincipalCache } from './principal-cache.ts';
import { createPrincipalQuery, type PrincipalRow } from './principal-query.ts';
import { createRotation, type RotatedRow, type RotationSettings } from './rotation.ts';
import { successorOf } from './successor.ts';
import { RefreshToken } from './refresh-token.entity.ts';
import { Session } from './session.entity.ts';

/** A token pair with the user it was issued to, as registration, login and refresh return it. */
export interface Authentication {
  token: string;
  refreshToken: string;
  user: UserView;
  permissions: string[];
}

export interface PurgeResult {
  refreshTokens: number;
  sessions: number;
}

export interface TokenService {
  /**
   * Opens a login session for `user` inside the caller's unit of work, so that the session is
   * written in the same transaction as whatever made the login possible (e.g. registration).
   * `amr` says how the login was proven (default: a password); every token of the session carries it.
   * Answers with the user, the session's first token pair and the user's permissions.
   */
  startSession(em: EntityManager, user: User, amr?: readonly string[]): Promise<Authentication>;
  /** An access token's signature and claims, checked without the database (jwt.ts says when it settles at once). */
  checkAccessToken(accessToken: string): Promise<AccessTokenCheck>;
  /**
   * The caller behind a checked token: session, user and role loaded in one query. Null for a
   * revoked session, an outdated token version, a deleted user or one the session rule refuses.
   * A token of Janus's OpenID Provider carries the scopes its client was granted: the caller's
   * permissions are the role's within them. A client's own token (client_credentials) has no
   * user: its permissions are its scopes (docs/oidc.md says how long it outlives its client).
   */
  principalOf(claims: VerifiedToken): Promise<Caller | null>;
  /**
   * Rotates a refresh token and notes the session's last use (time, IP, user agent). Presenting a rotated token again within the reuse interval answers
   * with the successor it already got; later, or once that successor was rotated too, it revokes
   * the whole session.
   */
  refresh(refreshToken: string): Promise<Authentication>;
  /** Ends the session a refresh token belongs to. */
  logout(refreshToken: string): Promise<void>;
  /**
   * Inside the caller's transaction: ends every session of the user and bumps the user's token
   * version, so that every access token issued so far fails on its next use.
   */
  revokeEverything(em: EntityManager, user: User): Promise<void>;
  /**
   * Inside the caller's transaction: ends every session of the user but `keepSessionId`, whose
   * tokens go on working; the others' access tokens fail on their next use (their session is revoked).
   */
  revokeOtherSessions(em: EntityManager, userId: string, keepSessionId: string): Promise<void>;
  logoutEverywhere(userId: string): Promise<void>;
  /**
   * Call after committing any change that revokes a user's sessions or changes what their
   * principal holds (role, token version, disabled, deleted) other than through this service:
   * the embedded database's principal cache forgets the user. Harmless where nothing is cached.
   */
  invalidate(userId: string): void;
  /** Deletes expired refresh tokens and the sessions left without any. */
  purgeExpired(now?: Date): Promise<PurgeResult>;
}

/** Users whose principals the embedded database's cache keeps, beyond which the oldest is looked up again. */
const PRINCIPAL_CACHE_USERS = 10_000;

/** An OAuth `scope` claim as a set (space-separated, RFC 6749 §3.3). */
function scopesOf(scope: string): Set<string> {
  return new Set(scope.split(' ').filter(Boolean));
}

function userOf(row: PrincipalRow): UserView {
  return {
    id: row.id,
    email: row.email,
    firstName: row.first_name,
    lastName: row.last_name,
    phoneNumber: row.phone_number,
    createdAt: row.created_at,
    mfaEnabled: row.mfa_enabled,
    disabled: row.disabled,
    emailVerified: row.email_verified,
    role: { name: row.role_name, permissions: row.role_permissions },
  };
}

export function createTokenService(options: {
  orm: MikroORM;
  /** How the hot statements (principal lookup, rotation) run on this database. */
  statements: Statements;
  accessTokens: AccessTokenService;
  audit: Pick<AuditLog, 'record'>;
  rotation: RotationSettings;
  /** Whom a session may belong to: applied by the principal lookup and by every refresh. */
  sessionRule: SessionRule;
  /**
   * Given when this process serves the database itself (the embedded one) and so sees every
   * change to it: the principal lookup is then cached (principal-cache.ts), forgotten by
   * `invalidate` and by any outside client's activity. Elsewhere other processes (workers,
   * instances, psql) write too, so every request reads the database.
   */
  outsideClients: OutsideClients | undefined;
}): TokenService {
  const { orm, accessTokens, audit, outsideClients, sessionRule } = options;
  const { refreshTokenTtlSeconds } = options.rotation;
  const rotation = createRotation(options.statements, options.rotation, sessionRule);
  const query = createPrincipalQuery(options.statements, sessionRule);
  // Kept by the 15% rule: it wins far more than that on the embedded `me` rows (docs/performance.md).
  const cache = outsideClients ? createPrincipalCache(query, PRINCIPAL_CACHE_USERS) : undefined;
  outsideClients?.onActivity(() => cache?.invalidateAll());
  const principalRow = cache?.lookup ?? query;
  const invalidate = (userId: string): void => cache?.invalidate(userId);

  /** The access token of a session: what every token carries, at login and at each refresh alike. */
  function signAccessToken(
    user: { id: string; tokenVersion: number; role: { name: string } },
    session: { id: string; amr: string[]; authTime: number },
    permissions: string[],
  ): Promise<string> {
    return accessTokens.sign({
      sub: user.id,
      sid: session.id,
      ver: user.tokenVersion,
      role: user.role.name,
      perms: permissions,
      amr: session.amr,
      // The session began with its login: every refresh carries that time on.
      auth_time: session.authTime,
    });
  }

  async function authenticate(row: RotatedRow, refreshToken: string): Promise<Authentication> {
    const user = userOf(row);
    const permissions = permissionsOf(user.role);
    const session = { id: row.session_id, amr: row.amr, authTime: row.auth_time };
    const token = await signAccessToken({ ...user, tokenVersion: row.token_version }, session, permissions);
    return { user, token, refreshToken, permissions };
  }

  /** Where a session is being used from, as its owner sees it in `sessions`. */
  const seenFrom = (): { ip: string | null; userAgent: string | null } => {
    const request = currentRequest();
    return { ip: request?.ip ?? null, userAgent: request?.userAgent ?? null };
  };

  const service: TokenService = {
    async startSession(em, user, amr = ['pwd']) {
      const now = new Date();
      const session = em.create(Session, { id: randomUUID(), user, amr: [...amr], createdAt: now, lastUsedAt: now, ...seenFrom() });
      const refreshToken = newOpaqueSecret();
      em.create(RefreshToken, {
        session,
        tokenHash: hashOpaqueSecret(refreshToken),
        expiresAt: new Date(now.getTime() + refreshTokenTtlSeconds * 1000),
      });
      const permissions = permissionsOf(user.role);
      const token = await signAccessToken(user, { id: session.id, amr: session.amr, authTime: Math.floor(now.getTime() / 1000) }, permissions);
      return { user, token, refreshToken, permissions };
    },

    checkAccessToken(accessToken) {
      return accessTokens.check(accessToken);
    },

    async principalOf(claims) {
      if (isClientToken(claims)) return { client: { id: claims.client_id }, permissions: scopesOf(claims.scope), claims };
      // Runs on every authenticated request: one indexed query, read into a plain object, no unit
      // of work or entity to build.
      const row = await principalRow(claims.sid, claims.sub);
      // The id check costs nothing and guarantees a row for anyone else can never become this
      // caller's principal, whatever the driver or the embedded database's protocol handling does.
      if (!row || row.id !== claims.sub || row.token_version !== claims.ver) return null;
      const user = userOf(row);
      const granted = claims.scope === undefined ? undefined : scopesOf(claims.scope);
      const permissions = granted ? user.role.permissions.filter((permission) => granted.has(permission)) : user.role.permissions;
      return { user, permissions: new Set(permissions), claims };
    },

    async refresh(refreshToken) {
      // One statement on the way that matters (database round trips and the ORM's unit of work
      // were what refresh cost); a second only for a token that could not be claimed.
      const presentedHash = hashOpaqueSecret(refreshToken);
      const requester = currentRequester();
      const successorId = randomUUID();
      const successor = successorOf(refreshToken, successorId);
      const rotated = await rotation.claim(presentedHash, { id: successorId, hash: hashOpaqueSecret(successor) }, requester);
      if (rotated) return authenticate(rotated, successor);
      const judged = await rotation.judge(presentedHash, requester);
      // The reused token's session has just been revoked.
      if (judged?.verdict === 'reuse') invalidate(judged.id);
      if (judged?.verdict === 'ineligible') {
        throw sessionRule.refusalOf({ disabled: judged.disabled, emailVerified: judged.email_verified }) ?? new InvalidRefreshTokenError();
      }
      // Two tabs refreshing at once: the later one gets the pair the earlier one got (its refresh
      // token, a new access token), instead of ending the session as a replay would.
      if (judged?.verdict !== 'replay' || !judged.successor_id) throw new InvalidRefreshTokenError();
      return authenticate(judged, successorOf(refreshToken, judged.successor_id));
    },

    async logout(refreshToken) {
      const userId = await orm.em.fork().transactional(async (em) => {
        const current = await em.findOne(RefreshToken, { tokenHash: hashOpaqueSecret(refreshToken) }, { populate: ['session'] });
        if (!current) throw new InvalidRefreshTokenError();
        await em.nativeUpdate(Session, { id: current.session.id, revokedAt: null }, { revokedAt: new Date() });
        audit.record(em, 'logout', current.session.user.id);
        return current.session.user.id;
      });
      invalidate(userId);
    },

    async revokeEverything(em, user) {
      user.tokenVersion += 1;
      await em.nativeUpdate(Session, { user: user.id, revokedAt: null }, { revokedAt: new Date() });
      // Inside the caller's transaction, before its commit: sound, because only the embedded
      // database caches, and there an open transaction holds every other connection's query back
      // until it ends, so no lookup can read the rows as they were from here on.
      invalidate(user.id);
    },

    async revokeOtherSessions(em, userId, keepSessionId) {
      await em.nativeUpdate(Session, { user: userId, revokedAt: null, id: { $ne: keepSessionId } }, { revokedAt: new Date() });
      // Before the commit, as revokeEverything does (it says why that is sound).
      invalidate(userId);
    },

    invalidate,

    async logoutEverywhere(userId) {
      await orm.em.fork().transactional(async (em) => {
        const user = await findUserForUpdate(em, userId);
        if (!user) throw new UnauthenticatedError();
        await service.revokeEverything(em, user);
        audit.record(em, 'logout_all', user.id);
      });
    },

    async purgeExpired(now = new Date()) {
      return orm.em.fork().transactional(async (em) => {
        const refreshTokens = await em.nativeDelete(RefreshToken, { expiresAt: { $lte: now } });
        // A session with no refresh token left can never be refreshed again, and its last access
        // token expired long before its last refresh token (access TTL <= refresh TTL).
        const { affectedRows: sessions } = await em.execute<QueryResult>(
          'delete from sessions s where not exists (select 1 from refresh_tokens t where t.session_id = s.id)',
          [],
          'run',
        );
        return { refreshTokens, sessions };
      });
    },
  };
  return service;
}
