import { ERROR_STATUS, isErrorCode, type ErrorCode } from '../../shared/errors.ts';
import type { AccessRule } from '../../auth/access-rules.ts';
import type { JsonSchema } from './json-schema.ts';

/** What each code means to a REST client, in the words of DESIGN.md's error table. */
const MEANING: Readonly<Record<ErrorCode, string>> = {
  BAD_USER_INPUT: 'an argument is missing, unknown, mistyped or breaks an input rule, or the body is not a JSON object',
  GRAPHQL_PARSE_FAILED: 'the GraphQL document cannot be parsed',
  GRAPHQL_VALIDATION_FAILED: 'the GraphQL document or its variables are invalid',
  UNAUTHENTICATED:
    'the route needs an access token and it is missing, expired or revoked; on any route, the request carries a bearer token Janus never issued (malformed, forged, another issuer, audience or type)',
  INVALID_CREDENTIALS: 'wrong email or password (the same answer for both)',
  INVALID_REFRESH_TOKEN: 'the refresh token is unknown, expired, already rotated or revoked',
  MFA_REQUIRED:
    'a second factor is needed: from `loginUser`, the password was right and `extensions.mfaToken` completes the login with `verifyMfa`; on a route that requires it, the access token comes from a login without one (log in again with the second factor)',
  INVALID_MFA_CODE: 'the TOTP code or recovery code is wrong, already used or outside the allowed clock drift',
  INVALID_MFA_TOKEN: 'the mfaToken is unknown, expired, already used, or dead after 5 wrong codes: log in again',
  REAUTHENTICATION_REQUIRED:
    'the route needs a recent login and the access token comes from a login older than `JANUS_REAUTH_MAX_AGE` seconds (default 600): log in again',
  SIGN_IN_FAILED:
    'the sign-in at the identity provider cannot be completed: the state is unknown, used, expired or another user\'s, or the provider or the ID token checks refused the code; start again',
  PROVIDER_EMAIL_NOT_VERIFIED: 'the identity provider does not vouch for the email of this new identity: no account is created or linked',
  ACCOUNT_EXISTS: 'an account holds the email the provider gave, and the link cannot be made automatically: log in to it and link the provider',
  IDENTITY_LINKED: 'the provider account is linked to another account, or the caller already has one at this provider',
  LAST_SIGN_IN_METHOD: 'this is the account\'s last way to sign in: set a password or link another provider first',
  INVALID_PASSKEY:
    'the passkey was not accepted: unknown or deleted, of another account than the email, a failed check (origin, rp id, signature, user verification), a signature counter that did not rise, or already registered',
  INVALID_PASSKEY_CHALLENGE: 'the passkey challenge is unknown, already used or expired: start again',
  INVALID_TOKEN: 'the mailed token is unknown, expired, already used or meant for another purpose (the same answer for all)',
  FORBIDDEN:
    "the caller's role lacks the required permission, or (roles) a permission the caller would grant, or one the user whose role would change holds",
  ACCOUNT_DISABLED: 'the credentials are right but an operator disabled the account',
  ROLE_NOT_ALLOWED: 'the role does not exist or cannot be chosen at registration',
  EMAIL_NOT_VERIFIED: 'the password is right, but the account must confirm its email address first (JANUS_REQUIRE_VERIFIED_EMAIL)',
  PASSKEYS_DISABLED: 'the server offers no passkeys (production without `JANUS_WEBAUTHN_RP_ID`)',
  NOT_FOUND: 'no such resource',
  METHOD_NOT_ALLOWED: 'the path exists with another method (see `Allow`)',
  EMAIL_TAKEN: 'an account with this email exists (compared case-insensitively)',
  ROLE_EXISTS: 'a role with this name exists',
  MFA_ALREADY_ENABLED: 'a second factor is already active on this account (disable it first)',
  MFA_NOT_ENROLLED: 'no pending TOTP enrollment to confirm (call `enrollTotp` first)',
  MFA_NOT_ENABLED: 'no second factor is active on this account',
  EMAIL_ALREADY_VERIFIED: 'the email address is already confirmed',
  LAST_ROLE_ADMIN: 'the user is the last one holding `roles:write`, which the change would take away',
  PAYLOAD_TOO_LARGE: 'the request body exceeds 100 kB',
  UNSUPPORTED_MEDIA_TYPE: 'the request body is not JSON (`Content-Type: application/json`)',
  RATE_LIMITED: 'too many attempts from this client or for this identity; retry after `Retry-After` seconds',
  INTERNAL_SERVER_ERROR: 'an unexpected failure; the message is masked and the request id logged',
  SERVICE_UNAVAILABLE:
    'the database cannot be reached, or too many password checks are queued (then with `Retry-After`); retry shortly',
};

