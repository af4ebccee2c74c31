import { randomUUID } from 'node:crypto';
import { SignJWT, jwtVerify, errors as joseErrors } from 'jose';
import { isUuid } from '../shared/uuid.ts';
import { shapedClaims, type ClaimShape } from './claim-shapes.ts';
import type { SigningKey, VerificationKey } from './keys.ts';
import { protectedHeaderOf } from './token-shape.ts';
import { createVerifiedTokenCache } from './verified-tokens.ts';

/** The claims Janus puts in an access token beside the registered ones. */
export interface AccessClaims {
  sub: string;
  sid: string;
  ver: number;
  role: string;
  perms: string[];
  /**
   * How the session's login was proven, as RFC 8176 method references: ["pwd"], ["pwd","otp"]
   * after a TOTP or recovery code, or ["hwk" or "swk","user","mfa"] with a passkey. The session
   * keeps it across refreshes.
   */
  amr: string[];
  /**
   * When the session's login happened (seconds since the epoch, OpenID Connect's `auth_time`):
   * a refresh keeps it. What "a recent login" (@requiresRecentLogin) is measured by.
   */
  auth_time: number;
}

export interface VerifiedAccessToken extends AccessClaims {
  jti: string;
  exp: number;
}

/**
 * What a token's signature and claims say, without the database. `expired` is a token this Janus
 * issued (its signature and claims check out) whose lifetime is over: the everyday state of a
 * client about to refresh. `invalid` is anything this Janus never issued as an access token:
 * malformed, another algorithm or key, a bad signature, another issuer, audience or type.
 */
export type AccessTokenCheck =
  | { status: 'valid'; claims: VerifiedAccessToken }
  | { status: 'expired' }
  | { status: 'invalid' };

export interface AccessTokenService {
  sign(claims: AccessClaims): Promise<string>;
  /** Never rejects for a bad token: a flood of them builds no errors. */
  check(token: string): Promise<AccessTokenCheck>;
}

const INVALID: AccessTokenCheck = Object.freeze({ status: 'invalid' });
const EXPIRED: AccessTokenCheck = Object.freeze({ status: 'expired' });

// RFC 9068's media type: a refresh token or an ID token from elsewhere never passes as an access token.
const ACCESS_TOKEN_TYPE = 'at+jwt';
const CLOCK_TOLERANCE_SECONDS = 5;
// A few MB at most; far more tokens than one instance sees in use within an access-token lifetime
// under ordinary load, and a miss only costs the verification it would have cost anyway.
const VERIFIED_TOKEN_CACHE_ENTRIES = 10_000;

/**
 * Tokens signed before `amr` existed are still valid until they expire: they were all proven by
 * a password alone.
 */
const PASSWORD_ONLY: readonly string[] = Object.freeze(['pwd']);
/** Tokens signed before `auth_time` existed: their login time is unknown, so never recent. */
const UNKNOWN_AUTH_TIME = 0;

function hasAccessClaims(
  payload: Record<string, unknown>,
): payload is Record<string, unknown> & Omit<VerifiedAccessToken, 'amr' | 'auth_time'> & { amr?: string[]; auth_time?: number } {
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
    payload.perms.every((perm) => typeof perm === 'string') &&
    (payload.amr === undefined || (Array.isArray(payload.amr) && payload.amr.every((method) => typeof method === 'string'))) &&
    (payload.auth_time === undefined || Number.isInteger(payload.auth_time))
  );
}

export function createAccessTokenService(options: {
  key: SigningKey;
  /**
   * Keys that verify but never sign access tokens: the ring's RS256 key beside an EdDSA/ES256
   * signing key, and keys from before a rotation, for tokens still in circulation.
   */
  verifyKeys?: readonly VerificationKey[];
  issuer: string;
  audience: string;
  ttlSeconds: number;
  /** Claim sets added for other verifiers (JANUS_JWT_CLAIMS); verification ignores them. */
  claimShapes?: readonly ClaimShape[];
}): AccessTokenService {
  const { key, issuer, audience, ttlSeconds, claimShapes = [] } = options;
  // Each kid verifies only with its own key's algorithm: an RS256 public key is never taken for an HS256 secret.
  const keysById = new Map<string, VerificationKey>([...(options.verifyKeys ?? []), key].map((known) => [known.kid, known]));
  // Kept by the 15% rule: the GraphQL `me` rows cost ~1.5-2x the CPU per answer without it (docs/performance.md).
  const verifiedTokens = createVerifiedTokenCache({
    maxEntries: VERIFIED_TOKEN_CACHE_ENTRIES,
    clockToleranceSeconds: CLOCK_TOLERANCE_SECONDS,
  });

  /** jose's full check, for a token whose header names one of this Janus's keys and that key's algorithm. */
  async function verify(token: string, known: VerificationKey): Promise<AccessTokenCheck> {
    try {
      const { payload } = await jwtVerify(token, known.verificationKey, {
        algorithms: [known.alg],
        issuer,
        audience,
        typ: ACCESS_TOKEN_TYPE,
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
        requiredClaims: ['sub', 'sid', 'jti', 'exp', 'iat'],
      });
      if (!hasAccessClaims(payload)) return INVALID;
      const claims: VerifiedAccessToken = { ...payload, amr: payload.amr ?? [...PASSWORD_ONLY], auth_time: payload.auth_time ?? UNKNOWN_AUTH_TIME };
      verifiedTokens.set(token, claims);
      return { status: 'valid', claims };
    } catch (error) {
      // jose raises this only once the signature, type, issuer and audience have checked out.
      if (error instanceof joseErrors.JWTExpired) return EXPIRED;
      if (error instanceof joseErrors.JOSEError) return INVALID;
      throw error;
    }
  }

  return {
    sign(claims) {
      const issuedAt = Math.floor(Date.now() / 1000);
      return new SignJWT({
        ...shapedClaims(claimShapes, claims),
        sid: claims.sid,
        ver: claims.ver,
        role: claims.role,
        perms: claims.perms,
        amr: claims.amr,
        auth_time: claims.auth_time,
        sub: claims.sub,
        iss: issuer,
        aud: audience,
        iat: issuedAt,
        exp: issuedAt + ttlSeconds,
        jti: randomUUID(),
      })
        .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: ACCESS_TOKEN_TYPE })
        .sign(key.signingKey);
    },
    async check(token) {
      const cached = verifiedTokens.get(token, Math.floor(Date.now() / 1000));
      if (cached) return { status: 'valid', claims: cached };
      // Kept by the 15% rule: the bad-token row costs ~1.8-1.9x the CPU per answer without it (docs/performance.md).
      const header = protectedHeaderOf(token);
      const known = typeof header?.kid === 'string' ? keysById.get(header.kid) : undefined;
      if (!known || header?.alg !== known.alg) return INVALID;
      return verify(token, known);
    },
  };
}
