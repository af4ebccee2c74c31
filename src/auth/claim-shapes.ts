import type { AccessClaims } from './jwt.ts';

/** Claim sets that some verifiers want in an access token beside Janus's own (JANUS_JWT_CLAIMS). */
export const CLAIM_SHAPES = ['hasura'] as const;
export type ClaimShape = (typeof CLAIM_SHAPES)[number];

/** Hasura reads its session variables from this one namespaced claim (docs/integrations.md). */
export const HASURA_CLAIMS = 'https://hasura.io/jwt/claims';

const SHAPES: Readonly<Record<ClaimShape, (claims: AccessClaims) => Record<string, unknown>>> = {
  hasura: (claims) => ({
    [HASURA_CLAIMS]: {
      'x-hasura-allowed-roles': [claims.role],
      'x-hasura-default-role': claims.role,
      'x-hasura-user-id': claims.sub,
    },
  }),
};

/** The extra claims the configured shapes add to a token with `claims`. */
export function shapedClaims(shapes: readonly ClaimShape[], claims: AccessClaims): Record<string, unknown> {
  return Object.assign({}, ...shapes.map((shape) => SHAPES[shape](claims))) as Record<string, unknown>;
}