export interface RouteFacts {
  method: 'GET' | 'POST';
  access: AccessRule;
  rateLimited: boolean;
  /** The codes the SDL declares with @errors. */
  declared: readonly string[];
}

export interface ResponseObject {
  description: string;
  headers?: Record<string, { $ref: string }>;
  content?: Record<string, { schema: JsonSchema }>;
}

export const ERROR_COMPONENTS = {
  schemas: {
    ErrorCode: { type: 'string', enum: Object.keys(ERROR_STATUS), description: 'Stable error codes; see each response for when.' },
    ErrorBody: {
      type: 'object',
      required: ['errors'],
      properties: {
        errors: {
          type: 'array',
          items: {
            type: 'object',
            required: ['message', 'extensions'],
            properties: {
              message: { type: 'string', description: 'Safe to show; never a stack trace.' },
              extensions: {
                type: 'object',
                required: ['code'],
                properties: {
                  code: { $ref: '#/components/schemas/ErrorCode' },
                  mfaToken: {
                    type: 'string',
                    description: 'Only with MFA_REQUIRED from `loginUser`: pass it to `verifyMfa` within 5 minutes.',
                  },
                },
              },
            },
          },
        },
      },
    },
  } satisfies Record<string, JsonSchema>,
  // Named as the headers are, so that each response lists exactly these names.
  headers: {
    'X-Request-Id': { description: 'Identifies the request in the server logs.', schema: { type: 'string', maxLength: 200 } },
    'Retry-After': {
      description: 'Seconds to wait before trying again.',
      schema: { type: 'integer', format: 'int32', minimum: 1, maximum: 2_147_483_647 },
    },
    'WWW-Authenticate': {
      description:
        '`Bearer realm="janus"`; when a token was sent, RFC 6750\'s `error="invalid_token"` and an `error_description` ("The access token expired": refresh; "The access token is not valid": log in again); with MFA_REQUIRED from a route that requires a second factor, or REAUTHENTICATION_REQUIRED (then with `max_age`), RFC 9470\'s `error="insufficient_user_authentication"` as well.',
      schema: { type: 'string', maxLength: 200 },
    },
    'Access-Control-Allow-Origin': {
      description:
        "The request's `Origin`, echoed when it is one of `JANUS_CORS_ORIGINS` (exact origins; none by default). Absent for any other origin: browsers then refuse cross-origin access.",
      schema: { type: 'string', maxLength: 2048 },
    },
  },
};

/** Every code a route can answer with: its access rule's, its rate limit's, its own, and the ones every route may meet. */
export function errorCodesOf(route: RouteFacts, where: string): ErrorCode[] {
  // A bearer token Janus never issued is refused on public routes too.
  const codes = new Set<ErrorCode>(['BAD_USER_INPUT', 'UNAUTHENTICATED']);
  if (route.access.kind === 'permission') codes.add('FORBIDDEN');
  if (route.access.kind !== 'public' && route.access.mfa) codes.add('MFA_REQUIRED');
  if (route.access.kind !== 'public' && route.access.recentLogin) codes.add('REAUTHENTICATION_REQUIRED');
  if (route.method === 'POST') {
    codes.add('PAYLOAD_TOO_LARGE');
    codes.add('UNSUPPORTED_MEDIA_TYPE');
  }
  if (route.rateLimited) codes.add('RATE_LIMITED');
  for (const code of route.declared) {
    if (!isErrorCode(code)) throw new Error(`${where}: @errors names an unknown code "${code}"`);
    codes.add(code);
  }
  codes.add('INTERNAL_SERVER_ERROR');
  codes.add('SERVICE_UNAVAILABLE');
  return [...codes];
}

/** The headers a response with `status` carries. */
export function responseHeadersOf(status: number): ResponseObject['headers'] {
  const names: (keyof typeof ERROR_COMPONENTS.headers)[] = ['X-Request-Id', 'Access-Control-Allow-Origin'];
  if (status === 401) names.push('WWW-Authenticate');
  if (status === ERROR_STATUS.RATE_LIMITED) names.push('Retry-After');
  return Object.fromEntries(names.map((name) => [name, { $ref: `#/components/headers/${name}` }]));
}

/** One response per HTTP status, its description naming each code that leads to it. */
export function errorResponsesOf(codes: readonly ErrorCode[]): Record<string, ResponseObject> {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of codes) byStatus.set(ERROR_STATUS[code], [...(byStatus.get(ERROR_STATUS[code]) ?? []), code]);
  const responses: Record<string, ResponseObject> = {};
  for (const [status, group] of [...byStatus].sort(([a], [b]) => a - b)) {
    responses[String(status)] = {
      description: group.map((code) => `\`${code}\`: ${MEANING[code]}.`).join(' '),
      headers: responseHeadersOf(status),
      content: { 'application/json': { schema: { $ref: '#/components/schemas/ErrorBody' } } },
    };
  }
  return responses;
}
