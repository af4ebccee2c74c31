import { randomUUID } from 'node:crypto';
import { SignJWT, jwtVerify, errors as joseErrors, type JWTHeaderParameters, type KeyObject } from 'jose';
import { isUuid } from '../shared/uuid.ts';
import type { SigningKey, VerificationKey } from './keys.ts';
import { UnauthenticatedError } from './errors.ts';
import { protectedHeaderOf } from './token-shape.ts';
import { createVerifiedTokenCache } from './verified-tokens.ts';

/** The claims Janus puts in an access token beside the registered ones. */
export interface AccessClaims {
  sub: string;
  sid: string;
  ver: number;
  role: string;
  perms: string[];
}

export interface VerifiedAccessToken extends AccessClaims {
  jti: string;
  exp: number;
}

export interface AccessTokenService {
  sign(claims: AccessClaims): Promise<string>;
  /** Resolves the claims of a valid token; rejects with UnauthenticatedError otherwise. */
  verify(token: string): Promise<VerifiedAccessToken>;
}

// RFC 9068's media type: a refresh token or an ID token from elsewhere never passes as an access token.
const ACCESS_TOKEN_TYPE = 'at+jwt';
const CLOCK_TOLERANCE_SECONDS = 5;
// A few MB at most; far more tokens than one instance sees in use within an access-token lifetime
// under ordinary load, and a miss only costs the verification it would have cost anyway.
const VERIFIED_TOKEN_CACHE_ENTRIES = 10_000;

function hasAccessClaims(payload: Record<string, unknown>): payload is Record<string, unknown> & VerifiedAccessToken {
  return (
    typeof payload.sub === 'string' &&
    isUuid(payload.sub) &&
    typeof payload.sid === 'string' &&
    isUuid(payload.sid) &&
    typeof payload.jti === 'string' &&
    typeof payload.exp === 'number' &&
    Number.isInteger(payload.ver) &&
    typeof payload.role === 'string' &&
    Array.isArray(payload.perms) &&
    payload.perms.every((perm) => typeof perm === 'string')
  );
}

export function createAccessTokenService(options: {
  key: SigningKey;
  /** Keys from before a rotation: they verify tokens still in circulation, never sign. */
  previousKeys?: readonly VerificationKey[];
  issuer: string;
  audience: string;
  ttlSeconds: number;
}): AccessTokenService {
  const { key, issuer, audience, ttlSeconds } = options;
  const keysById = new Map<string, KeyObject>(
    [key, ...(options.previousKeys ?? [])].map((known) => [known.kid, known.verificationKey]),
  );
  const resolveKey = (header: JWTHeaderParameters): KeyObject => {
    const found = header.kid === undefined ? undefined : keysById.get(header.kid);
    if (!found) throw new UnauthenticatedError('Access token was signed by an unknown key');
    return found;
  };
  const verifiedTokens = createVerifiedTokenCache({
    maxEntries: VERIFIED_TOKEN_CACHE_ENTRIES,
    clockToleranceSeconds: CLOCK_TOLERANCE_SECONDS,
  });

  return {
    sign(claims) {
      return new SignJWT({ sid: claims.sid, ver: claims.ver, role: claims.role, perms: claims.perms })
        .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: ACCESS_TOKEN_TYPE })
        .setSubject(claims.sub)
        .setIssuer(issuer)
        .setAudience(audience)
        .setIssuedAt()
        .setExpirationTime(`${ttlSeconds}s`)
        .setJti(randomUUID())
        .sign(key.signingKey);
    },
    async verify(token) {
      const cached = verifiedTokens.get(token, Math.floor(Date.now() / 1000));
      if (cached) return cached;
      const header = protectedHeaderOf(token);
      if (!header || header.alg !== key.alg) throw new UnauthenticatedError('Access token is invalid');
      if (typeof header.kid !== 'string' || !keysById.has(header.kid)) {
        throw new UnauthenticatedError('Access token was signed by an unknown key');
      }
      try {
        const { payload } = await jwtVerify(token, resolveKey, {
          algorithms: [key.alg],
          issuer,
          audience,
          typ: ACCESS_TOKEN_TYPE,
          clockTolerance: CLOCK_TOLERANCE_SECONDS,
          requiredClaims: ['sub', 'sid', 'jti', 'exp', 'iat'],
        });
        if (!hasAccessClaims(payload)) throw new UnauthenticatedError('Access token is missing claims');
        verifiedTokens.set(token, payload);
        return payload;
      } catch (error) {
        if (error instanceof UnauthenticatedError) throw error;
        if (error instanceof joseErrors.JOSEError) {
          throw new UnauthenticatedError(
            error instanceof joseErrors.JWTExpired ? 'Access token has expired' : 'Access token is invalid',
          );
        }
        throw error;
      }
    },
  };
}
