import { randomUUID } from 'node:crypto';
import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import type { User } from '../accounts/user.entity.ts';
import type { AccessTokenService } from '../auth/jwt.ts';
import { UnauthenticatedError } from '../auth/errors.ts';
import type { Principal } from '../auth/principal.ts';
import { permissionsOf } from '../roles/permissions.ts';
import { RefreshToken } from './refresh-token.entity.ts';
import { Session } from './session.entity.ts';
import { hashRefreshSecret, newRefreshSecret } from './refresh-secret.ts';

export interface TokenPair {
  token: string;
  refreshToken: string;
}

export interface TokenService {
  /**
   * Opens a login session for `user` inside the caller's unit of work, so that the session is
   * written in the same transaction as whatever made the login possible (e.g. registration).
   */
  startSession(em: EntityManager, user: User): Promise<TokenPair>;
  /**
   * The caller behind an access token: signature and claims checked, then the session, user and
   * role loaded in one query. Null for an invalid, expired or revoked token, or a deleted user.
   */
  authenticate(accessToken: string): Promise<Principal | null>;
}

export function createTokenService(options: {
  orm: MikroORM;
  accessTokens: AccessTokenService;
  refreshTokenTtlSeconds: number;
}): TokenService {
  const { orm, accessTokens, refreshTokenTtlSeconds } = options;
  return {
    async startSession(em, user) {
      const session = em.create(Session, { id: randomUUID(), user });
      const refreshToken = newRefreshSecret();
      em.create(RefreshToken, {
        session,
        tokenHash: hashRefreshSecret(refreshToken),
        expiresAt: new Date(Date.now() + refreshTokenTtlSeconds * 1000),
      });
      const token = await accessTokens.sign({
        sub: user.id,
        sid: session.id,
        ver: user.tokenVersion,
        role: user.role.name,
        perms: permissionsOf(user.role),
      });
      return { token, refreshToken };
    },
    async authenticate(accessToken) {
      let claims;
      try {
        claims = await accessTokens.verify(accessToken);
      } catch (error) {
        if (error instanceof UnauthenticatedError) return null;
        throw error;
      }
      const session = await orm.em
        .fork()
        .findOne(Session, { id: claims.sid, user: claims.sub, revokedAt: null }, { populate: ['user.role'] });
      if (!session || session.user.tokenVersion !== claims.ver) return null;
      return { user: session.user, permissions: new Set(session.user.role.permissions), claims };
    },
  };
}
